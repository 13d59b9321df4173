"""Shifts: observation and accompaniment shifts, sign-ups, waitlists, attendance and reminders."""
