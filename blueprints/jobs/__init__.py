"""jobs pages and API."""
