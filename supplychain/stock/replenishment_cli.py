"""进销存 replenishment commands (stub — being built)."""

commands: tuple = ()
