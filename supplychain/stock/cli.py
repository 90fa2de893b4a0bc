"""Command-line commands of this feature (registered by supplychain.cli)."""

commands: tuple = ()
