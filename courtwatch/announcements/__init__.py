"""Announcements: coordinators message volunteers chosen by filters, through the outbox."""
