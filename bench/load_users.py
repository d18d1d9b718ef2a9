"""Simulated users for the load test: what a person in a browser asks, and a hostile script.

A ``User`` opens the page, changes filters, drills into a ward and exports a table, posting
each screen's Dash callbacks exactly as the renderer does (built from the app's own
/_dash-dependencies); a ``HeavyThread`` repeats one large request with no pause; a ``Probe``
sends a small request every 0.2 s to show what the others cost everyone else.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from bench.dash_wire import UPDATE, output_parts, parse_id, prop_id
from bench.load_report import Stats
from dashboard import ids

REQUEST_TIMEOUT = 60
#: Outputs of the callbacks a URL change fires (URL sync, views, place line, period options).
VIEW_OUTPUT_MARKERS = (
    "..url.search",
    "-graph.figure",
    "place.children",
    "f-from.options",
    "page-root.className",
)
#: What changes when a page opens (the router's input) and when its filters change (the views').
SHELL_PATH = (ids.SHELL_URL, "pathname")
URL_SEARCH = (ids.URL, "search")
OK_STATUSES = (200, 204)
PROBE_PATH = "/api/v1/views/trend?level=district"


def _outputs(output: str) -> list[dict[str, Any]]:
    """'..a.b...c.d..' (several outputs) or 'a.b' (one) -> [{id, property}]."""
    return [{"id": parse_id(ident), "property": prop} for ident, prop in output_parts(output)]


def callback_payload(
    dep: dict[str, Any], values: dict[tuple[str, str], Any], changed: tuple[str, str]
) -> dict[str, Any]:
    """The body the Dash renderer posts for ``dep`` after its input ``changed`` (id, property)
    changed. The server refuses a changed property that is not one of the callback's inputs,
    so naming another one here is a bug in the bench, raised before anything is sent."""
    if not any((item["id"], item["property"]) == changed for item in dep["inputs"]):
        raise ValueError(f"{prop_id(*changed)} is not an input of {dep['output']}")
    outputs = _outputs(dep["output"])

    def fill(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**item, "value": values.get((json.dumps(item["id"]), item["property"]))}
            for item in items
        ]

    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": fill(dep["inputs"]),
        "state": fill(dep.get("state", [])),
        "changedPropIds": [prop_id(*changed)],
    }


def export_payload(view: str, search: str) -> dict[str, Any]:
    """A click on a view's CSV button."""
    return {
        "output": '{"type":"download","view":["MATCH"]}.data',
        "outputs": {"id": {"type": "download", "view": view}, "property": "data"},
        "inputs": [
            {"id": {"type": "csv", "view": view}, "property": "n_clicks", "value": 1},
            {"id": {"type": "xlsx", "view": view}, "property": "n_clicks", "value": None},
        ],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": [prop_id({"type": "csv", "view": view}, "n_clicks")],
    }


@dataclass
class Scenario:
    """What users choose from: the database's own periods, wards and filter values."""

    years: list[str]
    wards: list[str]
    age_bands: list[str]
    provision: list[str]
    view_deps: list[dict[str, Any]]
    route_dep: dict[str, Any]

    def random_filters(self, rng: random.Random) -> dict[str, str]:
        start = rng.randrange(0, max(1, len(self.years) - 1))
        end = rng.randrange(start, len(self.years))
        state = {
            "period_kind": "year",
            "from": self.years[start],
            "to": self.years[end],
            "level": rng.choice(["ward", "ward", "district"]),
            "measure": rng.choice(["people", "people", "cost", "agreements_active"]),
        }
        if rng.random() < 0.3 and self.age_bands:
            state["age_bands"] = rng.choice(self.age_bands)
        if rng.random() < 0.2 and self.provision:
            state["provision"] = rng.choice(self.provision)
        return state


class User(threading.Thread):
    def __init__(
        self, number: int, base: str, scenario: Scenario, stats: Stats, stop_at: float, think: float
    ) -> None:
        super().__init__(daemon=True, name=f"user-{number}")
        self.base = base
        self.scenario = scenario
        self.stats = stats
        self.stop_at = stop_at
        self.think = think
        self.rng = random.Random(number)
        self.session = requests.Session()
        self.session.headers["X-Remote-User"] = f"load-user-{number:03d}"

    def call(self, kind: str, method: str, path: str, body: dict | None = None) -> None:
        started = time.perf_counter()
        error = None
        try:
            response = self._send(kind, method, path, body)
            if response.status_code not in OK_STATUSES:
                error = f"HTTP {response.status_code} {path[:60]}: {response.text[:120]!r}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__} {path[:60]}: {str(exc)[:160]}"
        self.stats.request(kind, time.perf_counter() - started, error)

    def _send(self, kind: str, method: str, path: str, body: dict | None) -> requests.Response:
        """One request, sent once more if its connection fails before any answer, as browsers
        do: the server closes a kept-alive connection after its idle timeout, and a request
        sent on it at that moment is reset unread. Each resend is counted in the report."""
        try:
            return self._request(method, path, body)
        except requests.ConnectionError:
            with self.stats.lock:
                self.stats.resent[kind] += 1
            return self._request(method, path, body)

    def _request(self, method: str, path: str, body: dict | None) -> requests.Response:
        response = self.session.request(
            method, self.base + path, json=body, timeout=REQUEST_TIMEOUT
        )
        response.content  # noqa: B018 - read the whole answer
        return response

    def screen(self, step: str, state: dict[str, str]) -> None:
        """Every callback a URL change fires, as the renderer posts them."""
        search = "?" + urlencode(state, safe=",:;")
        values = {
            (json.dumps(URL_SEARCH[0]), URL_SEARCH[1]): search,
            (json.dumps("url"), "hash"): "",
            (json.dumps("f-period-kind"), "value"): state.get("period_kind", "year"),
        }
        started = time.perf_counter()
        for dep in self.scenario.view_deps:
            self.call("callback", "POST", UPDATE, callback_payload(dep, values, URL_SEARCH))
        self.stats.screen(step, time.perf_counter() - started)

    def open_page(self) -> None:
        """What a browser fetches to open the overview: index, layout, the router, the map."""
        started = time.perf_counter()
        self.call("page", "GET", "/")
        self.call("layout", "GET", "/_dash-layout")
        self.call("layout", "GET", "/_dash-dependencies")
        values = {(json.dumps(SHELL_PATH[0]), SHELL_PATH[1]): "/"}
        route = callback_payload(self.scenario.route_dep, values, SHELL_PATH)
        self.call("callback", "POST", UPDATE, route)
        self.call("geometry", "GET", "/geometry/ward.geojson")
        self.stats.screen("open page", time.perf_counter() - started)

    def pause(self) -> bool:
        time.sleep(self.rng.expovariate(1 / self.think) if self.think > 0 else 0)
        return time.monotonic() < self.stop_at

    def run(self) -> None:
        opened = False
        while time.monotonic() < self.stop_at:
            state = self.scenario.random_filters(self.rng)
            if not opened:
                self.open_page()
                self.screen("first views", state)
                opened = True
            elif self.pause():
                self.screen("change filters", state)
            if not self.pause():
                break
            ward = self.rng.choice(self.scenario.wards)
            drilled = {**state, "level": "sector", "within": ward}
            self.screen("drill", drilled)
            if not self.pause():
                break
            started = time.perf_counter()
            view = self.rng.choice(["matrix", "area_map", "trend"])
            search = "?" + urlencode(state, safe=",:;")
            self.call("export", "POST", UPDATE, export_payload(view, search))
            self.stats.screen("export", time.perf_counter() - started)


class HeavyThread(threading.Thread):
    """One of the heavy user's parallel connections: the same large request, no pause."""

    def __init__(
        self, number: int, base: str, path: str, stats: Stats, stop_at: float, polite: bool
    ) -> None:
        super().__init__(daemon=True, name=f"heavy-{number}")
        self.url = base + path
        self.polite = polite
        self.stats = stats
        self.stop_at = stop_at
        self.session = requests.Session()
        self.session.headers["X-Remote-User"] = "heavy-user"

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            started = time.perf_counter()
            try:
                response = self.session.get(self.url, timeout=REQUEST_TIMEOUT)
                status, size = str(response.status_code), len(response.content)
            except requests.RequestException as exc:
                status, size = type(exc).__name__, 0
            self.stats.heavy(status, time.perf_counter() - started, size)
            if self.polite and status == "429":  # a careless script, not a hostile one
                wait = float(response.headers.get("Retry-After", "1"))
                time.sleep(min(wait, max(0.0, self.stop_at - time.monotonic())))


class Probe(threading.Thread):
    """A user who sends one small request every 0.2 s: what everyone else sees."""

    def __init__(self, base: str, stats: Stats, stop_at: float) -> None:
        super().__init__(daemon=True, name="probe")
        self.user = User(999, base, None, stats, stop_at, 0)  # type: ignore[arg-type]
        self.user.session.headers["X-Remote-User"] = "probe-user"
        self.stop_at = stop_at

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            self.user.call("probe", "GET", PROBE_PATH)
            time.sleep(0.2)


def scenario_from(base: str) -> Scenario:
    headers = {"X-Remote-User": "bench"}
    meta = requests.get(base + "/api/v1/meta", headers=headers, timeout=60).json()
    deps = requests.get(base + "/_dash-dependencies", headers=headers, timeout=60).json()
    ref = meta["reference"]
    view_deps = [
        d
        for d in deps
        if any((i["id"], i["property"]) == URL_SEARCH for i in d["inputs"])
        and any(marker in d["output"] for marker in VIEW_OUTPUT_MARKERS)
        and "MATCH" not in d["output"]
    ]
    route = next(d for d in deps if d["output"] == "page.children")
    return Scenario(
        years=list(ref["periods"]["year"]),
        wards=[a["code"] for a in ref["areas"]["ward"]],
        age_bands=list(ref["age_bands"]),
        provision=list(ref["provision_types"]),
        view_deps=view_deps,
        route_dep=route,
    )
