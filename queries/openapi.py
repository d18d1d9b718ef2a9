"""The OpenAPI 3.1 description of /api/v1: every view and every filter parameter."""

from __future__ import annotations

from typing import Any

from queries.catalogue import LEVELS, PERIOD_KINDS
from queries.filters import DIMENSIONS, MAX_TOP_N, VIEW_MEASURES
from queries.reference import Reference
from queries.views import VIEWS

PARAMETER_DOCS: dict[str, tuple[str, dict[str, Any]]] = {
    "period_kind": ("Period kind (default year).", {"type": "string", "enum": list(PERIOD_KINDS)}),
    "from": ("First period label, e.g. 2009, 2012/13, 2012-Q1.", {"type": "string"}),
    "to": (
        "Last period label. Views of one cell per area or element need from = to or a preset "
        "range (GET /api/v1/catalogue lists them); views over periods show each one.",
        {"type": "string"},
    ),
    "level": ("Geography level (default ward).", {"type": "string", "enum": list(LEVELS)}),
    "region_set": ("At level=region: one of the council's region sets.", {"type": "string"}),
    "areas": ("One area code at `level`.", {"type": "string"}),
    "within": (
        "A ward code or district: restricts sector / H3 results to those inside it.",
        {"type": "string"},
    ),
    "regions": (
        "Refused: free-form regions are not published (use level=region and region_set).",
        {"type": "string"},
    ),
    "age_bands": ("One age band.", {"type": "string"}),
    "elements": (
        "One element code (the what filter: one of elements, services, themes, "
        "provision, or themes with provision).",
        {"type": "string"},
    ),
    "services": ("One service code.", {"type": "string"}),
    "themes": (
        "One MIA theme (with provision: the theme's part of that type). mia_saving needs one "
        "(and period_kind=fy); mia_targets gives every theme without it; the enablement views "
        "take MIA17 only.",
        {"type": "string"},
    ),
    "provision": ("One provision type.", {"type": "string"}),
    "client_groups": ("One client group.", {"type": "string"}),
    "genders": ("One gender (level city, region or district only).", {"type": "string"}),
    "ethnic_groups": (
        "One ethnic group (level city, region or district only).",
        {"type": "string"},
    ),
    "measure": ("Measure (default people).", {"type": "string", "enum": list(VIEW_MEASURES)}),
    "top_n": ("Elements view: how many.", {"type": "integer", "minimum": 1, "maximum": MAX_TOP_N}),
    "element": ("quarterly_users: the element code.", {"type": "string"}),
    "element_a": ("element_compare: the first element code.", {"type": "string"}),
    "element_b": ("element_compare: the second element code.", {"type": "string"}),
    "dimension": (
        "demographics: age_band, or gender / ethnic_group at level city, district or region "
        "(area_profiles shows age_band and ethnic_group together).",
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
    paths["/api/v1/catalogue"] = {
        "get": {
            "summary": "The publication catalogue: for each measure, the levels, periods and "
            "breakdowns where it exists, and every dimension's members.",
            "responses": {"200": {"description": "JSON"}},
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
            "description": "Protected social care statistics by place: every value is a cell "
            "of a fixed catalogue protected at build time (true counts under 10 suppressed, and "
            "a share of those just over, "
            "others with cell key noise, multiples of 5; each result's meta.rule says how). "
            "One value per dimension. Status shorthand: [c] suppressed, [u] low reliability, "
            "[z] not applicable, [x] not available.",
        },
        "paths": paths,
    }
