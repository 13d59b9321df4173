"""Courthouses, hearings and the calendar sources they come from."""
