"""Which area hears about which: every connection between the areas, in one list.

``create_app`` calls ``connect_areas`` once per app. Each line says "when <signal> is sent,
<area> does <receiver>". Order within one signal is the order below: the volunteer's next shift
is the first card on the start page, and shifts' demo data is loaded before the reports that
refer to it. No module connects anything when it is imported.
"""

from __future__ import annotations

from flask import Flask

from courtwatch import signals


def _connections() -> list[tuple[signals.OrderedSignal, object]]:
    from courtwatch.announcements import integration as announcements
    from courtwatch.courts import integration as courts
    from courtwatch.feeds import integration as feeds
    from courtwatch.handbook import integration as handbook
    from courtwatch.notify import integration as notify
    from courtwatch.observations import integration as observations
    from courtwatch.rapid import integration as rapid
    from courtwatch.shifts import integration as shifts

    return [
        # A hearing moved, was cancelled or needs company: its accompaniment shift follows.
        (signals.hearing_changed, shifts.on_hearing_changed),
        # A closure day: the preview lists the shifts on it; once saved, they are cancelled.
        (signals.closure_conflicts, shifts.closure_conflicts),
        (signals.courthouse_closed, shifts.cancel_for_closure),
        # A case's need carried to its next hearing: last time's volunteers are asked first.
        (signals.case_need_carried, shifts.offer_to_previous_volunteers),
        # A suspended person's calendar links stop working and their future claims free up.
        (signals.user_suspended, feeds.revoke_on_suspension),
        (signals.user_suspended, shifts.release_on_suspension),
        # A case's timeline: who went to each hearing.
        (signals.hearing_staffing, shifts.hearing_staffing),
        # The start page: next shift first, then reports.
        (signals.home_cards, shifts.next_shift_card),
        (signals.home_cards, observations.reports_card),
        (signals.home_cards, courts.next_hearings_card),
        (signals.home_cards, rapid.on_call_card),
        (signals.home_cards, announcements.recent_card),
        # The account page: message channels, calendar links, then my reports.
        (signals.account_sections, notify.account_section),
        (signals.account_sections, feeds.account_section),
        (signals.account_sections, observations.my_reports_section),
        # Trainings whose pages must be read first; what a volunteer has read, on their page.
        (signals.training_grant_checks, handbook.refuse_unread_training),
        (signals.person_sections, handbook.person_reading_section),
        # A courthouse page's buttons.
        (signals.courthouse_actions, shifts.courthouse_shift_actions),
        (signals.courthouse_actions, courts.courthouse_staff_actions),
        (signals.courthouse_actions, observations.courthouse_report_action),
        (signals.courthouse_actions, rapid.courthouse_agents_here_action),
        # A stored report of an (attempted) arrest with agents present: an alert to those on call.
        (signals.observation_stored, rapid.alert_from_stored_report),
        # Demo data: shifts and hearings, then reports (which sit on those shifts' days).
        (signals.demo_data_requested, shifts.load_demo_data),
        (signals.demo_data_requested, observations.load_demo_data),
        (signals.demo_data_requested, handbook.load_demo_data),
    ]


def connect_areas(app: Flask) -> None:
    for signal, receiver in _connections():
        signal.connect(receiver, sender=app, weak=False)
