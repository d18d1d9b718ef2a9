"""Put the build's reference inputs into the working database as plain tables.

The SQL steps join against these by name: the element catalogue, the postcode lookup, the
controlled vocabularies, the reason codes, age bands, MIA targets, areas, population and the
ptable. Each loader turns a missing or malformed input into a UserError naming the file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from care_atlas.config import Settings
from care_atlas.errors import UserError
from care_atlas.ptables import NOISE_PTABLE_NAME, ONS_10_5_NAME, noise_ptable, ons_10_5_path
from care_atlas.reference import load_element_catalogue, load_mia_targets
from care_atlas.vocab import (
    CLIENT_GROUPS,
    DEFAULT_AGE_BANDS,
    ETHNICITIES,
    GENDERS,
    UNKNOWN_AGE_BAND,
    ethnic_group,
)
from ingest.reasons import REASONS

PTABLE_COLUMNS = ("pcv", "ckey", "pvalue")


def _put(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register("_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _frame")
    finally:
        con.unregister("_frame")


def load_ptable(path: Path | None) -> tuple[pd.DataFrame, str]:
    """The perturbation table and the name recorded for it in the serving database.

    Default: Care Atlas's cell-key noise table. The privacy audit showed that ONS 10-5
    (deterministic rounding, no noise) lets totals minus parts pin small counts exactly;
    the noise table keeps 10-5's promises (multiples of 5, nothing under 10) and defeats that.
    ``--ptable FILE`` takes any ONS-format table, e.g. the 10-5 file at ptables.ons_10_5_path().
    """
    if path is None:
        return noise_ptable(), NOISE_PTABLE_NAME
    if path.resolve() == ons_10_5_path().resolve():
        name = ONS_10_5_NAME
    else:
        name = f"ptable file {path.name}"
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read ptable {path}: {exc}") from exc
    missing = [c for c in PTABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise UserError(f"ptable {path} lacks column(s): {', '.join(missing)}")
    frame = frame[list(PTABLE_COLUMNS)]
    if frame.empty or frame.isna().any().any():
        raise UserError(f"ptable {path} is empty or has blank cells")
    try:
        return frame.astype("int64"), name
    except ValueError as exc:
        raise UserError(f"ptable {path} must hold whole numbers: {exc}") from exc


def load_catalogue(path: Path | None) -> pd.DataFrame:
    try:
        frame = load_element_catalogue(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot use element catalogue {path}: {exc}") from exc
    frame = frame.copy()
    frame["element_code"] = frame["element_code"].str.strip().str.upper()
    frame["service_code"] = frame["service_code"].str.strip()
    return frame


def age_band_table() -> pd.DataFrame:
    rows = [(label, lo, hi, i + 1) for i, (label, lo, hi) in enumerate(DEFAULT_AGE_BANDS)]
    rows.append((UNKNOWN_AGE_BAND, None, None, len(rows) + 1))
    frame = pd.DataFrame(rows, columns=["age_band", "lower_age", "upper_age", "ordinal"])
    for column in ("lower_age", "upper_age"):
        frame[column] = frame[column].astype("Int32")
    return frame


def _vocab(values: tuple[str, ...], column: str) -> pd.DataFrame:
    return pd.DataFrame({"folded": [v.lower() for v in values], column: list(values)})


def reasons_table() -> pd.DataFrame:
    return pd.DataFrame(
        [(r.code, str(r.action), r.message, i + 1) for i, r in enumerate(REASONS)],
        columns=["code", "action", "message", "ordinal"],
    )


def register_reference(
    con: duckdb.DuckDBPyConnection, catalogue: pd.DataFrame, ptable: pd.DataFrame
) -> None:
    """Catalogue, vocabularies, reasons, age bands, MIA targets and the ptable."""
    _put(con, "catalogue", catalogue)
    _put(con, "vocab_gender", _vocab(GENDERS, "gender"))
    ethnicities = _vocab(ETHNICITIES, "ethnicity")
    ethnicities["ethnic_group"] = [ethnic_group(v) for v in ETHNICITIES]
    _put(con, "vocab_ethnicity", ethnicities)
    _put(con, "vocab_client_group", _vocab(CLIENT_GROUPS, "client_group"))
    _put(con, "reasons", reasons_table())
    _put(con, "ref_age_bands", age_band_table())
    _put(con, "ref_mia_targets", load_mia_targets())
    _put(con, "ref_ptable", ptable)


def register_geography(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The postcode lookup, the areas and their population, from the boundaries package."""
    from boundaries.areas import area_table
    from boundaries.lookup import postcode_lookup
    from boundaries.population import area_population
    from boundaries.sources import GeographyError

    try:
        lookup = postcode_lookup(settings)
        areas = area_table(settings)
        population = area_population(settings)
    except GeographyError as exc:
        raise UserError(str(exc)) from exc
    columns = ["postcode", "sector", "district", "ward_code", "h3r7", "h3r8", "placeable"]
    lookup = lookup[columns].copy()
    for column in ("h3r7", "h3r8", "ward_code"):
        # Unplaceable postcodes carry no cell or ward; keep them NULL, never the text "nan".
        lookup[column] = lookup[column].where(lookup["placeable"], None)
    _put(con, "postcode_lookup", lookup)
    _put(con, "ref_areas", areas)
    _put(con, "ref_area_population", population)
