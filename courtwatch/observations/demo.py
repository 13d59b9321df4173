"""Demo reports: a few months of court watch at the demo courthouses, for the review queue and
the summaries to have something true-to-life to show.

A fixed random seed keeps the demo the same on every machine. Most mornings nothing happens
(those reports matter: they tell a quiet court from an unwatched one); some bring sightings,
a few attempted arrests and arrests, usually without a judicial warrant. Older reports are
mostly verified; some arrests were seen by two volunteers and are linked into one incident.
Rows are written directly (no urgent e-mails for history) but with the same normalisation
and content hash as a real submission.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from courtwatch.db import db, utcnow
from courtwatch.observations import services
from courtwatch.observations.models import (
    Action,
    Agency,
    AgentsPresent,
    Area,
    Attire,
    Incident,
    Observation,
    ObservationAgency,
    ObservationStatus,
    TargetRole,
    Warrant,
    YesNoUnknown,
)
from courtwatch.privacy.services import record_event

DEMO_DAYS = 120
WATCHED = (
    "boston-immigration",
    "bmc-central",
    "bmc-east-boston",
    "chelsea-district",
    "lawrence-district",
    "suffolk-probate-family",
    "lowell-district",
)

SIGHTINGS = [
    "Two men in plain clothes with earpieces waited by the metal detectors from {t} for about an hour, "
    "watching people come in. One had a radio on his belt. They left on foot without stopping anyone.",
    "Three agents in vests marked POLICE / ICE stood near the elevator bank on the 2nd floor. "
    "They looked at a clipboard with photos. Court officers spoke with them briefly.",
    "One agent in a navy jacket marked HSI sat in the back row of the courtroom and left when the "
    "session recessed. Did not speak to anyone I could see.",
]
ATTEMPTS = [
    "Two plainclothes agents approached a man leaving the courtroom and asked for his name. "
    "A lawyer stepped in and asked for a warrant; none was shown. The agents walked away toward the exit.",
    "Agents followed a woman out of the hallway to the front steps. Volunteers and her attorney stayed "
    "with her; the agents got into a grey SUV and drove off after about ten minutes.",
]
ARRESTS = [
    "Four agents, two in vests marked ICE, took a man into custody at the bottom of the front steps "
    "right after his hearing. They showed a paper when asked; it was an administrative form, not signed "
    "by a judge. He was put in a dark SUV.",
    "Two plainclothes agents stopped a man in the hallway outside the courtroom, handcuffed him and "
    "walked him out of the side exit. They did not identify themselves. Court officers held the door.",
]
QUIET = [
    "Watched the entrance and two courtrooms all morning. No agents seen.",
    "Quiet morning. Busy arraignment session, nothing unusual.",
    "",
]


def _make(
    reporter, courthouse, observed_at: datetime, rng: random.Random, action: Action, nothing: bool = False
) -> Observation:
    raw = {
        "courthouse_id": courthouse.id,
        "observed_at": observed_at,
        "nothing_observed": nothing,
        "courtroom": rng.choice(["", "Courtroom 1", "Room 205", "Arraignment session", "Part 3"]),
        "area": rng.choice(list(Area)).value,
        "court_type": rng.choice(courthouse.court_type_list or [None]),
        "action": action.value,
    }
    if nothing:
        raw["narrative"] = rng.choice(QUIET)
    else:
        raw.update(
            agents_present=AgentsPresent.YES.value
            if action != Action.SIGHTING or rng.random() < 0.8
            else AgentsPresent.UNSURE.value,
            agent_count=rng.randint(1, 5),
            attire=rng.choice(list(Attire)).value,
            agencies=rng.sample(
                [Agency.ICE_ERO.value, Agency.HSI.value, Agency.LOCAL_POLICE.value, Agency.OTHER_UNKNOWN.value],
                k=rng.randint(1, 2),
            ),
            markings=rng.choice(["", "POLICE on vest", "ICE on back of jacket"]),
            vehicles=rng.choice(
                ["", "Grey Ford Explorer, MA plate partly seen 4XK…", "Black Chevy Tahoe, no front plate"]
            ),
            identified_themselves=rng.choice(list(YesNoUnknown)).value,
        )
        if action == Action.SIGHTING:
            raw["narrative"] = rng.choice(SIGHTINGS).format(t=f"{observed_at:%H:%M}")
        else:
            raw.update(
                narrative=rng.choice(ATTEMPTS if action == Action.ATTEMPTED_ARREST else ARRESTS),
                target_role=rng.choice(
                    [
                        TargetRole.DEFENDANT,
                        TargetRole.DEFENDANT,
                        TargetRole.WITNESS,
                        TargetRole.FAMILY_LITIGANT,
                        TargetRole.VICTIM_SURVIVOR,
                        TargetRole.UNKNOWN,
                    ]
                ).value,
                warrant=rng.choice(
                    [Warrant.ADMINISTRATIVE, Warrant.NONE_SHOWN, Warrant.NONE_SHOWN, Warrant.UNKNOWN, Warrant.JUDICIAL]
                ).value,
                force_used=rng.choice(list(YesNoUnknown)).value,
                court_staff_involvement=rng.choice(
                    ["", "Court officers held the door.", "A clerk pointed the agents to the courtroom."]
                ),
            )
    values = services.normalise_values(raw, courthouse)
    observation = Observation(
        reporter_id=reporter.id,
        idempotency_key=uuid.UUID(int=rng.getrandbits(128)).hex,
        content_hash=services.content_hash(values),
        created_at=observed_at + timedelta(minutes=rng.randint(5, 90)),
        status=ObservationStatus.UNVERIFIED,
    )
    for name in services.CONTENT_FIELDS:
        if name != "agencies":
            setattr(observation, name, values[name])
    observation.agencies = [ObservationAgency(agency=a) for a in values["agencies"]]
    return observation


def _verify(observation: Observation, coordinator, rng: random.Random, now: datetime) -> None:
    if now - observation.observed_at < timedelta(days=3) or rng.random() < 0.15:
        return  # recent ones still wait in the queue
    roll = rng.random()
    status = (
        ObservationStatus.CONFIRMED
        if roll < 0.75 or observation.nothing_observed
        else ObservationStatus.UNABLE_TO_VERIFY
        if roll < 0.9
        else ObservationStatus.FALSE_ALARM
    )
    observation.status = status
    observation.verification_note = {
        "confirmed": "Matches a second volunteer's account.",
        "unable_to_verify": "Only one account; no one else present.",
        "false_alarm": "Court security officers, not immigration agents.",
    }.get(status, "Checked with the reporter.")
    observation.verified_by_id = coordinator.id
    observation.verified_at = observation.created_at + timedelta(hours=rng.randint(2, 30))
    record_event(
        coordinator,
        "observation.verify",
        observation,
        from_status="unverified",
        to_status=status,
        note=observation.verification_note,
    )


def load_demo_observations(context) -> None:
    rng = random.Random(6)
    volunteers = context["volunteers"]
    coordinator = context["coordinator"]
    courthouses = [context["courthouses"][slug] for slug in WATCHED if slug in context["courthouses"]]
    now = utcnow()
    created: list[Observation] = []
    for days_ago in range(DEMO_DAYS, 0, -1):
        day = (now - timedelta(days=days_ago)).date()
        if day.weekday() >= 5:
            continue
        for courthouse in rng.sample(courthouses, k=min(len(courthouses), rng.randint(1, 3))):
            local = datetime.combine(day, time(8, 30), courthouse.zone) + timedelta(minutes=rng.randint(0, 200))
            observed_at = local.astimezone(now.tzinfo)
            roll = rng.random()
            action = (
                Action.ARREST
                if roll < 0.05
                else Action.ATTEMPTED_ARREST
                if roll < 0.09
                else Action.SIGHTING
                if roll < 0.3
                else Action.NONE
            )
            reporter = rng.choice(volunteers)
            observation = _make(reporter, courthouse, observed_at, rng, action, nothing=action == Action.NONE)
            db.session.add(observation)
            created.append(observation)
            if action in (Action.ARREST, Action.ATTEMPTED_ARREST) and rng.random() < 0.6:
                # A second volunteer on the same shift saw it too: two reports, one incident.
                other = rng.choice([v for v in volunteers if v is not reporter])
                twin = _make(other, courthouse, observed_at + timedelta(minutes=rng.randint(1, 8)), rng, action)
                db.session.add(twin)
                created.append(twin)
                db.session.flush()
                if days_ago > 3:
                    incident = Incident(
                        courthouse_id=courthouse.id,
                        occurred_at=observed_at,
                        summary=f"{action.value.replace('_', ' ').capitalize()} reported by two volunteers",
                        created_by_id=coordinator.id,
                    )
                    db.session.add(incident)
                    db.session.flush()
                    observation.incident_id = twin.incident_id = incident.id
    db.session.flush()
    for observation in created:
        _verify(observation, coordinator, rng, now)
    db.session.flush()
