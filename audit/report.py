"""The audit report: Markdown or plain self-contained HTML an information governance board can
read (no scripts, no external styles or fonts)."""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

from audit.model import Claim
from audit.runner import EXIT_CLEAN, EXIT_RECOVERED, AuditReport, RunResult

CLAIMS_SHOWN = 10

DEFINITION = (
    "An attack RECOVERS a count when the published numbers it combined leave exactly one "
    "possible true value and that value is between 1 and 9: the attacker then knows for certain "
    "that exactly that many people (or agreements) share the attributes asked about (a group "
    "of one exposes that person, and, where both costs are shown, bounds their cost). Learning "
    "only that a group holds 'between 1 and 9' is not counted: a suppressed cell already says "
    "so. The attacker is assumed to know the ptable and the threshold (they are published) but "
    "not the record keys. Every recovery is checked against the true counts."
)


def _plain_summary(report: AuditReport) -> list[str]:
    p, c = report.protected, report.control
    lines = [
        f"We attacked the dashboard's query layer ({p.queries:,} questions, {p.pairs:,} "
        f"comparisons of published numbers) the way a determined intruder would: subtracting "
        f"overlapping tables, areas and periods, asking the same thing many ways, and "
        f"subtracting parts from totals."
    ]
    if p.recovered:
        lines.append(
            f"With the protection in force the attacks RECOVERED {p.recovered:,} small counts "
            "with certainty (details below). The dashboard leaks under this protection: it must "
            "not be served until the protection is strengthened and this audit passes."
        )
    else:
        lines.append(
            "With the protection in force the attacks recovered NO count between 1 and 9 with "
            "certainty."
        )
    if c is not None:
        if c.recovered:
            lines.append(
                f"The same attacks, run with the protection switched off, recovered "
                f"{c.recovered:,} small counts: the audit is able to find leaks, so a clean "
                "result means something."
            )
        else:
            lines.append(
                "The same attacks with the protection switched off recovered nothing, so this "
                "run cannot show that the audit would find a leak: run it with more pairs."
            )
    if p.inconsistent:
        lines.append(
            f"{p.inconsistent} cells were published with different values when asked in "
            "equivalent ways; that breaks the 'same cell, same answer' rule and should be fixed."
        )
    lines.append(f"Exit status: {report.exit_code} ({_exit_meaning(report.exit_code)}).")
    return lines


def _exit_meaning(code: int) -> str:
    if code == EXIT_CLEAN:
        return "clean"
    if code == EXIT_RECOVERED:
        return "small counts recovered"
    return "inconclusive: the control run found nothing"


def _attack_rows(run: RunResult, control: RunResult | None) -> list[list[str]]:
    rows = []
    by_name = {a.name: a for a in control.attacks} if control else {}
    for a in run.attacks:
        c = by_name.get(a.name)
        rows.append(
            [
                a.title,
                f"{a.queries:,}",
                f"{a.pairs:,}",
                f"{a.targets:,}",
                f"{a.recovered:,}",
                f"{a.narrowed_small:,}" + (f" (narrowest {a.narrowest})" if a.narrowest else ""),
                f"{a.inconsistent:,}",
                f"{c.recovered:,}" if c else "not run",
            ]
        )
    return rows


HEADERS = [
    "attack",
    "queries",
    "pairs",
    "targets",
    "recovered",
    "known to be 1..9 only",
    "inconsistent",
    "recovered with protection off",
]


def _outcome_text(summary_outcomes: dict[int, list[int | None]]) -> list[list[str]]:
    return [
        [str(n), ", ".join("[c]" if p is None else str(p) for p in outs)]
        for n, outs in summary_outcomes.items()
    ]


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(out)


def to_markdown(report: AuditReport) -> str:
    p = report.protected
    meta = report.meta
    parts = [
        "# Care Atlas disclosure audit",
        "",
        f"Database `{report.database}` (build {meta.get('build_id', '?')}, data to "
        f"{meta.get('data_date', '?')}, synthetic: {meta.get('synthetic', '?')}); run "
        f"{report.started}; seed {report.seed}; {report.pairs_requested:,} pairs requested.",
        "",
        "## Summary for the information governance board",
        "",
        *[f"- {line}" for line in _plain_summary(report)],
        "",
        "## Rule in force",
        "",
        f"- Threshold: published counts under {p.threshold} are suppressed `[c]`.",
        f"- ptable: {p.ptable_source} ({p.ptable.rows:,} rows, cell values 1..{p.ptable.pcv_max}, "
        f"{p.ptable.ckeys} cell keys): {p.ptable.describe()}.",
        "- Money only where the cell's people count is published, rounded to 3 significant "
        "figures; rates and shares from published counts.",
        "",
        "What each small true count can be published as under this ptable:",
        "",
        _md_table(
            ["true count", "published as (depending on the cell key)"],
            _outcome_text(p.ptable.outcomes),
        ),
        "",
        "## What counts as recovered",
        "",
        DEFINITION,
        "",
        "## Results",
        "",
        _md_table(HEADERS, _attack_rows(p, report.control)),
        "",
        f"Total: {p.queries:,} queries, {p.pairs:,} pairs, {p.targets:,} targets, "
        f"{p.recovered:,} recovered, in {p.seconds:.0f} s.",
        "",
        "A pair is one comparison of published cells an attacker would difference (outer vs "
        "inner; each part against the total it belongs to; each extra way of asking the same "
        "cell). A target is one number the attacker tried to pin down.",
        "",
    ]
    for a in p.attacks:
        parts += [f"### {a.title}", "", a.method, "", "Queries tried (examples):", ""]
        parts += [f"- `{q}`" for q in a.examples]
        parts += [""]
        if a.claims:
            parts += ["Recovered (first ones):", ""]
            parts += [f"- {_claim_text(c)}" for c in a.claims[:CLAIMS_SHOWN]]
            parts += [""]
    if report.control is not None:
        parts += ["## Control run: protection switched off", ""]
        parts += [
            "Identity ptable and no threshold, the same seed and the same questions. Examples of "
            "what the attacks then recover:",
            "",
        ]
        for a in report.control.attacks:
            parts += [f"- {a.title}: {a.recovered:,} recovered"]
            parts += [f"  - {_claim_text(c)}" for c in a.claims[:3]]
        parts += [""]
    return "\n".join(parts) + "\n"


def _claim_text(claim: Claim) -> str:
    check = {True: "true", False: "FALSE (the attack's assumption failed)", None: "not checked"}
    return f"{claim.description} [checked against true counts: {check[claim.verified]}]"


def to_html(report: AuditReport) -> str:
    p = report.protected
    e = html.escape

    def table(headers: list[str], rows: list[list[str]]) -> str:
        head = "".join(f"<th scope='col'>{e(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    meta = report.meta
    sections = [
        "<h1>Care Atlas disclosure audit</h1>",
        f"<p>Database <code>{e(str(report.database))}</code> (build {e(meta.get('build_id', '?'))}, "
        f"data to {e(meta.get('data_date', '?'))}, synthetic: {e(meta.get('synthetic', '?'))}); "
        f"run {e(report.started)}; seed {report.seed}; {report.pairs_requested:,} pairs requested.</p>",
        "<h2>Summary for the information governance board</h2><ul>"
        + "".join(f"<li>{e(line)}</li>" for line in _plain_summary(report))
        + "</ul>",
        "<h2>Rule in force</h2><ul>"
        f"<li>Threshold: published counts under {p.threshold} are suppressed [c].</li>"
        f"<li>ptable: {e(p.ptable_source)} ({p.ptable.rows:,} rows): {e(p.ptable.describe())}.</li>"
        "<li>Money only where the cell's people count is published, rounded to 3 significant "
        "figures; rates and shares from published counts.</li></ul>",
        table(
            ["true count", "published as (depending on the cell key)"],
            _outcome_text(p.ptable.outcomes),
        ),
        f"<h2>What counts as recovered</h2><p>{e(DEFINITION)}</p>",
        "<h2>Results</h2>",
        table(HEADERS, _attack_rows(p, report.control)),
        f"<p>Total: {p.queries:,} queries, {p.pairs:,} pairs, {p.targets:,} targets, "
        f"{p.recovered:,} recovered, in {p.seconds:.0f} s.</p>",
    ]
    for a in p.attacks:
        sections.append(
            f"<h3>{e(a.title)}</h3><p>{e(a.method)}</p><p>Queries tried (examples):</p><ul>"
        )
        sections.append("".join(f"<li><code>{e(q)}</code></li>" for q in a.examples) + "</ul>")
        if a.claims:
            sections.append(
                "<p>Recovered (first ones):</p><ul>"
                + "".join(f"<li>{e(_claim_text(c))}</li>" for c in a.claims[:CLAIMS_SHOWN])
                + "</ul>"
            )
    if report.control is not None:
        sections.append("<h2>Control run: protection switched off</h2><ul>")
        for a in report.control.attacks:
            sections.append(
                f"<li>{e(a.title)}: {a.recovered:,} recovered<ul>"
                + "".join(f"<li>{e(_claim_text(c))}</li>" for c in a.claims[:3])
                + "</ul></li>"
            )
        sections.append("</ul>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;"
        "color:#1b1b1b;line-height:1.5}table{border-collapse:collapse;margin:1rem 0}"
        "th,td{border:1px solid #888;padding:.25rem .5rem;text-align:left}code{font-size:.9em}"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Care Atlas disclosure audit</title><style>{style}</style></head><body>"
        + "".join(sections)
        + "</body></html>\n"
    )


def write_report(report: AuditReport, path: Path) -> Path:
    """Markdown for .md, HTML for .html/.htm; written atomically."""
    text = to_markdown(report) if path.suffix.lower() == ".md" else to_html(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
