"""Login, logout, API tokens and role checks."""
