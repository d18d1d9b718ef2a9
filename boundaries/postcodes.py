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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: A normalised UK unit postcode: outward code (area letters, district digits, optional
#: sub-district character), one space, inward code (sector digit and two unit letters). The
#: letter sets follow Royal Mail's rules (e.g. no Q/V/X as the first letter, no C/I/K/M/O/V in
#: the unit letters), which rejects common typing errors such as a zero typed as a letter O.
POSTCODE_PATTERN: re.Pattern[str] = re.compile(
    r"^(?P<area>[A-PR-UWYZ][A-HK-Y]?)(?P<rest>[0-9][0-9A-Z]?) (?P<sector>[0-9])[ABD-HJLNP-UW-Z]{2}$"
)

InvalidReason = Literal["missing", "malformed", "outside_area"]

#: Every character Python counts as whitespace (non-breaking spaces from spreadsheets included)
#: plus zero-width characters, written out literally so Python's ``re`` and pyarrow's RE2 (the
#: vectorised path) remove exactly the same characters.
_SPACE_CHARS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\ufeff"
_WHITESPACE = re.compile(f"[{_SPACE_CHARS}]+")


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
    return isinstance(raw, str) and not _WHITESPACE.sub("", raw)


def _compact(text: str) -> str:
    """Upper case without any whitespace, then one space before the three-character inward code."""
    squeezed = _WHITESPACE.sub("", text)
    if not squeezed.isascii():  # a postcode is plain ASCII; this also keeps "ß".upper() out
        return squeezed
    squeezed = squeezed.upper()
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
    postcodes heavily) with pyarrow string kernels, so a million rows take a second or two.
    """
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): compare them by their text instead
        as_text = values.map(lambda v: None if _is_missing(v) else _text(v))
        codes, uniques = pd.factorize(as_text.astype(object), use_na_sentinel=True)
    strings = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(strings, skipna=False) != "string":
        strings = np.array([_text(v) for v in strings], dtype=object)
    text = pa.array(strings, type=pa.string())

    squeezed = pc.utf8_upper(pc.replace_substring_regex(text, _WHITESPACE.pattern, ""))
    length = pc.utf8_length(squeezed)
    joined = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(squeezed, start=0, stop=-3),
        pc.utf8_slice_codeunits(squeezed, start=-3),
        " ",
    )
    candidate = pc.if_else(pc.greater(length, 3), joined, squeezed)
    ok = pc.and_(
        pc.string_is_ascii(squeezed), pc.match_substring_regex(candidate, POSTCODE_PATTERN.pattern)
    )
    unit = pc.if_else(ok, candidate, pa.scalar(None, pa.string()))
    outward = pc.utf8_slice_codeunits(unit, start=0, stop=-4)
    sector = pc.binary_join_element_wise(
        outward, pc.utf8_slice_codeunits(unit, start=-3, stop=-2), " "
    )
    ok_np = ok.to_numpy(zero_copy_only=False).astype(bool)
    blank_np = pc.equal(length, 0).to_numpy(zero_copy_only=False).astype(bool)
    status = pa.array(np.where(ok_np, "ok", np.where(blank_np, "missing", "malformed")))

    rows = pa.array(codes, mask=codes < 0, type=pa.int64())

    def spread(column: pa.Array) -> pd.Series:
        return pd.Series(column.take(rows), index=values.index, dtype="str")

    statuses = spread(status).fillna("missing")  # NA rows (None, NaN) never reached the parser
    return pd.DataFrame(
        {
            "postcode": spread(unit),
            "sector": spread(sector),
            "district": spread(outward),
            "status": statuses,
        },
        index=values.index,
    )
