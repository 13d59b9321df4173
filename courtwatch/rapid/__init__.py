"""Rapid response: on-call windows, alerts when agents act at a courthouse, and the dispatch page."""
