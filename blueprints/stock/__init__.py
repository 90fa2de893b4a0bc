"""stock pages and API."""
