"""Does the time of /password/forgot or /register tell whether an address has an account?

Creates an app on a fresh SQLite database in a temporary folder (mail queued, never sent), one
volunteer, then alternates requests for the known address and for fresh unknown ones (known,
unknown, known, ...), so machine noise falls on both alike. Prints the median and p90 of each and
their ratio, beside a floor: the same measurement with *both* sides known (the ratio two identical
workloads show on this machine). The counters of the login throttle are in memory and the
forgot-password limiter is lifted, so neither answers 429.

    .venv/bin/python bench/bench_enumeration.py [--rounds 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _app(folder: str):
    from courtwatch import create_app
    from courtwatch.db import db

    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "b" * 64,
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite",
            "MAIL_BACKEND": "smtp",
            "RATELIMIT_ENABLED": False,
            "UPLOAD_DIR": f"{folder}/uploads",
        }
    )
    with app.app_context():
        db.create_all()
        from courtwatch.auth import services

        services.create_user(email="known@example.org", name="Known", password="walnut ferry trombone", status="active")
        db.session.commit()
    return app


def _time(client, path: str, data: dict) -> float:
    start = time.perf_counter()
    response = client.post(path, data=data)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, (path, response.status_code)
    return elapsed


def _pair(client, path, make_a, make_b, rounds: int) -> tuple[list[float], list[float]]:
    a, b = [], []
    for i in range(rounds):
        a.append(_time(client, path, make_a(i)))
        b.append(_time(client, path, make_b(i)))
    return a, b


def _summary(label: str, a: list[float], b: list[float]) -> None:
    def p90(values):
        return statistics.quantiles(values, n=10)[-1]

    ma, mb = statistics.median(a), statistics.median(b)
    print(
        f"| {label} | {ma * 1000:.1f} / {p90(a) * 1000:.1f} ms | {mb * 1000:.1f} / {p90(b) * 1000:.1f} ms "
        f"| {mb / ma:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = _app(folder)
        client = app.test_client()
        client.post("/password/forgot", data={"email": "warm@example.org"})  # first-request costs
        print("| request | known: median / p90 | other: median / p90 | other ÷ known |")
        print("|---|---|---|---|")
        known = lambda i: {"email": "known@example.org"}  # noqa: E731
        unknown = lambda i: {"email": f"nobody{i}@example.org"}  # noqa: E731
        _summary("forgot, floor (known vs known)", *_pair(client, "/password/forgot", known, known, args.rounds))
        _summary("forgot, known vs unknown", *_pair(client, "/password/forgot", known, unknown, args.rounds))
        form = {
            "name": "Someone",
            "password": "lantern orchard pebble",
            "confirm": "lantern orchard pebble",
            "languages": ["en"],
        }
        taken = lambda i: {**form, "email": "known@example.org"}  # noqa: E731
        fresh = lambda i: {**form, "email": f"new{i}@example.org"}  # noqa: E731
        _summary("register, floor (taken vs taken)", *_pair(client, "/register", taken, taken, args.rounds // 2))
        _summary("register, taken vs new", *_pair(client, "/register", taken, fresh, args.rounds // 2))


if __name__ == "__main__":
    main()
