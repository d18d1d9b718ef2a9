"""The manifest written beside a synthetic extract: what it holds and what was planted in it.

A build reads it to prove rows read = rows loaded + rows quarantined, reason by reason
(ARCHITECTURE.md §1).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.reasons import QUARANTINE_CODES, REPAIR_CODES

GENERATOR = "care-atlas synth"
#: Bump when the same seed would give different data.
GENERATOR_VERSION = "1.0"

CONVENTIONS: tuple[str, ...] = (
    "All columns are text; a blank is null in Parquet and an empty field in CSV.",
    "weekly_cost is text with two decimals, e.g. '185.50'.",
    "A quarantined row carries exactly one quarantine defect; repair counts are over the rows "
    "that are not quarantined.",
    "Duplicate agreement ids: the first row with the id is clean and kept, each later row is "
    "quarantined as AGREEMENT_ID_DUPLICATE.",
    "Date of birth carries at most one repair flag per row, the first that applies of "
    "DOB_MISSING, DOB_UNPARSEABLE, DOB_IN_FUTURE, DOB_AFTER_START, DOB_IMPLAUSIBLE.",
    "Some clean postcodes are in lower case or lack their space; they are valid, not defects.",
)


@dataclass
class Manifest:
    rows: int
    seed: int
    mess: bool
    columns: list[str]
    quarantine: dict[str, int]
    repair: dict[str, int]
    data_date: str = "2015-12-31"
    synthetic: bool = True
    generator: str = GENERATOR
    generator_version: str = GENERATOR_VERSION
    format: str = "parquet"
    weekly_cost_type: str = "text"
    conventions: list[str] = field(default_factory=lambda: list(CONVENTIONS))

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantine.values())

    @property
    def rows_loaded(self) -> int:
        return self.rows - self.rows_quarantined

    def to_json(self) -> str:
        body = asdict(self)
        body["rows_quarantined"] = self.rows_quarantined
        body["rows_loaded"] = self.rows_loaded
        return json.dumps(body, indent=2) + "\n"

    @classmethod
    def empty_counts(cls) -> tuple[dict[str, int], dict[str, int]]:
        return dict.fromkeys(QUARANTINE_CODES, 0), dict.fromkeys(REPAIR_CODES, 0)


def manifest_path(extract: Path) -> Path:
    """``<out>.manifest.json`` beside the extract."""
    return extract.with_name(extract.name + ".manifest.json")


def read_manifest(extract_or_manifest: Path) -> Manifest:
    """Read the manifest of an extract (pass the extract's path or the manifest's)."""
    path = Path(extract_or_manifest)
    if not path.name.endswith(".manifest.json"):
        path = manifest_path(path)
    body = json.loads(path.read_text(encoding="utf-8"))
    body.pop("rows_quarantined", None)
    body.pop("rows_loaded", None)
    return Manifest(**body)
