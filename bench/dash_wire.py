"""How the Dash renderer talks to the server, as the load and fuzz benchmarks replay it.

One reading of Dash's wire format (component ids as text, a callback's output string) so the
benchmarks build the same bodies a browser posts.
"""

from __future__ import annotations

import json

#: The path every Dash callback is posted to.
UPDATE = "/_dash-update-component"
JSON = "application/json"


def parse_id(text: str) -> object:
    """A component id as Dash writes it in an output string: a dict's JSON, or a plain name."""
    return json.loads(text) if text.startswith("{") else text


def stringify_id(component_id: object) -> str:
    """A component id as text, a dict's keys sorted (how pattern ids are compared)."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def prop_id(component_id: object, prop: str) -> str:
    """One entry of ``changedPropIds``: the component id as text, a dot, the property."""
    return f"{stringify_id(component_id)}.{prop}"


def output_parts(output: str) -> list[tuple[str, str]]:
    """A callback's output string -> [(id text, property)] (``..a.p...b.q..`` for several)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [(id_text, prop) for id_text, _, prop in (part.rpartition(".") for part in parts)]
