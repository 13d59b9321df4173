"""Choices that carry their own translated label, declared once beside their value.

``class Action(LabelledChoice): ARREST = "arrest", _l("Arrest")`` gives a StrEnum (stored and
compared as the plain string) whose members know their label: ``Action.ARREST.label``, and
``Action.labels()`` for the {member: label} dict templates and forms use.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledChoice(StrEnum):
    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member

    @classmethod
    def labels(cls) -> dict:
        return {member: member.label for member in cls}
