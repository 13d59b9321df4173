"""Observation reports: forms, photos, verification, incidents."""
