"""Users, roles, passwords and API tokens (用户与权限)."""
