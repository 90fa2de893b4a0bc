"""Audit trail (审计日志): one row for every insert, update and delete of an audited
model."""
