"""merchants pages and API."""
