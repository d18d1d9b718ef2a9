"""Fuzz the dashboard's Dash callbacks over loopback: crafted posts must never get a 5xx.

Starts ``care-atlas serve --demo`` on a free 127.0.0.1 port over --db (a synthetic database
built with the demo key; by default the 20,000-row test database, built on first use), reads
``/_dash-layout`` and ``/_dash-dependencies``, renders every page through the router callback
to learn the pattern-matched ids on the pages, then posts crafted bodies to
``/_dash-update-component`` for every callback: wrong types (int, list, dict, None, huge
strings, nested junk) for each input and state, unknown component ids, properties and views,
missing fields, malformed JSON, oversized values and hostile strings. Bounded: a fixed seed,
--posts posts (default 1,200), --time-limit seconds, loopback only.

Counts the answers by status, prints every 5xx with the callback and the body that caused it,
checks the server log holds no traceback, and exits 1 on any 5xx or traceback.

    python -m bench.bench_callback_fuzz --posts 1200 --seed 19
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

UPDATE = "/_dash-update-component"
JSON = "application/json"

#: One post: (callback label, mutation kind, body bytes, content type).
Post = tuple[str, str, bytes, str]
#: How a post is sent: (path, body, content type) -> (status, response text).
Sender = Callable[[str, bytes, str], tuple[int, str]]

HOSTILE_STRINGS: tuple[str, ...] = (
    '<a href="https://evil.example/login">Your session has expired, sign in again</a>',
    "javascript:alert(document.cookie)",
    '=HYPERLINK("https://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1:A9)",
    "\tleading tab",
    "<script>alert(1)</script>",
    "?period_kind=<a href='https://evil.example'>expired</a>&level=ward",
    "?level=ward&within=<img src=x onerror=alert(1)>",
    "?areas=E05011118,E05011119&from=2019&to=2015",
    "?top_n=-1&measure=__proto__&element_a=%00",
    "#meeting=1&slide=<b>x</b>",
    "%%%%%",
    "\x00\x01\x02",
    "\ud800",
    "../../etc/passwd",
    "' OR 1=1 --",
    '{"points": [{"location": "E05011118"}]}',
    "nope",
    "",
)


def _deep(depth: int) -> object:
    value: object = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def junk_values(rng: random.Random) -> list[object]:
    """Values of every wrong type a crafted post can carry."""
    return [
        None,
        True,
        0,
        -1,
        7,
        2**70,
        -(2**63),
        1.5,
        1e308,
        "",
        "x" * rng.choice((1_000, 100_000)),
        [],
        [1, "a", None],
        ["?level=ward"],
        {},
        {"points": None},
        {"points": [{"location": ["E05011118"], "y": {"x": 1}}]},
        {"points": [None]},
        {"points": "x"},
        {"__proto__": {"x": 1}, "view": ["MATCH"]},
        _deep(40),
        rng.choice(HOSTILE_STRINGS),
        rng.choice(HOSTILE_STRINGS),
    ]


#: Plausible values per property (a post built from these is what the browser would send).
PLAUSIBLE: dict[str, list[object]] = {
    "search": ["", "?period_kind=year", "?level=sector&within=B12", "?period_kind=fy&from=2021"],
    "hash": ["", "#meeting=1", "#highlight=unusual", "#meeting=1&slide=map"],
    "pathname": ["/", "/directors", "/commissioners", "/budget", "/nope"],
    "n_clicks": [0, 1, 2, 3],
    "clickData": [None, {"points": [{"location": "E05011118", "y": "B12 Sparkbrook"}]}],
    "value": [None, "all", "year", "ward"],
    "data": [None, "ward|", True, False],
    "options": [[], [{"label": "Year", "value": "year"}]],
    "figure": [None, {}, {"data": [], "layout": {"meta": {}}}],
}


def _stringify_id(component_id: object) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def _parse_id(text: str) -> object:
    return json.loads(text) if text.startswith("{") else text


def split_outputs(output: str) -> list[tuple[str, str]]:
    """A callback's output string -> [(id text, property)] (``..a.p...b.q..`` for several)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    out = []
    for part in parts:
        id_text, _, prop = part.rpartition(".")
        out.append((id_text, prop.split("@")[0]))
    return out


@dataclass
class Callback:
    """One server-side callback from /_dash-dependencies."""

    output: str
    outputs: list[tuple[str, str]]
    inputs: list[tuple[str, str]]
    state: list[tuple[str, str]]
    #: Values for a MATCH wildcard seen on the pages (the card names).
    match_values: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        first = self.outputs[0]
        more = f" (+{len(self.outputs) - 1})" if len(self.outputs) > 1 else ""
        return f"{first[0]}.{first[1]}{more}"

    @property
    def pattern(self) -> bool:
        return '["MATCH"]' in self.output


def callbacks_from(dependencies: list[dict]) -> list[Callback]:
    found = []
    for dep in dependencies:
        if dep.get("clientside_function"):
            continue
        found.append(
            Callback(
                output=dep["output"],
                outputs=split_outputs(dep["output"]),
                inputs=[(_stringify_id(i["id"]), i["property"]) for i in dep["inputs"]],
                state=[(_stringify_id(s["id"]), s["property"]) for s in dep["state"]],
            )
        )
    return found


def collect_ids(tree: object, into: set[str]) -> None:
    """Every component id (stringified) in a layout tree as Dash serialises it."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and "id" in props:
            into.add(_stringify_id(props["id"]))
        for value in tree.values():
            collect_ids(value, into)
    elif isinstance(tree, list):
        for value in tree:
            collect_ids(value, into)


def attach_match_values(callbacks: list[Callback], page_ids: set[str]) -> None:
    """For each pattern callback, the wildcard values the pages really hold (e.g. card views)."""
    for cb in callbacks:
        if not cb.pattern:
            continue
        pattern = json.loads(cb.inputs[0][0])
        values = set()
        for text in page_ids:
            if not text.startswith("{"):
                continue
            candidate = json.loads(text)
            if set(candidate) != set(pattern):
                continue
            if all(v == ["MATCH"] or candidate.get(k) == v for k, v in pattern.items()):
                values.update(str(candidate[k]) for k, v in pattern.items() if v == ["MATCH"])
        cb.match_values = sorted(values)


class Fuzzer:
    """Deterministic crafted posts for a set of callbacks (a fixed seed gives the same posts)."""

    KINDS: tuple[str, ...] = (
        "plausible",
        "wrong_type",
        "wrong_type",
        "all_junk",
        "hostile",
        "unknown_view",
        "unknown_view",
        "mismatched_view",
        "unknown_id",
        "unknown_property",
        "missing_field",
        "missing_field",
        "wrong_shape",
        "wrong_shape",
        "changed_junk",
        "unknown_output",
        "malformed_json",
        "malformed_json",
        "oversized",
        "deep_json",
    )

    def __init__(self, callbacks: list[Callback], seed: int = 19) -> None:
        self.callbacks = callbacks
        self.rng = random.Random(seed)

    # --- building blocks --------------------------------------------------------------

    def _plausible(self, prop: str) -> object:
        return copy.deepcopy(self.rng.choice(PLAUSIBLE.get(prop, [None, "", 1])))

    def _junk(self) -> object:
        return self.rng.choice(junk_values(self.rng))

    def _concrete(self, id_text: str, match: object) -> object:
        component = _parse_id(id_text)
        if isinstance(component, dict):
            return {k: (match if v == ["MATCH"] else v) for k, v in component.items()}
        return component

    def _body(self, cb: Callback, match: object = None, out_match: object = None) -> dict:
        """The body the browser would send for ``cb`` (a pattern callback at ``match``)."""
        if cb.pattern and match is None:
            match = self.rng.choice(cb.match_values or ["matrix"])
        out_match = match if out_match is None else out_match
        outputs = [{"id": self._concrete(i, out_match), "property": p} for i, p in cb.outputs]
        inputs = [
            {"id": self._concrete(i, match), "property": p, "value": self._plausible(p)}
            for i, p in cb.inputs
        ]
        state = [
            {"id": self._concrete(i, match), "property": p, "value": self._plausible(p)}
            for i, p in cb.state
        ]
        trigger = self.rng.choice(inputs)
        return {
            "output": cb.output,
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": inputs,
            "state": state,
            "changedPropIds": [f"{_stringify_id(trigger['id'])}.{trigger['property']}"],
        }

    def _entries(self, body: dict) -> list[dict]:
        return [*body["inputs"], *body["state"]]

    # --- one crafted post -------------------------------------------------------------

    def post(self) -> Post:
        cb = self.rng.choice(self.callbacks)
        kind = self.rng.choice(self.KINDS)
        rng = self.rng
        if kind == "malformed_json":
            raw = rng.choice(
                [
                    b"",
                    b"{",
                    b"not json",
                    b'{"output": ',
                    b"[]",
                    b"null",
                    b"42",
                    b'"a string"',
                    b"\xff\xfe\x00",
                    b'{"output": NaN, "inputs": Infinity}',
                    json.dumps(self._body(cb)).encode()[:-7],
                ]
            )
            content_type = rng.choice([JSON, "text/plain", "application/x-www-form-urlencoded"])
            return cb.label, kind, raw, content_type
        if kind == "deep_json":
            depth = rng.choice((5_000, 50_000))
            raw = ("[" * depth + "]" * depth).encode()
            if rng.random() < 0.5:
                body = self._body(cb)
                body["inputs"][0]["value"] = "__DEEP__"
                raw = json.dumps(body).encode().replace(b'"__DEEP__"', raw)
            return cb.label, kind, raw, JSON
        if kind == "unknown_view" and cb.pattern:
            body = self._body(
                cb, match=rng.choice(["nope", "", 7, None, ["x"], {"a": 1}, "__init__"])
            )
        elif kind == "mismatched_view" and cb.pattern and len(cb.match_values) > 1:
            a, b = rng.sample(cb.match_values, 2)
            body = self._body(cb, match=a, out_match=b)
        else:
            body = self._body(cb)
        entries = self._entries(body)
        if kind == "plausible":
            pass
        elif kind in ("wrong_type", "unknown_view", "mismatched_view"):
            rng.choice(entries)["value"] = self._junk()
        elif kind == "all_junk":
            for entry in entries:
                entry["value"] = self._junk()
        elif kind == "hostile":
            for entry in entries:
                if rng.random() < 0.7:
                    entry["value"] = rng.choice(HOSTILE_STRINGS)
        elif kind == "unknown_id":
            entry = rng.choice(entries)
            entry["id"] = rng.choice(["nope", {"type": "nope", "view": "x"}, 5, None, ["x"]])
        elif kind == "unknown_property":
            rng.choice(entries)["property"] = rng.choice(["nope", "", None, 3, "__class__"])
        elif kind == "missing_field":
            target = rng.choice(["output", "outputs", "inputs", "state", "changedPropIds", "entry"])
            if target == "entry":
                entry = rng.choice(entries)
                entry.pop(rng.choice(["id", "property", "value"]))
            elif target == "inputs" and rng.random() < 0.5 and body["inputs"]:
                body["inputs"].pop()
            else:
                body.pop(target)
        elif kind == "wrong_shape":
            target = rng.choice(["output", "outputs", "inputs", "state", "changedPropIds"])
            body[target] = rng.choice(
                [None, 3, "x", {}, [None], [3], [[1]], {"id": "url"}, [{"id": {"x": 1}}]]
            )
        elif kind == "changed_junk":
            body["changedPropIds"] = rng.choice(
                [
                    ["nope.value"],
                    ['{"type":"csv","view":"nope"}.n_clicks'],
                    ['{"type":"csv","view":7}.n_clicks'],
                    ["url.search", "url.search", "url.hash"],
                    [7],
                    [None],
                    ["{broken.n_clicks"],
                ]
            )
        elif kind == "unknown_output":
            body["output"] = rng.choice(
                [
                    "nope.children",
                    "..nope.children...other.value..",
                    '{"type":"download","view":"matrix"}.data',
                    cb.output + ".x",
                    "",
                ]
            )
        elif kind == "oversized":
            entry = rng.choice(entries)
            entry["value"] = rng.choice(
                [
                    "?level=" + "w" * 1_500_000,
                    list(range(50_000)),
                    {str(i): i for i in range(20_000)},
                ]
            )
        return cb.label, kind, json.dumps(body).encode(), JSON

    def posts(self, count: int) -> Iterator[Post]:
        for _ in range(count):
            yield self.post()


def discover(send: Callable[[str], object], update: Sender) -> list[Callback]:
    """The app's callbacks, with the pattern ids its pages really hold.

    ``send(path)`` GETs a JSON document; ``update`` posts a callback body (to render each page
    through the router, as the browser does)."""
    layout = send("/_dash-layout")
    callbacks = callbacks_from(send("/_dash-dependencies"))  # type: ignore[arg-type]
    page_ids: set[str] = set()
    collect_ids(layout, page_ids)
    paths = {"/"}
    for text in json.dumps(layout).split('"href": "')[1:]:
        href = text.split('"', 1)[0]
        if href.startswith("/") and not href.startswith("//"):
            paths.add(href)
    router = next((cb for cb in callbacks if cb.inputs and cb.inputs[0][1] == "pathname"), None)
    if router is not None:
        for path in sorted(paths):
            out_id, out_prop = router.outputs[0]
            body = {
                "output": router.output,
                "outputs": {"id": out_id, "property": out_prop},
                "inputs": [{"id": router.inputs[0][0], "property": "pathname", "value": path}],
                "state": [],
                "changedPropIds": [f"{router.inputs[0][0]}.pathname"],
            }
            status, text = update(UPDATE, json.dumps(body).encode(), JSON)
            if status == 200:
                collect_ids(json.loads(text), page_ids)
    attach_match_values(callbacks, page_ids)
    return callbacks


@dataclass
class Report:
    statuses: collections.Counter = field(default_factory=collections.Counter)
    by_kind: dict[str, collections.Counter] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)
    posts: int = 0
    seconds: float = 0.0

    def add(self, post: Post, status: int, text: str) -> None:
        label, kind, raw, content_type = post
        self.posts += 1
        self.statuses[status] += 1
        self.by_kind.setdefault(kind, collections.Counter())[status] += 1
        if status >= 500:
            self.failures.append(
                {
                    "callback": label,
                    "kind": kind,
                    "status": status,
                    "content_type": content_type,
                    "body": raw[:600].decode("utf-8", "replace"),
                    "answer": text[:300],
                }
            )

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def run_posts(fuzzer: Fuzzer, count: int, send: Sender, time_limit: float) -> Report:
    report = Report()
    started = time.monotonic()
    for post in fuzzer.posts(count):
        if time.monotonic() - started > time_limit:
            break
        status, text = send(UPDATE, post[2], post[3])
        report.add(post, status, text)
    report.seconds = time.monotonic() - started
    return report


# --- loopback server ---------------------------------------------------------------------


def _default_db() -> Path:
    """The 20,000-row synthetic test database (demo key), built on first use."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.fixtures.extract import cached_extract
    from tests.fixtures.serving import cached_serving_db

    return cached_serving_db(cached_extract(20_000, 7, mess=True))


def _http_sender(base: str) -> tuple[Callable[[str], object], Sender]:
    import requests

    session = requests.Session()

    def get_json(path: str) -> object:
        answer = session.get(base + path, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def post(path: str, data: bytes, content_type: str) -> tuple[int, str]:
        answer = session.post(
            base + path, data=data, headers={"Content-Type": content_type}, timeout=120
        )
        return answer.status_code, answer.text

    return get_json, post


def main(argv: list[str] | None = None) -> int:
    from bench.bench_dashboard import _free_port, _start_server
    from bench.server_ready import wait_until_idle

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="synthetic serving database (demo key)")
    parser.add_argument("--posts", type=int, default=1_200)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds of posting")
    parser.add_argument("--json", type=Path, help="write the report here as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.posts <= 100_000:
        parser.error("--posts must be 1..100000")
    db = (args.db or _default_db()).resolve()
    port = _free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="care-atlas-fuzz-"))
    server = _start_server(db, port, var_dir)  # binds 127.0.0.1 only
    log_path = var_dir / "server.log"
    try:
        wait_until_idle(server.pid)
        get_json, post = _http_sender(f"http://127.0.0.1:{port}")
        callbacks = discover(get_json, post)
        report = run_posts(Fuzzer(callbacks, args.seed), args.posts, post, args.time_limit)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log_text = log_path.read_text(errors="replace")
    tracebacks = log_text.count("Traceback (most recent call last)")
    summary = {
        "db": str(db),
        "seed": args.seed,
        "callbacks": len(callbacks),
        "posts": report.posts,
        "seconds": round(report.seconds, 1),
        "statuses": {str(k): v for k, v in sorted(report.statuses.items())},
        "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(report.by_kind.items())},
        "server_errors": report.server_errors,
        "tracebacks_in_log": tracebacks,
        "failures": report.failures[:50],
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, indent=1))
    seen: set[tuple[str, str]] = set()
    for failure in report.failures:
        key = (failure["callback"], failure["kind"])
        if key in seen:
            continue
        seen.add(key)
        print(f"5xx {failure['status']} {failure['callback']} [{failure['kind']}]")
        print(f"    body: {failure['body'][:300]}")
    if tracebacks:
        print(f"server log {log_path} holds {tracebacks} traceback(s):")
        print(log_text[log_text.find("Traceback") :][:3000])
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    if report.posts < args.posts:
        print(f"stopped at the time limit after {report.posts} posts")
    return 1 if report.server_errors or tracebacks else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
