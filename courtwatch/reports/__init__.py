"""Campaign summaries, charts, the printable report, and spreadsheet-safe exports (issue 7)."""
