"""Crafted Dash callback posts get a clear 4xx (or no update), never a 500 or a traceback.

A small, fixed-seed slice of bench/bench_callback_fuzz.py through Flask's test client, plus
the posts issue 19 named. The full fuzz (1,200 posts over loopback) is the benchmark.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bench.bench_callback_fuzz import run_posts
from bench.dash_wire import UPDATE
from bench.fuzz_discovery import discover
from bench.fuzz_posts import Fuzzer
from dashboard.app import create_app

POSTS = 100
SEED = 19


@pytest.fixture(scope="module")
def app(small_serving_db: Path):  # noqa: ANN201
    return create_app(small_serving_db, demo=True)


@pytest.fixture(scope="module")
def client(app):  # noqa: ANN001, ANN201
    return app.server.test_client()


def _post(client, data: bytes, content_type: str = "application/json") -> tuple[int, str]:  # noqa: ANN001
    answer = client.post(UPDATE, data=data, content_type=content_type)
    return answer.status_code, answer.get_data(as_text=True)


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_fuzzed_callback_posts_never_get_a_server_error(
    client, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    callbacks = discover(
        lambda path: client.get(path).get_json(), lambda p, d, t: _post(client, d, t)
    )
    assert len(callbacks) > 30 and any(cb.match_values for cb in callbacks)
    caplog.set_level(logging.INFO)
    report = run_posts(Fuzzer(callbacks, SEED), POSTS, lambda p, d, t: _post(client, d, t), 120)
    assert report.posts == POSTS
    assert report.server_errors == 0, report.failures[:3]
    assert report.statuses[200] > 10  # plausible posts still draw their views
    assert not _tracebacks(caplog), _tracebacks(caplog)[:3]


def _body(output: str, outputs: object, inputs: list, state: list, changed: list) -> bytes:
    return json.dumps(
        {
            "output": output,
            "outputs": outputs,
            "inputs": inputs,
            "state": state,
            "changedPropIds": changed,
        }
    ).encode()


DOWNLOAD = '{"type":"download","view":["MATCH"]}.data'
TABLE = '..{"type":"table","view":["MATCH"]}.children...{"type":"table-toggle","view":["MATCH"]}.children..'


def _download(view: object, search: object = "", clicks: object = 1) -> bytes:
    csv = {"type": "csv", "view": view}
    return _body(
        DOWNLOAD,
        {"id": {"type": "download", "view": view}, "property": "data"},
        [
            {"id": csv, "property": "n_clicks", "value": clicks},
            {"id": {"type": "xlsx", "view": view}, "property": "n_clicks", "value": 0},
        ],
        [{"id": "url", "property": "search", "value": search}],
        [json.dumps(csv, sort_keys=True, separators=(",", ":")) + ".n_clicks"],
    )


def _table(view: object, clicks: object = 1, search: object = "") -> bytes:
    toggle = {"type": "table-toggle", "view": view}
    shown_for = {"type": "table-search", "view": view}
    return _body(
        TABLE,
        [
            {"id": {"type": "table", "view": view}, "property": "children"},
            {"id": toggle, "property": "children"},
        ],
        [
            {"id": toggle, "property": "n_clicks", "value": clicks},
            {"id": shown_for, "property": "data", "value": search},
        ],
        [{"id": "url", "property": "search", "value": search}],
        [json.dumps(shown_for, sort_keys=True, separators=(",", ":")) + ".data"],
    )


def _place(search: object) -> bytes:
    folds = ("fold-matrix", "fold-elements", "fold-element_compare")
    return _body(
        "..place.children...drill-up.hidden...present-link.href..."
        + "...".join(f"{fold}.open" for fold in folds)
        + "..",
        [
            {"id": "place", "property": "children"},
            {"id": "drill-up", "property": "hidden"},
            {"id": "present-link", "property": "href"},
            *[{"id": fold, "property": "open"} for fold in folds],
        ],
        [
            {"id": "url", "property": "search", "value": search},
            {"id": "url", "property": "hash", "value": ""},
        ],
        [],
        ["url.search"],
    )


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("download of a view not on the page", _download("nope"), {400}),
        ("download with a non-text view", _download(7), {400}),
        ("table of a view not on the page", _table("nope"), {400}),
        ("table with a non-integer n_clicks", _table("matrix", clicks="1"), {204}),
        ("table with a list for n_clicks", _table("matrix", clicks=[1]), {204}),
        ("download with a non-string url.search", _download("matrix", search=["?x"]), {204}),
        ("place with a dict for url.search", _place({"a": 1}), {204}),
        ("place with a hostile url.search", _place("?areas=<a href='x'>y</a>"), {200}),
        ("unknown output", _body("nope.children", {}, [], [], []), {400}),
        ("JSON nested 50,000 deep", b"[" * 50_000 + b"]" * 50_000, {400}),
        ("not JSON", b"{", {400}),
    ],
)
def test_named_bad_posts_get_a_clear_answer(
    client, caplog: pytest.LogCaptureFixture, name: str, body: bytes, expected: set[int]
) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    status, text = _post(client, body)
    assert status in expected, (name, status, text[:300])
    assert "Traceback" not in text and not _tracebacks(caplog)
    if status == 400:
        assert json.loads(text)["error"]
    if status == 200:  # the hostile place is a text child (shown as text), never a component
        assert isinstance(json.loads(text)["response"]["place"]["children"], str)


def test_every_pages_banner_names_a_repeated_filter(client) -> None:  # noqa: ANN001
    """Each page's banner callback (the overview's and the other pages') says why a link with a
    filter given twice is not shown, rather than showing its last value."""
    callbacks = discover(
        lambda path: client.get(path).get_json(), lambda p, d, t: _post(client, d, t)
    )
    banners = [cb for cb in callbacks if any(i.endswith("state-message") for i, _p in cb.outputs)]
    assert len(banners) >= 4  # the overview, directors, commissioners, budget
    for cb in banners:
        outputs = [{"id": i, "property": prop} for i, prop in cb.outputs]
        inputs = [
            {"id": i, "property": prop, "value": "?elements=OAEHSGCO&elements=OAERSRES"}
            if prop == "search"
            else {"id": i, "property": prop, "value": None}
            for i, prop in cb.inputs
        ]
        state = [{"id": i, "property": prop, "value": []} for i, prop in cb.state]
        status, text = _post(
            client, _body(cb.output, outputs, inputs, state, [f"{cb.inputs[0][0]}.search"])
        )
        assert status == 200, (cb.output, text[:300])
        assert "elements: one element at a time (this link asks for 2)" in text, cb.output
