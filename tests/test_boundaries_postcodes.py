"""Postcode normalisation: the scalar and vectorised paths agree and never raise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundaries.postcodes import (
    POSTCODE_PATTERN,
    InvalidPostcode,
    Postcode,
    normalise_postcodes,
    parse_postcode,
)
from care_atlas.config import load_settings

CASES: list[tuple[object, str, str | None]] = [
    ("b236ab", "ok", "B23 6AB"),
    (" B23  6AB ", "ok", "B23 6AB"),
    ("B236AB", "ok", "B23 6AB"),
    ("B23 6AB", "ok", "B23 6AB"),
    ("B1 1AY", "ok", "B1 1AY"),
    ("b1 1ay", "ok", "B1 1AY"),
    ("wv10 0ab", "ok", "WV10 0AB"),
    ("EC1A 1BB", "ok", "EC1A 1BB"),
    ("\tB23\n6AB", "ok", "B23 6AB"),
    ("", "missing", None),
    ("   ", "missing", None),
    (None, "missing", None),
    (float("nan"), "missing", None),
    (pd.NA, "missing", None),
    ("NOTAPOSTCODE", "malformed", None),
    ("B23 6A", "malformed", None),
    ("B23", "malformed", None),
    ("B23 6CB", "malformed", None),  # C is never a unit letter
    ("B23 OAB", "malformed", None),  # letter O typed for zero
    ("12345", "malformed", None),
    (12345, "malformed", None),
    (1.5, "malformed", None),
    ("B23 6AB extra", "malformed", None),
]


@pytest.mark.parametrize(("raw", "status", "unit"), CASES)
def test_parse_postcode_table(raw: object, status: str, unit: str | None) -> None:
    parsed = parse_postcode(raw)
    if status == "ok":
        assert isinstance(parsed, Postcode)
        assert parsed.unit == unit
        assert POSTCODE_PATTERN.match(parsed.unit)
    else:
        assert isinstance(parsed, InvalidPostcode)
        assert parsed.reason == status
        assert parsed.raw is raw or (isinstance(raw, float) and math.isnan(raw))
        assert parsed.message


def test_parse_postcode_splits_codes() -> None:
    assert parse_postcode("b236ab") == Postcode(
        unit="B23 6AB", sector="B23 6", district="B23", area="B"
    )
    wv = parse_postcode("WV10 0AB")
    assert isinstance(wv, Postcode)
    assert (wv.sector, wv.district, wv.area) == ("WV10 0", "WV10", "WV")


def test_normalise_postcodes_table_keeps_index() -> None:
    values = pd.Series([raw for raw, _, _ in CASES], index=np.arange(len(CASES)) * 7 + 3)
    frame = normalise_postcodes(values)
    assert list(frame.columns) == ["postcode", "sector", "district", "status"]
    assert frame.index.equals(values.index)
    assert frame["status"].tolist() == [status for _, status, _ in CASES]
    expected_units = [unit for _, _, unit in CASES]
    got_units = [None if pd.isna(v) else v for v in frame["postcode"]]
    assert got_units == expected_units
    assert frame.loc[3, "sector"] == "B23 6" and frame.loc[3, "district"] == "B23"
    assert frame.loc[frame["status"] != "ok", ["postcode", "sector", "district"]].isna().all().all()


def _scalar_frame(values: pd.Series) -> pd.DataFrame:
    rows = []
    for raw in values:
        parsed = parse_postcode(raw)
        if isinstance(parsed, Postcode):
            rows.append((parsed.unit, parsed.sector, parsed.district, "ok"))
        else:
            rows.append((None, None, None, parsed.reason))
    return pd.DataFrame(rows, columns=["postcode", "sector", "district", "status"])


def _records(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame.itertuples(index=False, name=None)
    ]


def _assert_same(values: pd.Series) -> None:
    vector = normalise_postcodes(values).reset_index(drop=True)
    assert _records(vector) == _records(_scalar_frame(values))


def test_vectorised_equals_scalar_on_real_postcodes() -> None:
    settings = load_settings()
    real = pd.read_csv(settings.geography_dir / "b_area_postcodes.csv", usecols=["postcode"])
    sample = real["postcode"].sample(3000, random_state=1)
    rng = np.random.default_rng(7)
    messy = [
        p.lower().replace(" ", "") if i % 3 == 0 else f"  {p}  " if i % 3 == 1 else p
        for i, p in enumerate(sample)
    ]
    junk = [None, float("nan"), "", "B23 6A", 12345, "NOTAPOSTCODE", "b23 6ab"] * 20
    values = pd.Series(messy + junk, dtype=object).sample(frac=1.0, random_state=3)
    values.index = rng.permutation(len(values))
    _assert_same(values)
    assert (normalise_postcodes(sample)["status"] == "ok").all()


def test_normalise_postcodes_empty_and_all_missing() -> None:
    assert normalise_postcodes(pd.Series([], dtype=object)).empty
    frame = normalise_postcodes(pd.Series([None, float("nan")]))
    assert frame["status"].tolist() == ["missing", "missing"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="AB019 abcnoWV\t", max_size=9), max_size=40))
def test_vectorised_equals_scalar_on_random_text(texts: list[str]) -> None:
    _assert_same(pd.Series(texts, dtype=object))


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text")


def test_odd_objects_are_malformed_on_both_paths() -> None:
    values = pd.Series([_Unprintable(), b"B23 6AB", ["B23 6AB"], True], dtype=object)
    assert [parse_postcode(v).reason for v in values] == ["malformed"] * 4  # type: ignore[union-attr]
    assert normalise_postcodes(values)["status"].tolist() == ["malformed"] * 4


def test_spreadsheet_whitespace_and_unicode_agree() -> None:
    values = pd.Series(
        ["B23\u00a06AB", "\u200b", "\ufeffb23 6ab", "B2 36ß", "Ｂ23 6AB", "\u3000"], dtype=object
    )
    assert normalise_postcodes(values)["status"].tolist() == [
        "ok",
        "missing",
        "ok",
        "malformed",
        "malformed",
        "missing",
    ]
    _assert_same(values)
