"""Parse and normalise UK unit postcodes, one at a time or a million at once.

Real extracts carry postcodes in any case and spacing ("b236ab", " B23  6AB "), blanks and
rubbish. Everything downstream (lookup, aggregation, quarantine reasons) keys on one normal
form, "B23 6AB": outward code, one space, inward code. The scalar :func:`parse_postcode` and the
vectorised :func:`normalise_postcodes` apply the same rules, so a record gets the same verdict
whichever path reads it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

#: A normalised UK unit postcode: outward code (area letters, district digits, optional
#: sub-district character), one space, inward code (sector digit and two unit letters). The
#: letter sets follow Royal Mail's rules (e.g. no Q/V/X as the first letter, no C/I/K/M/O/V in
#: the unit letters), which rejects common typing errors such as a zero typed as a letter O.
POSTCODE_PATTERN: re.Pattern[str] = re.compile(
    r"^(?P<area>[A-PR-UWYZ][A-HK-Y]?)(?P<rest>[0-9][0-9A-Z]?) (?P<sector>[0-9])[ABD-HJLNP-UW-Z]{2}$"
)

InvalidReason = Literal["missing", "malformed", "outside_area"]

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Postcode:
    """A well-formed unit postcode and the coarser codes it implies."""

    unit: str  # "B23 6AB"
    sector: str  # "B23 6"
    district: str  # "B23"
    area: str  # "B"


@dataclass(frozen=True)
class InvalidPostcode:
    """Why a raw value is not a usable postcode: ``missing``, ``malformed`` or ``outside_area``."""

    raw: object
    reason: InvalidReason
    message: str


def _is_missing(raw: object) -> bool:
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def _compact(text: str) -> str:
    """Upper case without any whitespace, then one space before the three-character inward code."""
    squeezed = _WHITESPACE.sub("", text).upper()
    return f"{squeezed[:-3]} {squeezed[-3:]}" if len(squeezed) > 3 else squeezed


def _text(raw: object) -> str:
    try:
        return str(raw)
    except Exception:  # an object whose __str__ fails is still just a bad postcode
        return "<unprintable>"


def parse_postcode(raw: object) -> Postcode | InvalidPostcode:
    """Normalise one raw value. Never raises: bad input comes back as :class:`InvalidPostcode`."""
    if _is_missing(raw):
        return InvalidPostcode(raw=raw, reason="missing", message="postcode is blank")
    text = _text(raw)
    candidate = _compact(text)
    match = POSTCODE_PATTERN.match(candidate)
    if match is None:
        shown = text.strip()[:40]
        return InvalidPostcode(
            raw=raw, reason="malformed", message=f"{shown!r} is not a UK unit postcode"
        )
    outward = candidate[:-4]
    return Postcode(
        unit=candidate,
        sector=f"{outward} {match['sector']}",
        district=outward,
        area=match["area"],
    )


def normalise_postcodes(values: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`parse_postcode` for a whole column, keeping the index.

    Columns: ``postcode`` (normalised, NA unless ok), ``sector``, ``district`` and ``status``
    ("ok", "missing" or "malformed"). Each distinct raw value is parsed once (extracts repeat
    postcodes heavily), so a million rows take about a second.
    """
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): compare them by their text instead
        as_text = values.map(lambda v: None if _is_missing(v) else _text(v))
        codes, uniques = pd.factorize(as_text.astype(object), use_na_sentinel=True)
    raw = pd.Series(uniques, dtype=object)
    text = raw.map(_text).astype("str")
    squeezed = text.str.replace(r"\s+", "", regex=True).str.upper()
    blank = squeezed.str.len() == 0
    candidate = squeezed.str.slice(0, -3) + " " + squeezed.str.slice(-3)
    candidate = candidate.where(squeezed.str.len() > 3, squeezed)
    ok = candidate.str.fullmatch(POSTCODE_PATTERN.pattern).fillna(False).astype(bool)
    status = pd.Series("malformed", index=raw.index, dtype="str")
    status[blank] = "missing"
    status[ok] = "ok"
    unit = candidate.where(ok)
    outward = unit.str.slice(0, -4)
    sector = outward + " " + unit.str.slice(-3, -2)

    take = pd.Series(codes)
    missing_row = take < 0
    idx = take.clip(lower=0).to_numpy()

    def spread(column: pd.Series, fill: object) -> pd.Series:
        if len(column) == 0:
            return pd.Series([fill] * len(take), dtype="str")
        out = pd.Series(column.to_numpy()[idx], dtype="str")
        out[missing_row.to_numpy()] = fill
        return out

    frame = pd.DataFrame(
        {
            "postcode": spread(unit, pd.NA),
            "sector": spread(sector, pd.NA),
            "district": spread(outward, pd.NA),
            "status": spread(status, "missing"),
        }
    )
    frame.index = values.index
    return frame
