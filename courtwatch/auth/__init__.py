"""Accounts, roles, approval, login, two-factor and password reset."""
