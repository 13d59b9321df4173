"""Open data: the campaign's verified, aggregated and suppressed numbers for the public."""
