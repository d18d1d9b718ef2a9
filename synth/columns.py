"""Turn numeric agreements into the raw extract's text columns (DOMAIN.md §1), vectorised.

Every column is text: ids as whole numbers, dates as ISO ``YYYY-MM-DD``, weekly cost with two
decimals. A blank is a null (an empty field in CSV).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from care_atlas.vocab import CLIENT_GROUPS, ETHNICITIES, GENDERS, RAW_EXTRACT_COLUMNS
from synth.agreements import Agreements, Catalogue
from synth.geography import Geography

#: The raw extract's columns, in order (DOMAIN.md §1, ARCHITECTURE.md §1).
COLUMNS: tuple[str, ...] = RAW_EXTRACT_COLUMNS

SCHEMA = pa.schema([pa.field(name, pa.string()) for name in COLUMNS])


def iso_dates(days: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 as ISO date text; null where ``blank``."""
    dates = pa.array(days.astype(np.int32), type=pa.date32(), mask=blank)
    return pc.cast(dates, pa.string())


def whole_numbers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values.astype(np.int64)), pa.string())


def money(pence: np.ndarray) -> pa.Array:
    """Pence as pounds with two decimals ("185.50"); negative amounts keep their sign."""
    sign = np.where(pence < 0, "-", "")
    magnitude = np.abs(pence)
    pounds = whole_numbers(magnitude // 100)
    fraction = pc.utf8_lpad(whole_numbers(magnitude % 100), 2, "0")
    unsigned = pc.binary_join_element_wise(pounds, fraction, ".")
    return pc.binary_join_element_wise(pa.array(sign), unsigned, "")


def lookup(values: tuple[str, ...] | pa.Array, index: np.ndarray) -> pa.Array:
    table = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    return table.take(pa.array(index.astype(np.int32)))


def text_columns(
    rows: Agreements,
    agreement_id: np.ndarray,
    person_id: np.ndarray,
    geo: Geography,
    cat: Catalogue,
) -> dict[str, pa.Array]:
    """The clean text of every column, keyed by column name."""
    return {
        "agreement_id": whole_numbers(agreement_id),
        "person_id": whole_numbers(person_id),
        "date_of_birth": iso_dates(rows.dob),
        "agreement_start": iso_dates(rows.start),
        "agreement_end": iso_dates(rows.end, blank=rows.open),
        "service_code": lookup(cat.service_codes, rows.element),
        "service_description": lookup(cat.service_descriptions, rows.element),
        "element_code": lookup(cat.codes, rows.element),
        "element_description": lookup(cat.descriptions, rows.element),
        "postcode": lookup(geo.postcodes, rows.postcode),
        "gender": lookup(GENDERS, rows.gender),
        "ethnicity": lookup(ETHNICITIES, rows.ethnicity),
        "client_group": lookup(CLIENT_GROUPS, rows.client_group),
        "weekly_cost": money(rows.cost_pence),
    }
