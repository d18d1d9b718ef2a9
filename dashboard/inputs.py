"""What a Dash callback post may carry, checked before and inside the callbacks.

A browser only ever sends the bodies its renderer builds, but anyone can post to
``/_dash-update-component``. Two layers keep a crafted post from ending in a 500:

* :func:`install_callback_guard` checks the envelope before Dash reads it: JSON of a sane
  depth, a callback that exists, and outputs, inputs and state that are exactly the ones that
  callback declares (a pattern-matched id must name a component some page really holds). A
  post that fails gets a 400 saying which field is wrong.
* the ``as_*`` helpers check each value inside the callbacks: a URL part must be text, a click
  count a small whole number, a control value text. A value that fails stops the update
  (:class:`dash.exceptions.PreventUpdate`), so the page keeps what it shows.

Neither ever echoes the posted value back into the page. Behind both, an exception nobody
foresaw is logged once and answered with a 400 without a traceback (a safety net only: the
callback fuzz, bench/bench_callback_fuzz.py, fails on any such log entry).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from dash.exceptions import PreventUpdate
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

UPDATE_PATH = "/_dash-update-component"
#: Longest URL query string or fragment a callback reads (browsers stop near 64 KiB).
MAX_URL_PART = 16_384
#: Deepest JSON a callback post may hold (the renderer's deepest body is a figure, ~10).
MAX_JSON_DEPTH = 64
MAX_CLICKS = 10**9
WILDCARD = ["MATCH"]


class BadPost(ValueError):
    """A callback post that does not fit the callback it names."""


# --- values inside the callbacks ---------------------------------------------------------


def refuse(what: str) -> PreventUpdate:
    """Stop this update: ``what`` (a field name, never the posted value) was not usable."""
    log.info("callback input refused: %s", what)
    return PreventUpdate(f"unusable {what}")


def as_url_part(value: object, what: str = "url") -> str:
    """A URL query string or fragment: text (None reads as empty), at most MAX_URL_PART."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_URL_PART or not _encodable(value):
        raise refuse(what)
    return value


def _encodable(text: str) -> bool:
    """False for a lone surrogate: JSON can carry one, a URL or a file cannot."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def as_clicks(value: object, what: str = "n_clicks") -> int:
    """A button's click count: a whole number 0..MAX_CLICKS (None reads as 0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CLICKS:
        raise refuse(what)
    return value


def as_text(value: object, *, limit: int = 512) -> str | None:
    """A single-select control's value: text, else None (the control shows blank)."""
    if isinstance(value, str) and len(value) <= limit and _encodable(value):
        return value
    return None


def as_choice(value: object, allowed: Any, default: str | None = None) -> str | None:
    """A value from a fixed set (``allowed``), else ``default``."""
    text = as_text(value)
    return text if text is not None and text in allowed else default


def match_value(outputs_list: object, key: str = "view") -> str:
    """The pattern-matched value (a card's view) of the first output, checked to be text."""
    first = outputs_list[0] if isinstance(outputs_list, list) and outputs_list else outputs_list
    component = first.get("id") if isinstance(first, dict) else None
    value = component.get(key) if isinstance(component, dict) else None
    if not isinstance(value, str):
        raise refuse(key)
    return value


def triggered_match(triggered_id: object, key: str = "view") -> tuple[str, str] | None:
    """(type, view) of a pattern-matched trigger, or None when the trigger is no such id."""
    if not isinstance(triggered_id, dict):
        return None
    kind, value = triggered_id.get("type"), triggered_id.get(key)
    if not isinstance(kind, str) or not isinstance(value, str):
        return None
    return kind, value


# --- the envelope, before Dash reads it ---------------------------------------------------


def _depth(value: object, limit: int) -> int:
    """Nesting depth of parsed JSON, stopping once past ``limit`` (no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _raw_depth(raw: bytes) -> int:
    """Bracket nesting of a JSON text, counted without parsing (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def read_post_json(raw: bytes) -> dict:
    """The post's JSON object, or BadPost: not JSON, too deep, or not an object."""
    if _raw_depth(raw) > MAX_JSON_DEPTH:
        raise BadPost(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadPost("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadPost("the body is not a JSON object")
    return body


def _id_key(component: object) -> str:
    if isinstance(component, dict):
        return json.dumps(component, sort_keys=True, separators=(",", ":"))
    return str(component)


def _declared_id(raw: object) -> object:
    if isinstance(raw, str) and raw.startswith("{"):
        return json.loads(raw)
    return raw


class CallbackSpecs:
    """The callbacks an app declares, and the component ids its pages hold."""

    def __init__(self, callback_list: list[dict], page_ids: set[str]) -> None:
        self.page_ids = page_ids
        self.specs: dict[str, dict] = {}
        for cb in callback_list:
            output = cb["output"]
            parts = output[2:-2].split("...") if output.startswith("..") else [output]
            outputs = []
            for part in parts:
                id_text, _, prop = part.rpartition(".")
                outputs.append((_declared_id(id_text), prop))
            self.specs[output] = {
                "outputs": outputs,
                "multi": output.startswith(".."),
                "inputs": [(_declared_id(d["id"]), d["property"]) for d in cb["inputs"]],
                "state": [(_declared_id(d["id"]), d["property"]) for d in cb["state"]],
            }

    def _check_id(self, declared: object, given: object, matched: dict, where: str) -> None:
        if not isinstance(declared, dict):
            if given != declared:
                raise BadPost(f"{where}: not the component this callback reads")
            return
        if not isinstance(given, dict) or set(given) != set(declared):
            raise BadPost(f"{where}: not the component this callback reads")
        for key, pattern in declared.items():
            value = given[key]
            if pattern == WILDCARD:
                if not isinstance(value, str):
                    raise BadPost(f"{where}: the {key} must be text")
                if matched.setdefault(key, value) != value:
                    raise BadPost(f"{where}: the {key} differs from the rest of the post")
            elif value != pattern:
                raise BadPost(f"{where}: not the component this callback reads")
        if _id_key(given) not in self.page_ids:
            raise BadPost(f"{where}: no page holds this component")

    def _check_entries(
        self, entries: object, declared: list, matched: dict, name: str, *, values: bool
    ) -> list[tuple[object, str]]:
        if not isinstance(entries, list) or len(entries) != len(declared):
            raise BadPost(f"{name}: expected a list of {len(declared)}")
        seen = []
        for index, (entry, (component, prop)) in enumerate(zip(entries, declared, strict=True)):
            where = f"{name}[{index}]"
            if not isinstance(entry, dict) or "id" not in entry or "property" not in entry:
                raise BadPost(f"{where}: expected an object with an id and a property")
            given = entry["property"]
            if not isinstance(given, str) or given != prop:
                raise BadPost(f"{where}: not the property this callback reads")
            if values and _depth(entry.get("value"), MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
                raise BadPost(f"{where}: the value nests too deep")
            self._check_id(component, entry["id"], matched, where)
            seen.append((entry["id"], prop))
        return seen

    def check(self, body: dict) -> None:
        """BadPost naming the first field of ``body`` that does not fit its callback."""
        output = body.get("output")
        spec = self.specs.get(output) if isinstance(output, str) else None
        if spec is None:
            raise BadPost("output: no such callback")
        matched: dict[str, str] = {}
        outputs = body.get("outputs")
        if not spec["multi"]:
            outputs = [outputs]
        self._check_entries(outputs, spec["outputs"], matched, "outputs", values=False)
        inputs = self._check_entries(
            body.get("inputs"), spec["inputs"], matched, "inputs", values=True
        )
        self._check_entries(body.get("state", []), spec["state"], matched, "state", values=True)
        changed = body.get("changedPropIds", [])
        if not isinstance(changed, list):
            raise BadPost("changedPropIds: expected a list")
        for item in changed:
            if not isinstance(item, str):
                raise BadPost("changedPropIds: expected text")
            id_text, _, prop = item.rpartition(".")
            try:
                component = json.loads(id_text) if id_text.startswith("{") else id_text
            except ValueError:
                raise BadPost("changedPropIds: not an input of this callback") from None
            if (component, prop) not in inputs:
                raise BadPost("changedPropIds: not an input of this callback")


def layout_ids(tree: Any, into: set[str] | None = None) -> set[str]:
    """Every component id in a layout (Dash components), as stringified ids."""
    into = set() if into is None else into
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
            continue
        component_id = getattr(item, "id", None)
        if component_id is not None:
            into.add(_id_key(component_id))
        children = getattr(item, "children", None)
        if children is not None:
            stack.append(children)
    return into


def install_callback_guard(app: Any) -> None:
    """Answer a callback post that does not fit its callback with a 400 before Dash reads it."""
    server: Flask = app.server
    specs: list[CallbackSpecs] = []

    def current() -> CallbackSpecs:
        if not specs:  # the callback list is complete once the app has been set up
            page_ids = layout_ids(app.validation_layout or app.layout)
            specs.append(CallbackSpecs(list(app._callback_list), page_ids))
        return specs[0]

    @server.before_request
    def guard_callback_post() -> Response | None:
        if request.method != "POST" or not request.path.endswith(UPDATE_PATH):
            return None
        body = None
        try:
            body = read_post_json(request.get_data(cache=True))
            current().check(body)
        except BadPost as exc:
            output = body.get("output") if isinstance(body, dict) else None
            log.info("callback post refused (%.200s): %s", output, exc)
            return _json_error(f"Bad callback request: {exc}.", 400)
        return None

    @server.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response | HTTPException | tuple[str, int]:
        """The safety net behind the checks above: an exception no check foresaw is logged once
        (with its traceback, for the maintainers) and answered without one. A callback post
        gets a 400 in JSON, as the renderer expects; any other request the plain 500. HTTP
        errors raised on purpose (a 404 for unknown geometry, a 413) keep their own answer."""
        if isinstance(exc, HTTPException):
            return exc
        log.exception("unexpected error on %s", request.path)
        if request.path.endswith(UPDATE_PATH):
            return _json_error("This view could not be updated. Please reload the page.", 400)
        return "Care Atlas hit an unexpected error. Please reload the page.", 500


def _json_error(message: str, status: int) -> Response:
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")
