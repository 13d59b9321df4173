"""Audit trail, retention and purge of personal data."""
