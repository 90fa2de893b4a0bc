"""Home page per role and the health check."""
