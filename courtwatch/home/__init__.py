"""The start page and what every template can use (navigation, local time formatting)."""
