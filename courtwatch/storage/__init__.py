"""Where files that any app host may need are kept: photos and pending imports, in the database.

An app host writes nothing to its own disk that another host needs: a photo filed through one
host is served by any other, and an import previewed on one is committed on another.
"""
