"""What the callback fuzz sends: wrong-type junk, hostile strings and plausible values.

Kept apart from how posts are built (:mod:`bench.fuzz_posts`) so the list of nasty inputs can
grow on its own.
"""

from __future__ import annotations

import random

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
