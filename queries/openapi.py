"""The OpenAPI 3.1 description of /api/v1: every view and every filter parameter."""

from __future__ import annotations

from typing import Any

from queries.database import Reference
from queries.filters import DIMENSIONS, LEVELS, MAX_TOP_N, MEASURES, PERIOD_KINDS
from queries.views import VIEWS

PARAMETER_DOCS: dict[str, tuple[str, dict[str, Any]]] = {
    "period_kind": ("Period kind (default year).", {"type": "string", "enum": list(PERIOD_KINDS)}),
    "from": ("First period label, e.g. 2009, 2012/13, 2012-Q1.", {"type": "string"}),
    "to": ("Last period label (not before `from`).", {"type": "string"}),
    "level": ("Geography level (default ward).", {"type": "string", "enum": list(LEVELS)}),
    "areas": ("Comma-separated area codes at `level`.", {"type": "string"}),
    "within": (
        "A ward code or district: restricts sector / H3 results to those inside it.",
        {"type": "string"},
    ),
    "regions": (
        "User-defined regions at level=region: Name:B16+B18;Other:B9+B10 (districts or ward "
        "codes).",
        {"type": "string"},
    ),
    "age_bands": ("Comma-separated age bands.", {"type": "string"}),
    "elements": ("Comma-separated element codes.", {"type": "string"}),
    "services": ("Comma-separated service codes.", {"type": "string"}),
    "themes": ("Comma-separated MIA themes.", {"type": "string"}),
    "provision": ("Comma-separated provision types.", {"type": "string"}),
    "client_groups": ("Comma-separated client groups.", {"type": "string"}),
    "genders": (
        "Comma-separated genders (level city, district or region only).",
        {"type": "string"},
    ),
    "ethnic_groups": (
        "Comma-separated ethnic groups (level city, district or region only).",
        {"type": "string"},
    ),
    "measure": ("Measure (default people).", {"type": "string", "enum": list(MEASURES)}),
    "top_n": ("Elements view: how many.", {"type": "integer", "minimum": 1, "maximum": MAX_TOP_N}),
    "element": ("quarterly_users: the element code.", {"type": "string"}),
    "element_a": ("element_compare: the first element code.", {"type": "string"}),
    "element_b": ("element_compare: the second element code.", {"type": "string"}),
    "dimension": (
        "demographics: age_band, or gender / ethnic_group at level city, district or region.",
        {"type": "string", "enum": list(DIMENSIONS)},
    ),
    "format": ("json (default) or csv.", {"type": "string", "enum": ["json", "csv"]}),
}
_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "field": {"type": "string"},
                "message": {"type": "string"},
                "allowed": {"type": "array", "items": {"type": "string"}},
            },
        }
    },
}


def openapi_spec(reference: Reference) -> dict[str, Any]:
    """The spec, with enums filled from the reference tables where they are short."""
    enums = {
        "age_bands": list(reference.age_bands),
        "themes": list(reference.themes),
        "provision": list(reference.provision_types),
        "genders": list(reference.genders),
        "ethnic_groups": list(reference.ethnic_groups),
        "client_groups": list(reference.client_groups),
    }
    params = []
    for name, (description, schema) in PARAMETER_DOCS.items():
        if name in enums:
            description += " Allowed: " + ", ".join(enums[name]) + "."
        params.append({"name": name, "in": "query", "description": description, "schema": schema})
    paths: dict[str, Any] = {}
    for view, func in VIEWS.items():
        paths[f"/api/v1/views/{view}"] = {
            "get": {
                "summary": (func.__doc__ or view).strip().splitlines()[0],
                "operationId": view,
                "parameters": params,
                "responses": {
                    "200": {
                        "description": "Protected table: columns (name, kind), rows, meta; "
                        "CSV with GSS shorthand status columns when format=csv.",
                    },
                    "400": {
                        "description": "A parameter is not allowed",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                },
            }
        }
    paths["/api/v1/meta"] = {
        "get": {
            "summary": "Build metadata and the allowed values of every filter.",
            "responses": {"200": {"description": "JSON"}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Care Atlas API",
            "version": "1",
            "description": "Protected social care statistics by place (cell key perturbation, "
            "counts under 10 suppressed, others multiples of 5; each result's meta.rule names the ptable). Status shorthand: [c] suppressed, [u] low reliability, "
            "[z] not applicable, [x] not available.",
        },
        "paths": paths,
    }
