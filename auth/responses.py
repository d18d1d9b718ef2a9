"""The request layer's own answers: short JSON errors, never the page shell or a traceback.

One place for the error body (``{"error": {"field", "message"}}``), the 404 for data paths,
the 413 for an oversized body and the 503 when the audit log cannot be written, shared by the
sign-in gate (:mod:`auth.web`), the login routes and the handlers for what Dash chokes on.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

AUDIT_FAILED_MESSAGE = (
    "The audit log could not be written, so this request was refused: every look at the data "
    "must be recorded. Please tell the system administrator."
)


def error(status: int, field: str, message: str) -> Response:
    """A JSON error answer naming the field at fault."""
    resp = jsonify({"error": {"field": field, "message": message}})
    resp.status_code = status
    return resp


def not_found(path: str) -> Response:
    """A data path no route matched: JSON 404 (the API's lists where its paths are)."""
    if path.startswith("/api/"):
        resp = jsonify(
            {
                "error": {
                    "field": "path",
                    "message": "no such API path",
                    "allowed": ["/api/v1/views/<view>", "/api/v1/meta"],
                }
            }
        )
        resp.status_code = 404
        return resp
    return error(404, "path", "no such path")


def body_size(response: Response) -> int | None:
    """The size of a response held in memory (None for files and streams)."""
    if response.is_streamed or response.direct_passthrough:
        return None
    return response.calculate_content_length()


def body_too_large(limit: int) -> Response:
    """413 saying how large a body the path accepts."""
    size = f"{limit / 2**20:.1f} MB" if limit >= 2**20 else f"{limit // 1024} KB"
    return error(413, "body", f"the request body is larger than the {size} this path accepts")


def install_http_errors(server: Flask) -> None:
    """Clear answers, never a 500 with a traceback, for requests Dash itself chokes on."""
    from dash.exceptions import DependencyException
    from werkzeug.exceptions import RequestEntityTooLarge

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: Exception) -> Response:
        return body_too_large(request.max_content_length or 0)

    @server.errorhandler(DependencyException)
    def unknown_component_suite(_exc: Exception) -> Response:
        # /_dash-component-suites/<unknown package or file>: Dash raises; it is just a 404.
        return Response("Not found\n", status=404, mimetype="text/plain")
