"""Crafted Dash callback posts: deterministic (a fixed seed gives the same posts).

Each post starts from the body the browser would send for one callback and breaks it one way
(a kind from ``Fuzzer.KINDS``): junk values, unknown ids or views, missing fields, wrong
shapes, malformed or deep JSON, oversized values.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator

from bench.dash_wire import JSON, parse_id, stringify_id
from bench.fuzz_discovery import Callback
from bench.fuzz_values import HOSTILE_STRINGS, PLAUSIBLE, junk_values

#: One post: (callback label, mutation kind, body bytes, content type).
Post = tuple[str, str, bytes, str]


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
        component = parse_id(id_text)
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
            "changedPropIds": [f"{stringify_id(trigger['id'])}.{trigger['property']}"],
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
