"""Integration tests of background jobs (inline runner; real RQ worker where marked)."""
