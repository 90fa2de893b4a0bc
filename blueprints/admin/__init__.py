"""admin pages and API."""
