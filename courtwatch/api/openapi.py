"""The OpenAPI 3.1 document of ``/api/v1``, built from the data dictionary (dictionary.py).

Hand-written as data rather than generated from decorators: the API is small, and what partners
read (descriptions, the suppression rules, what is never published) matters more here than
what a generator could infer.
"""

from __future__ import annotations

from courtwatch.api.dictionary import (
    AGENT_COUNT_BANDS,
    INCIDENT_FIELDS,
    SCHEMA_VERSION,
    SUMMARY_DIMENSIONS,
    SUMMARY_FIELDS,
)

MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"


def _property(kind: str, description: str, values) -> dict:
    types = {
        "string": {"type": "string"},
        "string|null": {"type": ["string", "null"]},
        "integer": {"type": "integer", "minimum": 0},
        "integer|null": {"type": ["integer", "null"], "minimum": 0},
        "number": {"type": "number", "minimum": 0},
        "string (date)": {"type": "string", "format": "date"},
        "array of strings": {"type": "array", "items": {"type": "string"}},
    }
    schema = {**types[kind], "description": description}
    if values and kind in ("string", "string|null"):
        schema["enum"] = [*values, None] if kind == "string|null" else list(values)
    if values and kind == "array of strings":
        schema["items"] = {"type": "string", "enum": list(values)}
    return schema


def _parameters(*extra: dict) -> list[dict]:
    return [
        {
            "name": "from",
            "in": "query",
            "required": False,
            "description": "First month (YYYY-MM, 1900-01 or later), in "
            "each courthouse's local time. Default: eleven months before `to`.",
            "schema": {"type": "string", "pattern": MONTH_PATTERN},
        },
        {
            "name": "to",
            "in": "query",
            "required": False,
            "description": "Last month (YYYY-MM), included. Default: the current month.",
            "schema": {"type": "string", "pattern": MONTH_PATTERN},
        },
        *extra,
    ]


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json_and_csv(schema: str, description: str) -> dict:
    return {
        "description": description,
        "headers": {"ETag": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _csv(description: str) -> dict:
    return {"description": description, "content": {"text/csv": {"schema": {"type": "string"}}}}


def openapi_document(server_url: str) -> dict:
    by = {
        "name": "by",
        "in": "query",
        "required": False,
        "description": "The table: one row per value of this dimension. Default: month.",
        "schema": {"type": "string", "enum": SUMMARY_DIMENSIONS},
    }
    paging = [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "Rows per page (default 1000).",
            "schema": {"type": "integer", "minimum": 1, "maximum": 5000},
        },
        {
            "name": "after",
            "in": "query",
            "required": False,
            "description": "The `next` cursor of the previous page.",
            "schema": {"type": "string", "maxLength": 200},
        },
    ]
    not_published = _error("The campaign does not publish open data, or not this table.")
    summary_responses = {
        "304": {"description": "Not modified (If-None-Match matched the ETag)."},
        "400": _error("A parameter is not valid; `error.field` names it."),
        "404": not_published,
        "429": {"description": "Too many requests; try again in a minute."},
    }
    partner_responses = {
        "304": {"description": "Not modified."},
        "400": _error("A parameter is not valid; `error.field` names it."),
        "401": _error("No valid token with the `incidents` scope."),
        "429": {"description": "Too many requests for this token."},
    }
    summary_row = {name: _property(kind, text, values) for name, kind, text, values in SUMMARY_FIELDS}
    incident_row = {name: _property(kind, text, values) for name, kind, text, values in INCIDENT_FIELDS}
    incident_row["agent_count_band"]["enum"] = AGENT_COUNT_BANDS
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Courtwatch open data",
            "version": SCHEMA_VERSION,
            "description": "Verified courthouse immigration-enforcement incidents, aggregated and with small "
            "counts suppressed, with the watch coverage behind them. Counts are confirmed "
            "incidents only. A count of 1 up to the threshold is withheld (null, and named in "
            "`suppressed`), and so are further cells where totals would give it away. "
            "Suppression is decided per month: a figure for several months is shown only when "
            "every month in it is shown, so no two periods can be subtracted to reveal one. "
            "Never published: free text, photos, reporters, courtrooms, times finer than a "
            "day. Field definitions: /api/v1/dictionary.json.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/incidents/summary": {
                "get": {
                    "operationId": "incidentSummary",
                    "summary": "Confirmed incidents and coverage, as one table",
                    "parameters": _parameters(by),
                    "security": [],
                    "responses": {"200": _json_and_csv("Summary", "The table."), **summary_responses},
                }
            },
            "/api/v1/incidents/summary.csv": {
                "get": {
                    "operationId": "incidentSummaryCsv",
                    "summary": "The same table as CSV",
                    "parameters": _parameters(by),
                    "security": [],
                    "responses": {"200": _csv("The table as CSV (UTF-8 with a BOM)."), **summary_responses},
                }
            },
            "/api/v1/incidents": {
                "get": {
                    "operationId": "partnerIncidents",
                    "summary": "De-identified incident rows (partner token)",
                    "parameters": _parameters(*paging),
                    "security": [{"partnerToken": []}],
                    "responses": {
                        "200": _json_and_csv("IncidentPage", "One page of rows, oldest first."),
                        **partner_responses,
                    },
                }
            },
            "/api/v1/incidents.csv": {
                "get": {
                    "operationId": "partnerIncidentsCsv",
                    "summary": "One page of incident rows as CSV (partner token)",
                    "parameters": _parameters(*paging),
                    "security": [{"partnerToken": []}],
                    "responses": {
                        "200": _csv("The rows as CSV; the next page's link is in the Link header."),
                        **partner_responses,
                    },
                }
            },
            "/api/v1/dictionary.json": {
                "get": {
                    "operationId": "dataDictionary",
                    "summary": "The data dictionary",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Every published field.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "partnerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token an admin issued to your organisation.",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "message"],
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                                "field": {"type": "string"},
                            },
                        }
                    },
                },
                "SummaryRow": {
                    "type": "object",
                    "required": ["key", "label", "incidents", "suppressed"],
                    "additionalProperties": False,
                    "properties": summary_row,
                },
                "Summary": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["schema_version", "from", "to", "by", "threshold", "rows", "totals"],
                    "properties": {
                        "schema_version": {"type": "string"},
                        "from": {"type": "string"},
                        "to": {"type": "string"},
                        "by": {"type": "string", "enum": SUMMARY_DIMENSIONS},
                        "threshold": {"type": "integer", "minimum": 2},
                        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/SummaryRow"}},
                        "totals": {"$ref": "#/components/schemas/SummaryRow"},
                    },
                },
                "IncidentRow": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(incident_row),
                    "properties": incident_row,
                },
                "IncidentPage": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["schema_version", "from", "to", "rows", "next"],
                    "properties": {
                        "schema_version": {"type": "string"},
                        "from": {"type": "string"},
                        "to": {"type": "string"},
                        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/IncidentRow"}},
                        "next": {"type": ["string", "null"]},
                    },
                },
            },
        },
    }
