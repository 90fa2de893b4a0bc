"""进销存 reports commands (stub — being built)."""

commands: tuple = ()
