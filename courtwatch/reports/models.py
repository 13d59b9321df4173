"""The summaries' own storage: daily report counts, and an index for the reports they count live.

``report_day_count`` (counts.py) answers most of the summary. The reports linked to an Incident
are counted from the reports table itself (an Incident's action and month depend on the filter);
they are a small share of all reports, and this partial index holds just them, with every column
the summary reads, so those queries read a small index and never the table.
"""

from courtwatch.db import partial_index
from courtwatch.observations.models import Observation
from courtwatch.reports.counts import report_day_count  # noqa: F401  (registers the table and its upkeep)

LINKED_REPORT_INDEX = partial_index(
    "ix_observation_linked_report",
    Observation.courthouse_id,
    Observation.observed_at,
    Observation.incident_id,
    Observation.status,
    Observation.action,
    Observation.court_type,
    Observation.target_role,
    Observation.warrant,
    where=Observation.incident_id.is_not(None),
)
