"""The outbox: every email is written to a table first and delivered from there."""
