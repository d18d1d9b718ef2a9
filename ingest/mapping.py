"""Column mappings: a council's extract headers -> Care Atlas's column names (a small TOML file).

Councils name their columns differently ("ADE ID", "Client DOB"...). A mapping file says which
header holds which of our columns, so no council has to rename anything before a build.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from care_atlas.errors import UserError
from care_atlas.vocab import RAW_EXTRACT_COLUMNS

#: The extract's columns (docs/ARCHITECTURE.md §1), in the order the quarantine file shows them.
EXTRACT_COLUMNS: tuple[str, ...] = RAW_EXTRACT_COLUMNS


@dataclass(frozen=True)
class Mapping:
    """Our column name -> the extract's header; plus the worksheet to read in an Excel file."""

    columns: dict[str, str]
    sheet: str | None = None
    source: str = "default mapping"


def default_mapping_path() -> Path:
    return Path(str(resources.files("ingest.mappings").joinpath("default.toml")))


def load_mapping(path: Path | None = None) -> Mapping:
    """Read and check a mapping file; every problem is a UserError naming the file."""
    path = path or default_mapping_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read mapping file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"mapping file {path} is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"mapping file {path} is not valid TOML: {exc}") from exc

    unknown_sections = sorted(set(data) - {"columns", "excel"})
    if unknown_sections:
        raise UserError(
            f"mapping file {path}: unknown section(s) {', '.join(unknown_sections)} "
            "(expected [columns] and optionally [excel])"
        )
    given = data.get("columns", {})
    if not isinstance(given, dict):
        raise UserError(f'mapping file {path}: [columns] must be a table of name = "header"')
    unknown = sorted(set(given) - set(EXTRACT_COLUMNS))
    if unknown:
        raise UserError(
            f"mapping file {path}: unknown column name(s) {', '.join(unknown)}; "
            f"the left-hand sides must be among: {', '.join(EXTRACT_COLUMNS)}"
        )
    bad = sorted(k for k, v in given.items() if not isinstance(v, str) or not v.strip())
    if bad:
        raise UserError(f"mapping file {path}: header for {', '.join(bad)} must be non-empty text")
    headers = [v.strip().casefold() for v in given.values()]
    repeated = sorted({h for h in headers if headers.count(h) > 1})
    if repeated:
        raise UserError(
            f"mapping file {path}: header(s) {', '.join(repeated)} mapped to more than one column"
        )
    # Columns the file does not mention keep their own names.
    columns = {name: given.get(name, name).strip() for name in EXTRACT_COLUMNS}

    excel = data.get("excel", {})
    sheet = excel.get("sheet") if isinstance(excel, dict) else None
    if sheet is not None and not isinstance(sheet, str):
        raise UserError(f"mapping file {path}: [excel] sheet must be text")
    return Mapping(columns=columns, sheet=sheet, source=str(path))


def resolve_headers(mapping: Mapping, headers: list[str], extract: Path) -> dict[str, str]:
    """Our column -> the actual header in the file (matched ignoring case and spaces).

    Raises a UserError naming every missing column, so one message says what to fix.
    """
    by_folded: dict[str, str] = {}
    for header in headers:
        by_folded.setdefault(str(header).strip().casefold(), header)
    found: dict[str, str] = {}
    missing: list[str] = []
    for ours, theirs in mapping.columns.items():
        actual = by_folded.get(theirs.casefold())
        if actual is None:
            missing.append(ours if ours == theirs else f"{ours} (header '{theirs}')")
        else:
            found[ours] = actual
    if missing:
        shown = ", ".join(str(h) for h in headers[:20]) + (" ..." if len(headers) > 20 else "")
        raise UserError(
            f"{extract} is not an agreement extract: missing column(s) {', '.join(missing)}. "
            f"Found: {shown or '(no columns)'}. If your extract names them differently, "
            "pass --mapping FILE (see ingest/mappings/default.toml)"
        )
    return found
