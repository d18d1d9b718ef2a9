"""The build's SQL rules agree with their Python references: postcodes and HMAC pseudonyms."""

from __future__ import annotations

import random

import duckdb
import pandas as pd
import pytest

from boundaries.postcodes import POSTCODE_PATTERN, normalise_postcodes
from ingest.build import sql_steps
from ingest.keys import DEMO_KEY, hmac_hex, hmac_pads, key_id, resolve_key


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    macros = dict(sql_steps())["000_macros.sql"]
    con.execute(macros)
    con.execute("SET VARIABLE postcode_pattern = $p", {"p": POSTCODE_PATTERN.pattern})
    return con


def _mixed_postcodes(n: int) -> list[str | None]:
    rng = random.Random(3)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    values: list[str | None] = [None, "", "  ", "NFA", "B23", "B2 3AB3", "B31 2OO", "b236ab"]
    while len(values) < n:
        area = rng.choice(["B", "WS", "DY", "Q", "BX", "EC", "W", "M"])
        outward = area + str(rng.randint(0, 99)) + rng.choice(["", "", "A", "W", "1"])
        inward = str(rng.randint(0, 9)) + rng.choice(letters) + rng.choice(letters)
        sep = rng.choice([" ", "", "  ", "\t", " \n"])
        text = outward + sep + inward
        text = rng.choice([text, text.lower(), f" {text} ", text[:-1], text + "X"])
        values.append(text)
    return values


def test_sql_postcode_rules_agree_with_boundaries(con: duckdb.DuckDBPyConnection) -> None:
    values = _mixed_postcodes(5000)
    expected = normalise_postcodes(pd.Series(values, dtype=object))
    frame = pd.DataFrame({"i": range(len(values)), "raw": pd.Series(values, dtype=object)})
    con.register("inputs", frame)
    got = con.execute(
        """
        SELECT i, squeeze_postcode(raw) = '' AS blank,
               regexp_full_match(spaced_postcode(squeeze_postcode(raw)),
                                 getvariable('postcode_pattern')) AS ok,
               spaced_postcode(squeeze_postcode(raw)) AS unit
        FROM inputs ORDER BY i
        """
    ).df()
    status = got["blank"].map({True: "missing", False: "malformed"}).where(~got["ok"], "ok")
    assert list(status) == list(expected["status"])
    ok = got["ok"].to_numpy()
    assert list(got["unit"][ok]) == list(expected["postcode"][ok])
    assert ok.sum() > 500 and (~ok).sum() > 500  # both verdicts well exercised


def test_sql_hmac_matches_python(con: duckdb.DuckDBPyConnection) -> None:
    for key in (DEMO_KEY, b"k" * 16, b"x" * 100):  # short, long (hashed first) keys
        ipad, opad = hmac_pads(key)
        con.execute("SET VARIABLE hmac_ipad = $v", {"v": ipad})
        con.execute("SET VARIABLE hmac_opad = $v", {"v": opad})
        for message in ("person:500001", "agreement:1000001", "record-key:person:7"):
            got = con.execute("SELECT hmac_hex($m)", {"m": message}).fetchall()[0][0]
            assert got == hmac_hex(key, message)


def test_key_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("CARE_ATLAS_PSEUDONYM_KEY", "an environment key of some length")
    assert resolve_key(None, demo=True) == (b"an environment key of some length", False)
    path = tmp_path / "key"
    path.write_bytes(b"a key file holding a long secret\n")
    assert resolve_key(path, demo=True) == (b"a key file holding a long secret", False)
    monkeypatch.delenv("CARE_ATLAS_PSEUDONYM_KEY")
    assert resolve_key(None, demo=True) == (DEMO_KEY, True)
    assert len(key_id(DEMO_KEY)) == 12 and DEMO_KEY.hex()[:12] != key_id(DEMO_KEY)
