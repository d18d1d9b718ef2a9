"""HTTP API: GET /api/v1/views/<view>, /api/v1/catalogue, /api/v1/openapi.json, /api/v1/meta.

Served by the dashboard's Flask server (register the blueprint). Every answer is protected
output of run_view; bad parameters give 400 naming the field, unknown views 404, and a
catch-all turns anything unexpected into a plain JSON 500-free error without a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from queries.catalogue import catalogue_json
from queries.database import Database
from queries.export import csv_text, file_name
from queries.filters import FilterError, Filters, parse_filters
from queries.openapi import openapi_spec
from queries.reference import Reference
from queries.result import ProtectedResult
from queries.views import VIEWS, UnknownView, run_view

log = logging.getLogger(__name__)
FORMATS = ("json", "csv")


#: The API's paths (below /api/v1), each answering GET only.
_READ_PATH = re.compile(r"views/[^/]+|catalogue|meta|openapi\.json")


def _error(status: int, field: str, message: str, allowed: list[str] | None = None) -> Response:
    body: dict[str, Any] = {"field": field, "message": message}
    if allowed is not None:
        body["allowed"] = allowed
    resp = jsonify({"error": body})
    resp.status_code = status
    return resp


def catalogue_members(ref: Reference) -> tuple[dict, dict]:
    """Every dimension's members in this database, and each period kind's members."""
    whats = ["all"]
    whats += [f"provision:{p}" for p in ref.provision_types]
    whats += [f"theme:{t}" for t in ref.themes]
    whats += [f"theme:{t}:{p}" for t in ref.themes for p in ref.provision_types]
    whats += [f"service:{s}" for s in ref.services]
    whats += [f"element:{e}" for e in ref.elements]
    members = {
        "what": whats,
        "age_band": list(ref.age_bands),
        "client_group": list(ref.client_groups),
        "gender": list(ref.genders),
        "ethnic_group": list(ref.ethnic_groups),
        "region_set": list(ref.region_sets),
    }
    periods = {kind: list(members) for kind, members in ref.period_members.items()}
    return members, periods


def create_api_blueprint(
    get_db: Callable[[], Database],
    *,
    run: Callable[[Database, str, Filters], ProtectedResult] = run_view,
) -> Blueprint:
    """The /api/v1 blueprint; `get_db` returns the open Database (called per request).

    `run` replaces run_view, e.g. by a wrapper that applies the caller's role and audits.
    """
    bp = Blueprint("care_atlas_api", __name__, url_prefix="/api/v1")

    @bp.get("/views/<view>")
    def view(view: str) -> Response:
        if view not in VIEWS:
            return _error(404, "view", f"unknown view {view[:80]!r}", list(VIEWS))
        args = request.args.to_dict(flat=False)
        fmt_values = args.pop("format", ["json"])
        fmt = fmt_values[-1] if fmt_values else "json"
        if fmt not in FORMATS:
            return _error(400, "format", f"{fmt[:40]!r} is not an allowed format", list(FORMATS))
        db = get_db()
        try:
            filters = parse_filters(
                {k: v if len(v) != 1 else v[0] for k, v in args.items()}, db.reference
            )
            result = run(db, view, filters)
        except FilterError as exc:
            return _error(400, exc.field, exc.message, exc.allowed)
        except UnknownView:
            return _error(404, "view", f"unknown view {view[:80]!r}", list(VIEWS))
        if fmt == "csv":
            # The same self-explaining file as the dashboard's download (queries.export).
            return Response(
                csv_text(result, view),
                mimetype="text/csv",
                headers={
                    "Content-Disposition": f'attachment; filename="{file_name(result, view, "csv")}"'
                },
            )
        return Response(result.to_json_text(), mimetype="application/json")

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(openapi_spec(get_db().reference))

    @bp.get("/catalogue")
    def catalogue() -> Response:
        return jsonify(catalogue_json(*catalogue_members(get_db().reference)))

    @bp.get("/meta")
    def meta() -> Response:
        db = get_db()
        return jsonify(
            {
                "build": {
                    k: db.meta.get(k)
                    for k in ("build_id", "built_at", "data_date", "synthetic", "code_version")
                },
                "reference": db.reference.to_json(),
                "views": list(VIEWS),
            }
        )

    @bp.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def not_found(_unknown: str = "") -> Response:
        if request.method != "GET" and _READ_PATH.fullmatch(_unknown):
            resp = _error(405, "method", f"{request.method} is not allowed: the API only reads")
            resp.headers["Allow"] = "GET"
            return resp
        return _error(
            404,
            "path",
            "no such API path",
            ["/api/v1/views/<view>", "/api/v1/catalogue", "/api/v1/meta", "/api/v1/openapi.json"],
        )

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # Never a stack trace to the client; the log keeps the detail for the operator.
        log.exception("API error on %s", request.path)
        return _error(400, "request", "the request could not be answered")

    return bp
