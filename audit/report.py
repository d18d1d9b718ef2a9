"""The audit report for an information governance board: Markdown or self-contained HTML.

Both are rendered from one list of blocks (heading, paragraph, list, table), so they say the
same thing. No cell's true value is printed: a recovered cell is named with the relations
that gave it away and the attacker's certainty, not its count (the report may sit beside the
served file).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from audit.engine import (
    CONTROL_SAMPLE,
    EXIT_CLEAN,
    EXIT_RECOVERED,
    FULL_ROUNDS,
    SAMPLED_ROUNDS,
    AuditResult,
    Run,
)
from audit.money import PINNED

Block = tuple  # ("h1"|"h2"|"h3"|"p", text) | ("ul", [text]) | ("table", headers, rows)
WORST_SHOWN = 15
BINS = (0.0, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0001)

ATTACKS = [
    (
        "Linear relations (least squares)",
        "Every cell the catalogue publishes is also a part of bigger cells: a sector of its "
        "district, a ward of the city, a district of its region, an element of its service, "
        "theme and provision type, an age band or client group of 'all', a single year of each "
        "preset range and a quarter of its year. For a hidden cell the attacker subtracts its "
        "published neighbours from the published total, along every such relation, and "
        "combines the estimates weighting each by its precision (inverse variance).",
    ),
    (
        "Exact bounds, propagated",
        "Each published number allows a range of true counts (a [c] means 0 to 9, or a little "
        "more for a share of cells; a published "
        "15 means 8 to 22 under this ptable). A total bounds its parts and the parts bound the "
        "total; every tightened cell tightens its neighbours, repeated until nothing changes. "
        "Anything left with a single possible value is known for certain.",
    ),
    (
        "Maximum likelihood with the public ptable",
        "The attacker knows the ptable (not the cell keys), so knows how likely each true "
        "count is to be published as each multiple of 5. For each hidden cell it multiplies "
        "these likelihoods over all its relations into a posterior probability for every value "
        "it can take. 'Recovered' means the most likely value is the true one and the attacker "
        "would put at least 90% on it.",
    ),
    (
        "Averaging many differences of the same group",
        "Noise is the same for the same people but independent for different ones, so many "
        "pairs of cells whose difference is the same group average the noise away. In this "
        "catalogue such pairs are exactly the relations above (a total minus its other parts), "
        "all of which are used. The control below shows what the attack does when regions can "
        "be drawn freely.",
    ),
    (
        "One person's cost",
        "Where a cell holds exactly one person, its cost is hidden, but its total and all its "
        "other parts may be published: their difference is that person's cost plus the noise "
        "of each published cost (scaled to the largest person in it) and rounding. The "
        "attacker combines every such difference; the audit reports how narrow the 90% interval "
        f"on the person's cost is. 'Pinned' means within {PINNED:.0%}.",
    ),
]


def _verdict(r: AuditResult) -> list[str]:
    p = r.protected
    res = p.results
    small = res[res["true"].between(1, 9)] if len(res) else res
    lines = [
        f"We attacked {len(res):,} hidden or small cells"
        + (
            f" (a random sample of {r.sample:,} per measure out of {r.targets_total:,})"
            if r.sample
            else ""
        )
        + f" using {len(r.relations):,} relations between published cells, "
        f"in {r.seconds:.0f} seconds.",
    ]
    if p.recovered:
        lines.append(
            f"FAIL: {p.recovered:,} true counts between 1 and 9 were RECOVERED with at least 90% "
            f"certainty ({p.recovered / max(len(small), 1):.2%} of the small cells attacked); "
            f"{p.rate(0.5):,} with at least 50%. The catalogue must not be published until the "
            "catalogue or the noise is tightened and this audit passes."
        )
    else:
        lines.append(
            f"No true count between 1 and 9 was recovered with 90% certainty; {p.rate(0.5):,} "
            "reached 50%."
        )
    if len(r.money):
        lines.append(
            f"{len(r.money):,} one-person costs could be attacked; the narrowest 90% interval "
            f"is ±{r.money['relative'].min():.0%} of the cost; {r.pinned:,} pinned within {PINNED:.0%}."
        )
    for c in r.controls:
        lines.append(
            f"Control, {c.title.lower()}: {c.recovered:,} of {len(c.results):,} recovered."
        )
    meaning = {EXIT_CLEAN: "clean", EXIT_RECOVERED: "disclosure found"}
    lines.append(
        f"Exit status {r.exit_code} ({meaning.get(r.exit_code, 'a required control found nothing')})."
    )
    return lines


def _rule(r: AuditResult) -> list[Block]:
    m = r.model
    outcomes = []
    for n in range(1, 21):
        probs = m.published_probs(n)
        text = ", ".join(
            ("[c]" if v is None else str(v)) + f" ({p:.0%})"
            for v, p in sorted(probs.items(), key=lambda kv: -1 if kv[0] is None else kv[0])
        )
        outcomes.append([str(n), text])
    return [
        ("h2", "Rule in force"),
        (
            "ul",
            [
                (
                    f"Counts: 0 to {m.threshold - 1} as [c] (a cell with no row is [c] too); "
                    if m.suppressed_min == 0
                    else f"Counts: a true 0 is published as 0; 1 to {m.threshold - 1} as [c]; "
                )
                + f"{m.threshold} or more as the true count plus cell-key noise from the ptable, "
                f"and [c] where the noise takes it under {m.threshold}"
                + (
                    f" (a share of {m.threshold} to {m.suppressed_max}: the table below)."
                    if m.suppressed_max >= m.threshold
                    else "."
                ),
                f"ptable: {r.ptable_name or 'as supplied'}; largest change of a published count "
                f"D = {m.spread}, variance V = {m.variance:.2f}.",
                "Money: published only where its people count is published and "
                "the two largest people's costs are under 85% of the total; noise uniform on ± the "
                "largest person's cost, then 3 significant figures.",
            ],
        ),
        ("p", "What each true count can be published as (probability over cell keys):"),
        ("table", ["true count", "published as"], outcomes),
    ]


def _measure_table(run: Run) -> list[list[str]]:
    rows = []
    res = run.results
    for m, g in res.groupby("measure", sort=False, observed=True):
        small = g[g["true"].between(1, 9)]
        rows.append(
            [
                str(m),
                f"{len(g):,}",
                f"{int((g['published'] == -1).sum()):,}" if "published" in g else "",
                f"{int(g['recovered'].sum()):,}",
                f"{int((small['p_true'] >= 0.5).sum()):,}",
                f"{int((g['sd'] == 0).sum() if 'sd' in g else 0):,}",
                f"{small['p_true'].median():.2f}" if len(small) else "",
            ]
        )
    return rows


def _histogram(run: Run) -> list[list[str]]:
    small = run.results[run.results["true"].between(1, 9)]
    counts, _ = np.histogram(small["p_true"], bins=BINS)
    labels = [f"{a:.1f} to {min(b, 1):.1f}" for a, b in zip(BINS[:-1], BINS[1:], strict=True)]
    return [
        [lab, f"{c:,}", f"{c / max(len(small), 1):.1%}"]
        for lab, c in zip(labels, counts, strict=True)
    ]


def _mechanisms(r: AuditResult) -> list[list[str]]:
    """For each recovered cell, the relation type that bounds it most tightly, counted."""
    res, used = r.protected.results, r.protected.used
    if used.empty or not r.protected.recovered:
        return []
    rec = res.loc[res["recovered"], ["cell", "measure"]]
    u = used.merge(rec, left_on=["target", "measure"], right_on=["cell", "measure"])
    u = u.assign(width=u["hi"] - u["lo"]).sort_values("width", kind="stable")
    tight = u.drop_duplicates(["target", "measure"])
    kinds = r.relations.kind[tight["rel"].to_numpy(dtype=np.int64)]
    names = [r.relations.types[int(k)].name for k in kinds]
    roles = np.where(tight["role"].to_numpy() == 1, "as the total", "as a part")
    table = pd.DataFrame({"relation": names, "role": roles, "measure": tight["measure"].to_numpy()})
    counts = table.value_counts().reset_index(name="cells").head(12)
    return [[x.relation, x.role, x.measure, f"{x.cells:,}"] for x in counts.itertuples()]


def _worst(r: AuditResult) -> list[list[str]]:
    res = r.protected.results
    res = res[res["true"].between(1, 9)].sort_values(["p_true", "sd"], ascending=[False, True])
    used = r.protected.used
    rows = []
    for row in res.head(WORST_SHOWN).itertuples(index=False):
        u = used[(used["target"] == row.cell) & (used["measure"] == row.measure)]
        rels = "; ".join(r.relations.describe(int(x), r.cells) for x in u["rel"].head(4))
        rows.append(
            [
                r.cells.describe(int(row.cell)),
                str(row.measure),
                "[c]" if row.published == -1 else str(row.published),
                f"{row.sd:.2f}",
                f"{row.p_true:.2f}",
                "yes" if row.recovered else "no",
                rels,
            ]
        )
    return rows


def _rounds_text(r: AuditResult) -> str:
    rounds = ", ".join(f"{m} {n}" for m, n in r.protected.rounds.items())
    limit = SAMPLED_ROUNDS if r.sample else FULL_ROUNDS
    return (
        f"Exact bounds were propagated over every published cell for these rounds ({rounds}); "
        f"a measure that reached {limit} stopped at the limit of this "
        f"{'sampled' if r.sample else 'full'} run, the others went on until nothing tightened. "
        "'Known exactly' counts cells whose possible values closed on one."
    )


def blocks(r: AuditResult, source: str) -> list[Block]:
    out: list[Block] = [
        ("h1", "Care Atlas disclosure audit"),
        ("p", source),
        ("h2", "Summary for the information governance board"),
        ("ul", _verdict(r)),
        *_rule(r),
        ("h2", "What was tried"),
    ]
    for title, text in ATTACKS:
        out += [("h3", title), ("p", text)]
    out += [
        (
            "p",
            "The attacker is assumed to be the strongest there can be: they know the ptable, "
            "the catalogue and this code, and they know exactly which relations hold for people "
            "counts (a person in two parts breaks a sum; the audit uses each relation only where "
            "it holds in the true data).",
        ),
        ("h2", "Results on the published catalogue"),
        (
            "table",
            [
                "measure",
                "cells attacked",
                "of them [c]",
                "recovered (90%)",
                "50% or more",
                "known exactly",
                "median certainty of the true value",
            ],
            _measure_table(r.protected),
        ),
        ("p", _rounds_text(r)),
        ("h3", "How sure the attacker can be of the true value (small cells)"),
        (
            "table",
            ["posterior probability of the true value", "cells", "share"],
            _histogram(r.protected),
        ),
        ("h3", "What gives the recovered cells away"),
        (
            "p",
            "For each recovered cell, the relation that bounds it most tightly (the other "
            "relations narrow it further):",
        ),
        ("table", ["relation", "the cell", "measure", "recovered cells"], _mechanisms(r)),
        ("h3", f"The {WORST_SHOWN} most exposed cells"),
        (
            "p",
            "Values are not printed; 'sd' is the attacker's uncertainty in people or agreements.",
        ),
        (
            "table",
            [
                "cell",
                "measure",
                "published",
                "sd",
                "certainty",
                "recovered",
                "relations used (first four)",
            ],
            _worst(r),
        ),
    ]
    if len(r.money):
        top = r.money.head(5)
        out += [
            ("h2", "One person's cost"),
            (
                "table",
                ["cell", "cost measure", "90% interval, ± share of the cost", "relations"],
                [
                    [
                        r.cells.describe(int(x.cell)),
                        str(x.measure),
                        f"{x.relative:.0%}",
                        str(x.relations),
                    ]
                    for x in top.itertuples(index=False)
                ],
            ),
        ]
    out += [("h2", "Controls: proof that the audit finds leaks")]
    out.append(
        (
            "ul",
            [
                f"The first two attack a random sample of up to {CONTROL_SAMPLE:,} small cells per "
                "measure. Protection off: every cell published at its true value (identity ptable, "
                "threshold 0), attacked by the same code. Must recover every small count: proves "
                "the attack and its scoring register a leak.",
                "Threshold without noise (full runs): counts under the threshold suppressed, the "
                "rest exact; the small counts must then be found from their relations alone "
                "(differencing). Informative: what the noise adds.",
                "Free-form regions: the same protection, but a catalogue that lets a user draw any "
                "region of wards; the attacker asks for 'S plus ward w' and 'S' for 400 random sets S "
                "and averages the differences. Must recover small counts.",
            ],
        )
    )
    out.append(
        (
            "table",
            ["control", "small cells attacked", "recovered (90%)", "50% or more"],
            [
                [c.title, f"{len(c.results):,}", f"{c.recovered:,}", f"{c.rate(0.5):,}"]
                for c in r.controls
            ],
        )
    )
    return out


def to_markdown(bs: list[Block]) -> str:
    out = []
    for b in bs:
        kind = b[0]
        if kind in ("h1", "h2", "h3"):
            out += ["#" * int(kind[1]) + " " + b[1], ""]
        elif kind == "p":
            out += [b[1], ""]
        elif kind == "ul":
            out += [f"- {x}" for x in b[1]] + [""]
        else:
            esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
            out += ["| " + " | ".join(b[1]) + " |", "|" + "---|" * len(b[1])]
            out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in b[2]] + [""]
    return "\n".join(out)


def to_html(bs: list[Block]) -> str:
    e = html.escape
    parts = []
    for b in bs:
        kind = b[0]
        if kind in ("h1", "h2", "h3", "p"):
            parts.append(f"<{kind}>{e(b[1])}</{kind}>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in b[1]) + "</ul>")
        else:
            head = "".join(f"<th scope='col'>{e(h)}</th>" for h in b[1])
            body = "".join(
                "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in b[2]
            )
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
        "color:#1b1b1b;line-height:1.5}table{border-collapse:collapse;margin:1rem 0}"
        "th,td{border:1px solid #888;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Care Atlas disclosure audit</title><style>{style}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )


def summary(r: AuditResult) -> str:
    """The verdict lines, for the terminal."""
    return "\n".join(f"- {line}" for line in _verdict(r))
