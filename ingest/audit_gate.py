"""The build's privacy gate: a sampled `care-atlas audit` of the new files before they are
published (issue 21), its report beside the served file, and the refusal to publish real data
from which it recovers a small count. Its own module so the build reads as the steps it runs."""

from __future__ import annotations

from pathlib import Path

from care_atlas.errors import UserError


def audit_path(out: Path) -> Path:
    """``<out>.audit.html``: the build's audit report, beside the served file."""
    return out.with_name(out.name + ".audit.html")


def audit_before_publishing(
    served: Path, workspace_file: Path, out: Path, ptable: Path | None, *, block: bool
) -> str:
    """Attack the new files (a stated sample of targets, every relation); write the report
    beside ``out``; with ``block``, refuse to publish a catalogue that gives a small count
    away."""
    from audit.engine import EXIT_RECOVERED
    from audit.files import BUILD_SAMPLE, audit_files
    from audit.report import summary

    report = audit_path(out)
    result = audit_files(served, workspace_file, sample=BUILD_SAMPLE, report=report, ptable=ptable)
    if result.exit_code == EXIT_RECOVERED and block:
        raise UserError(
            "the audit recovered small counts or pinned a person's cost from the new catalogue, "
            f"so nothing was published (the previous files are untouched); see {report}"
        )
    verdict = " ".join(line.lstrip("- ") for line in summary(result).splitlines())
    if result.exit_code == EXIT_RECOVERED:
        verdict = "LEAK FOUND (synthetic data, published anyway): " + verdict
    return verdict + f" (report: {report})"
