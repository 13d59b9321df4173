"""Fixtures for the courts tests."""

from tests.support.cases import case_with_history  # noqa: F401  (a case with an accompanied hearing)
