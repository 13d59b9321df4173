"""The areas are wired in ``create_app`` (``courtwatch.areas``), not by importing modules: whatever
order Python imports them in, a hearing needing company gets its shift, a suspension revokes
calendar links and frees claims, and the start page shows the next shift first.

Each order runs in a fresh interpreter, since this one has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize("order", ["sorted", "reversed", "19", "2026"])
def test_behaviour_does_not_depend_on_import_order(app, test_config, order):
    config = {key: value for key, value in test_config.items() if isinstance(value, str | int | bool)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.support.wiring_probe", order, json.dumps(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning:courtwatch"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["modules"] > 90
    assert seen["accompaniment_shift"], "the hearing that needs company got no accompaniment shift"
    assert seen["home_cards"] == ["next shift", "reports"]
    assert seen["live_calendar_links"] == 0, "a suspended person's calendar links still work"
    assert not seen["claim_kept"], "a suspended person still holds a future shift"
