"""An index the summaries need on the observations area's table (declared here, owned by this area).

Summaries read a million reports by courthouse and date window and group by status, action and
the breakdown columns. With this covering index SQLite and PostgreSQL answer from the index alone
instead of fetching every report row at random (measured: bench/README.md, "Summaries and exports").
"""

from sqlalchemy import Index

from courtwatch.observations.models import Observation

REPORT_SUMMARY_INDEX = Index(
    "ix_observation_report_summary",
    Observation.courthouse_id, Observation.observed_at, Observation.status, Observation.action,
    Observation.incident_id, Observation.nothing_observed, Observation.court_type, Observation.target_role,
    Observation.warrant)
