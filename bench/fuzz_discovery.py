"""Learn the app's callbacks for the fuzz: /_dash-dependencies plus the ids its pages hold.

Pattern-matched callbacks (one per card) are only worth fuzzing at the card names the pages
really render, so every page is rendered through the router callback, as the browser does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.dash_wire import JSON, UPDATE, output_parts, stringify_id

#: How a post is sent: (path, body, content type) -> (status, response text).
Sender = Callable[[str, bytes, str], tuple[int, str]]


def split_outputs(output: str) -> list[tuple[str, str]]:
    """A callback's output string -> [(id text, property)], any ``@`` suffix dropped."""
    return [(id_text, prop.split("@")[0]) for id_text, prop in output_parts(output)]


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
                inputs=[(stringify_id(i["id"]), i["property"]) for i in dep["inputs"]],
                state=[(stringify_id(s["id"]), s["property"]) for s in dep["state"]],
            )
        )
    return found


def collect_ids(tree: object, into: set[str]) -> None:
    """Every component id (stringified) in a layout tree as Dash serialises it."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and "id" in props:
            into.add(stringify_id(props["id"]))
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
