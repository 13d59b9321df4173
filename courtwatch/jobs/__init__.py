"""Scheduled commands that cron may start on every app host at once: one run of each job at a time."""
