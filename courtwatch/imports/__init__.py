"""Reading court calendars (ICS, CSV, XLSX) into hearings: preview, commit, subscriptions."""
