"""Pure documents: dataclasses in, PDF bytes out (ReportLab); never Flask, SQLAlchemy or
supplychain."""
