"""Where a dashboard change spends its time, measured inside the browser.

A script installed before the page's own (Chromium's ``Page.addScriptToEvaluateOnNewDocument``)
wraps ``fetch`` and records, for each Dash callback request, which outputs it asked for, when it
left and how many characters its answer carried; the browser's resource timing gives when the
answer's first byte and last byte arrived, on the network's clock (the page's main thread,
busy drawing a chart, would see them later); and per chart, when Plotly last drew it. ``breakdown`` turns one change's records into: requests, round trips (a request sent after
another's answer arrived is a later round), characters received, time until the last answer
was in, and the time after it (Dash applying the answers and Plotly drawing).
"""

from __future__ import annotations

import statistics
from collections import defaultdict

#: Installed before the page's scripts: every Dash callback request and every chart's draws.
PROBE_JS = """
window.__calls = [];
window.__drawnAt = {};
performance.setResourceTimingBufferSize(100000);
const pageFetch = window.fetch;
window.fetch = function (input, init) {
  const url = typeof input === 'string' ? input : (input && input.url) || '';
  if (!url.includes('_dash-update-component')) { return pageFetch.apply(this, arguments); }
  let output = '';
  try { output = JSON.parse(init.body).output; } catch (e) { output = '?'; }
  const call = {output: output, start: performance.now()};
  window.__calls.push(call);
  return pageFetch.apply(this, arguments).then(response => {
    call.headers = performance.now();
    response.clone().text().then(text => { call.end = performance.now(); call.chars = text.length; });
    return response;
  });
};
"""

#: Record when each chart last finished drawing (plotly_afterplot), once the charts exist.
HOOK_DRAWS_JS = """
for (const id of arguments[0]) {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  if (gd && !gd.__probeHooked) {
    gd.on('plotly_afterplot', () => { window.__drawnAt[id] = performance.now(); });
    gd.__probeHooked = true;
  }
}
"""

#: The calls that started at or after arguments[0] and when each chart last drew (ms on the
#: page's clock).
CALLS_SINCE_JS = """
return {calls: window.__calls.filter(c => c.start >= arguments[0]),
        network: performance.getEntriesByType('resource')
          .filter(e => e.name.includes('_dash-update-component') && e.startTime >= arguments[0])
          .map(e => [e.startTime, e.responseStart, e.responseEnd]),
        drawn: Object.assign({}, window.__drawnAt)};
"""


def short_output(output: str) -> str:
    """A callback's name in a report: its first output's component id, e.g. ``map-graph``."""
    first = output.lstrip(".").split("...")[0]
    return first.rsplit(".", 1)[0][:40] or "?"


def breakdown(probe: dict, start: float, total_ms: float) -> dict:
    """One change's requests, round trips, characters and time split, from the probe; and per
    chart, how long after its answer was in Plotly finished drawing it."""
    calls = sorted(probe["calls"], key=lambda c: c["start"])
    network = sorted(probe["network"])
    if len(network) == len(calls):  # one resource entry per fetch, in the order sent
        for call, (_, first_byte, last_byte) in zip(calls, network, strict=True):
            call.update(headers=first_byte, end=last_byte)
    done = [c for c in calls if "end" in c]
    rounds = 0
    last_answer = float("-inf")
    for call in sorted(done, key=lambda c: c["start"]):
        if call["start"] >= last_answer:  # sent after every earlier answer: a new round trip
            rounds += 1
            last_answer = max(c["headers"] for c in done if c["start"] <= call["start"])
    answers_in = max((c["end"] for c in done), default=start) - start
    draw_after_answer = {}
    for chart, drawn_at in probe["drawn"].items():
        answer = [c["end"] for c in done if c["output"].lstrip(".").startswith(f"{chart}.")]
        if answer and drawn_at >= start:
            draw_after_answer[chart] = drawn_at - max(answer)
    return {
        "total_ms": total_ms,
        "requests": len(calls),
        "rounds": rounds,
        "chars": sum(int(c.get("chars", 0)) for c in done),
        "answers_in_ms": answers_in,
        "after_answers_ms": max(0.0, total_ms - answers_in),
        "draw_after_answer_ms": draw_after_answer,
        "calls": {
            short_output(c["output"]): (c["headers"] - c["start"], int(c.get("chars", 0)))
            for c in done
        },
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarise(changes: list[dict]) -> dict:
    """p50 / p95 of each part over the changes (and of the server's and the page's CPU time
    when measured), and each callback's median wait and size."""
    out: dict[str, object] = {}
    for key in (
        "total_ms",
        "answers_in_ms",
        "after_answers_ms",
        "server_cpu_ms",
        "page_cpu_ms",
        "page_script_ms",
        "page_layout_style_ms",
    ):
        values = [c[key] for c in changes if key in c]
        if not values:
            continue
        out[key.removesuffix("_ms") + "_p50_ms"] = round(statistics.median(values))
        out[key.removesuffix("_ms") + "_p95_ms"] = round(percentile(values, 0.95))
    for key in ("requests", "rounds", "chars"):
        out[f"{key}_median"] = statistics.median(c[key] for c in changes)
    per_call: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for change in changes:
        for name, figures in change["calls"].items():
            per_call[name].append(figures)
    draws: dict[str, list[float]] = defaultdict(list)
    for change in changes:
        for chart, ms in change["draw_after_answer_ms"].items():
            draws[chart].append(ms)
    out["draw_after_answer_p50_ms"] = {
        chart: round(statistics.median(ms)) for chart, ms in sorted(draws.items())
    }
    out["callbacks"] = {
        name: {
            "answered_p50_ms": round(statistics.median(f[0] for f in figures)),
            "chars_p50": round(statistics.median(f[1] for f in figures)),
            "in_changes": len(figures),
        }
        for name, figures in sorted(per_call.items())
    }
    return out
