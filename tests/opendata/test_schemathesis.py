"""schemathesis reads /api/v1/openapi.json and throws generated requests at every operation.

Each answer must match the document (status codes, content types, JSON schemas, headers) and
never be a server error. One check is left out: "schema-valid requests are accepted". The
document cannot say that ``to`` must not come before ``from`` nor that a range spans at most 120
months, and those get a 400 naming the field (test_api.py checks them), which is right. Bounded for CI: a few dozen examples per operation, no example database.
The partner operations run with a real token, so both the 200 and the 4xx shapes are checked.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from courtwatch.db import db
from courtwatch.opendata.settings import update_settings


@pytest.fixture
def api_schema(app, test_config, runner, campaign):
    update_settings(None, enabled=True)
    db.session.commit()
    app.config["OPENDATA_RATE_LIMIT"] = "100000 per minute"
    app.config["PARTNER_RATE_LIMIT"] = "100000 per minute"
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


OPERATIONS = [
    "/api/v1/incidents/summary",
    "/api/v1/incidents/summary.csv",
    "/api/v1/incidents",
    "/api/v1/incidents.csv",
    "/api/v1/dictionary.json",
]
PARTNER = ("/api/v1/incidents", "/api/v1/incidents.csv")


def test_the_document_lists_every_operation_tested_here(api_schema):
    # If an operation is added to the document, add it to OPERATIONS so it is fuzzed too.
    assert sorted(result.ok().path for result in api_schema.get_all_operations()) == sorted(OPERATIONS)


# The operation is looked up inside the test: schemathesis' own pytest loader for fixtures does not run
# under pytest 9, so the Hypothesis strategy of each operation is driven directly (the same generation).
@pytest.mark.parametrize("path", OPERATIONS)
def test_every_answer_matches_the_openapi_document(api_schema, runner, path):
    token = runner.invoke(args=["api", "token", "create", "--label", "fuzz", "--scope", "incidents"]).output.strip()
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def exercise(case):
        case.call_and_validate(
            # The WSGI transport does not decode compressed bodies; real clients get br/gzip.
            headers={
                "Accept-Encoding": "identity",
                **({"Authorization": f"Bearer {token}"} if path in PARTNER else {}),
            },
            excluded_checks=[positive_data_acceptance],
        )

    exercise()
