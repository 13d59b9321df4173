"""Tests for observation reports (issue 6)."""
