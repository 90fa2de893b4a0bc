"""Pure algorithms (route planning, walking order, wave grouping): dataclasses in,
dataclasses out; they never import Flask, SQLAlchemy or supplychain."""
