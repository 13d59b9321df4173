"""Every area's models, imported in one place so Alembic and ``db.create_all`` see the whole schema.

The declarative base and the UTC column type live in ``courtwatch.db``.
"""

from courtwatch.announcements.models import Announcement, AnnouncementRecipient  # noqa: F401
from courtwatch.auth.models import Training, User, UserTraining  # noqa: F401
from courtwatch.auth.security_models import EnrolmentGrant, Passkey, RecoveryCode, UserSession  # noqa: F401
from courtwatch.courts.case_models import CaseContinuance, CourtCase  # noqa: F401
from courtwatch.courts.closure_models import CourtClosure  # noqa: F401
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing, HearingChange  # noqa: F401
from courtwatch.courts.models import Courthouse  # noqa: F401
from courtwatch.db import Base, db  # noqa: F401
from courtwatch.feeds.models import FeedToken  # noqa: F401
from courtwatch.handbook.models import RightsCard, TrainingPage, TrainingPageRead  # noqa: F401
from courtwatch.imports.models import CalendarSource, ImportRun  # noqa: F401
from courtwatch.jobs.models import JobLock  # noqa: F401
from courtwatch.notify.models import OutboxAttachment, OutboxMessage  # noqa: F401
from courtwatch.observations.models import (  # noqa: F401
    Incident,
    Observation,
    ObservationAgency,
    ObservationPhoto,
    ObservationRevision,
)
from courtwatch.opendata.memory import RememberedSuppression  # noqa: F401
from courtwatch.opendata.models import ApiToken, OpenDataSettings  # noqa: F401
from courtwatch.opendata.stored import StoredPublication  # noqa: F401
from courtwatch.privacy.models import AuditEvent  # noqa: F401
from courtwatch.rapid.models import Alert, AlertOptIn, AlertRecipient, AlertResponse, OnCallWindow  # noqa: F401
from courtwatch.reports.models import LINKED_REPORT_INDEX, report_day_count  # noqa: F401  (summaries)
from courtwatch.shifts.models import Shift, ShiftPattern, ShiftSignup  # noqa: F401
from courtwatch.shifts.offer_models import ShiftOffer  # noqa: F401
from courtwatch.storage.models import PendingImport, StoredBlob, StoredBlobChunk  # noqa: F401
