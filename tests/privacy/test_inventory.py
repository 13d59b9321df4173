"""docs/privacy.md stays true: every table is in it, every sealed field is named on its table's
row, every setting it names exists, and every column holding a person's details is sealed."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import LargeBinary

from courtwatch import config
from courtwatch.db import db

INVENTORY = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def _table_rows() -> dict[str, str]:
    rows = {}
    for line in INVENTORY.read_text().splitlines():
        if line.startswith("| `"):
            for name in re.findall(r"`([a-z_]+)`", line.split("|")[1]):
                rows[name] = line
    return rows


def test_every_table_is_in_the_inventory(app):
    rows = _table_rows()
    missing = sorted(t.name for t in db.metadata.sorted_tables if t.name not in rows)
    assert missing == [], f"docs/privacy.md does not list: {missing}"


def test_every_sealed_field_is_named_on_its_tables_row(app):
    rows = _table_rows()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name.startswith("sealed_"):
                assert isinstance(column.type, LargeBinary)
                assert f"`{column.name.removeprefix('sealed_')}`" in rows[table.name], (table.name, column.name)


def test_a_persons_details_have_no_plain_column(app):
    hearing = db.metadata.tables["hearing"].columns
    request = db.metadata.tables["accompaniment_request"].columns
    for name in ("title", "case_number", "notes"):
        assert name not in hearing and f"sealed_{name}" in hearing
    for name in ("person_label", "language", "meeting_notes", "private_notes", "contact"):
        assert name not in request and f"sealed_{name}" in request


def test_settings_named_in_the_inventory_exist():
    named = set(re.findall(r"`(?:COURTWATCH_)?([A-Z][A-Z_]+)`", INVENTORY.read_text()))
    assert {"MASTER_KEY", "ACCOMPANIMENT_PURGE_DAYS", "DETAILS_REVEAL_HOURS", "SENT_MAIL_RETENTION_DAYS"} <= named
    assert named - set(config.DEFAULTS) == set()
