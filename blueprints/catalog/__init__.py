"""catalog pages and API."""
