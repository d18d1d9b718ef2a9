"""Plant realistic defects in a chunk's text columns, and count exactly what was planted.

Quarantine defects: a chosen row gets exactly one, of one reason of ``ingest/reasons.py``, and
nothing else about the row is wrong, so a build following that module's order reports that
reason. Duplicate agreement ids are extra rows, copies of an earlier clean row placed after it.

Repairs: missing/odd dates of birth, genders, ethnicities and client groups belong to a *person* (all their
rows); missing costs, planned ends after the data date and service-code mismatches to a row.
They are counted only on rows that are not quarantined (a quarantined row is never loaded).
The date of birth carries at most one flag: the first of DOB_MISSING, DOB_UNPARSEABLE,
DOB_IN_FUTURE, DOB_AFTER_START, DOB_IMPLAUSIBLE that applies; planted values are chosen so
exactly the intended one applies.

Also, without a flag: a few clean postcodes in lower case or without their space, which the
contract allows ("any spacing / case") and a build must normalise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.reasons import QUARANTINE_CODES, REPAIR_CODES
from synth.agreements import DATA_DAY, Agreements, Catalogue
from synth.columns import iso_dates, money
from synth.geography import Geography

#: Share of (non-duplicate) rows quarantined for each reason; duplicates are extra rows.
QUARANTINE_RATES: dict[str, float] = {
    "AGREEMENT_ID_MISSING": 0.0005,
    "AGREEMENT_ID_MALFORMED": 0.0005,
    "AGREEMENT_ID_DUPLICATE": 0.002,
    "PERSON_ID_MISSING": 0.0005,
    "PERSON_ID_MALFORMED": 0.0005,
    "ELEMENT_MISSING": 0.0005,
    "ELEMENT_UNKNOWN": 0.001,
    "START_MISSING": 0.0005,
    "START_UNPARSEABLE": 0.0005,
    "START_TOO_EARLY": 0.0005,
    "START_IN_FUTURE": 0.0005,
    "END_UNPARSEABLE": 0.0005,
    "END_BEFORE_START": 0.001,
    "POSTCODE_MISSING": 0.0015,
    "POSTCODE_MALFORMED": 0.001,
    "POSTCODE_NON_GEOGRAPHIC": 0.0005,
    "POSTCODE_OUTSIDE_AREA": 0.0015,
    "COST_UNPARSEABLE": 0.0005,
    "COST_NEGATIVE": 0.0005,
    "COST_ABSURD": 0.0005,
}
#: Person-level date-of-birth, gender and ethnicity defects (share of people).
PERSON_RATES: dict[str, float] = {
    "DOB_MISSING": 0.2,  # about 1 in 5 client records lack a DOB (T:489)
    "DOB_UNPARSEABLE": 0.002,
    "DOB_IN_FUTURE": 0.002,
    "DOB_AFTER_START": 0.002,
    "DOB_IMPLAUSIBLE": 0.002,
}
GENDER_RATE = 0.003
ETHNICITY_RATE = 0.005
CLIENT_GROUP_RATE = 0.003
#: Row-level repairs (share of loaded rows; END_AFTER_DATA_DATE: share of open agreements).
COST_MISSING_RATE = 0.02
END_AFTER_DATA_DATE_RATE = 0.08
SERVICE_MISMATCH_RATE = 0.003
#: Benign postcode spellings on clean rows.
LOWER_CASE_RATE = 0.015
NO_SPACE_RATE = 0.01

BAD_IDS_PREFIX = ("A", "ADE-", "#")
BAD_IDS_SUFFIX = ("/1", "-A", " 2")
UNKNOWN_ELEMENTS = ("OAHSOCO", "OAEHSCGO", "OAEHSGCX", "CHIRDRT2", "LDXDCYA", "ZZUNKNWN")
BAD_DATES = ("2012-02-30", "31/13/2012", "TBC", "2011-13-01", "not known", "2013-06-31")
EARLY_STARTS = ("1900-01-01", "1899-12-31", "1901-01-01", "1980-04-01", "1989-12-31")
BAD_POSTCODES = ("NFA", "NO FIXED ABODE", "B23", "UNKNOWN", "12345", "B2 3AB3", "B31 2OO")
BAD_COSTS = ("TBC", "see contract", "1O5.00", "12.5.0")
BAD_GENDERS = ("9", "?", "Z", "1")
BAD_ETHNICITIES = ("99", "ZZ", "see notes", "A9")
BAD_CLIENT_GROUPS = ("99", "Z", "see notes", "LD?")
IMPLAUSIBLE_DOBS = ("1890-01-01", "1885-06-30", "1888-12-25")


@dataclass
class Planted:
    """A chunk after planting: its columns (duplicates appended) and what was planted."""

    columns: dict[str, pa.Array]
    quarantine: Counter[str]
    repair: Counter[str]


def plant(
    rng: np.random.Generator,
    rows: Agreements,
    columns: dict[str, pa.Array],
    geo: Geography,
    cat: Catalogue,
    duplicates: int,
) -> Planted:
    """Plant defects in one chunk; ``duplicates`` extra rows are appended at its end."""
    n = len(rows)
    cols = dict(columns)
    quarantine: Counter[str] = Counter(dict.fromkeys(QUARANTINE_CODES, 0))
    repair: Counter[str] = Counter(dict.fromkeys(REPAIR_CODES, 0))

    # 1. Quarantine: disjoint sets of rows, one reason each.
    order = rng.permutation(n)
    reason_rows: dict[str, np.ndarray] = {}
    taken = 0
    for code, rate in QUARANTINE_RATES.items():
        if code == "AGREEMENT_ID_DUPLICATE":
            continue
        count = int(round(n * rate))
        reason_rows[code] = np.sort(order[taken : taken + count])
        taken += count
    quarantined = np.zeros(n, dtype=bool)
    quarantined[order[:taken]] = True
    for code, idx in reason_rows.items():
        _plant_quarantine(rng, code, idx, rows, cols, geo)
        quarantine[code] += len(idx)

    loaded = ~quarantined
    flagged = np.zeros(n, dtype=bool)  # rows carrying any repair flag

    # 2. Person-level repairs.
    people = int(rows.person.max()) + 1 if n else 0
    draw = rng.random(people)
    edge = 0.0
    person_dob: dict[str, np.ndarray] = {}
    for code, rate in PERSON_RATES.items():
        person_dob[code] = (draw >= edge) & (draw < edge + rate)
        edge += rate
    # DOB after start only for people whose every agreement starts a month before the data date.
    last_start = np.full(people, np.iinfo(np.int64).min)
    np.maximum.at(last_start, rows.person, rows.start)
    person_dob["DOB_AFTER_START"] &= last_start <= DATA_DAY - 30
    dob = cols["date_of_birth"]
    for code, chosen in person_dob.items():
        hit = chosen[rows.person]
        if not hit.any():
            continue
        dob = _replace(dob, hit, _dob_values(rng, code, hit, rows, last_start))
        repair[code] += int((hit & loaded).sum())
        flagged |= hit
    cols["date_of_birth"] = dob
    for column, rate, values, code in (
        ("gender", GENDER_RATE, BAD_GENDERS, "GENDER_UNRECOGNISED"),
        ("ethnicity", ETHNICITY_RATE, BAD_ETHNICITIES, "ETHNICITY_UNRECOGNISED"),
        ("client_group", CLIENT_GROUP_RATE, BAD_CLIENT_GROUPS, "CLIENT_GROUP_UNRECOGNISED"),
    ):
        hit = (rng.random(people) < rate)[rows.person]
        per_person = rng.integers(0, len(values), people)
        wrong = np.asarray(values, dtype=object)[per_person[rows.person[hit]]]
        cols[column] = _replace(cols[column], hit, pa.array(wrong, pa.string()))
        repair[code] += int((hit & loaded).sum())
        flagged |= hit

    # 3. Row-level repairs, on loaded rows only, disjoint from each other.
    spare = np.flatnonzero(loaded)
    rng.shuffle(spare)
    n_cost = int(round(len(spare) * COST_MISSING_RATE))
    n_service = int(round(len(spare) * SERVICE_MISMATCH_RATE))
    cost_rows, service_rows = spare[:n_cost], spare[n_cost : n_cost + n_service]
    cols["weekly_cost"] = _replace(cols["weekly_cost"], _mask(n, cost_rows), None)
    repair["COST_MISSING"] += len(cost_rows)
    _plant_service_mismatch(rng, np.sort(service_rows), rows, cols, cat)
    repair["SERVICE_MISMATCH"] += len(service_rows)
    open_rows = np.setdiff1d(np.flatnonzero(loaded & rows.open), spare[: n_cost + n_service])
    end_rows = rng.choice(
        open_rows, int(round(len(open_rows) * END_AFTER_DATA_DATE_RATE)), replace=False
    )
    end_rows.sort()
    planned = DATA_DAY + rng.integers(1, 367, len(end_rows))
    cols["agreement_end"] = _replace(cols["agreement_end"], _mask(n, end_rows), iso_dates(planned))
    repair["END_AFTER_DATA_DATE"] += len(end_rows)
    flagged[spare[: n_cost + n_service]] = True
    flagged[end_rows] = True

    # 4. Benign postcode spellings on clean rows.
    clean = np.flatnonzero(loaded & ~flagged)
    lower = clean[rng.random(len(clean)) < LOWER_CASE_RATE]
    squeeze = clean[rng.random(len(clean)) < NO_SPACE_RATE]
    postcode = cols["postcode"]
    postcode = pc.if_else(pa.array(_mask(n, lower)), pc.utf8_lower(postcode), postcode)
    postcode = pc.if_else(
        pa.array(_mask(n, squeeze)), pc.replace_substring(postcode, " ", ""), postcode
    )
    cols["postcode"] = postcode

    # 5. Duplicate agreement ids: copies of clean rows, appended after the chunk's rows.
    if duplicates:
        pool = np.setdiff1d(clean, np.concatenate([lower, squeeze]))
        if len(pool) < duplicates:  # only in tiny chunks: fall back to any loaded row
            pool = np.flatnonzero(loaded)
        copies = np.sort(rng.choice(pool, duplicates, replace=len(pool) < duplicates))
        index = pa.array(np.concatenate([np.arange(n), copies]))
        cols = {name: array.take(index) for name, array in cols.items()}
        quarantine["AGREEMENT_ID_DUPLICATE"] += len(copies)
    return Planted(columns=cols, quarantine=quarantine, repair=repair)


def _mask(n: int, idx: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def _pick(rng: np.random.Generator, values: tuple[str, ...], count: int) -> pa.Array:
    return pa.array(np.asarray(values, dtype=object)[rng.integers(0, len(values), count)])


def _replace(array: pa.Array, mask: np.ndarray, values: pa.Array | None) -> pa.Array:
    """Set ``array`` at ``mask`` to ``values`` (in order), or to null when values is None."""
    if not mask.any():
        return array
    if values is None:
        values = pa.nulls(int(mask.sum()), pa.string())
    return pc.replace_with_mask(array, pa.array(mask), values)


def _prefixed(rng: np.random.Generator, text: pa.Array) -> pa.Array:
    """Malformed ids: a prefix or suffix glued to the real number."""
    count = len(text)
    before = _pick(rng, BAD_IDS_PREFIX + ("",) * 3, count)
    after = pc.if_else(
        pc.equal(before, ""), _pick(rng, BAD_IDS_SUFFIX, count), pa.array([""] * count)
    )
    return pc.binary_join_element_wise(before, text, after, "")


def _plant_quarantine(
    rng: np.random.Generator,
    code: str,
    idx: np.ndarray,
    rows: Agreements,
    cols: dict[str, pa.Array],
    geo: Geography,
) -> None:
    n, count = len(rows), len(idx)
    if not count:
        return
    mask = _mask(n, idx)
    take = pa.array(idx)

    def put(column: str, values: pa.Array | None) -> None:
        cols[column] = _replace(cols[column], mask, values)

    if code == "AGREEMENT_ID_MISSING":
        put("agreement_id", None)
    elif code == "AGREEMENT_ID_MALFORMED":
        put("agreement_id", _prefixed(rng, cols["agreement_id"].take(take)))
    elif code == "PERSON_ID_MISSING":
        put("person_id", None)
    elif code == "PERSON_ID_MALFORMED":
        put("person_id", _prefixed(rng, cols["person_id"].take(take)))
    elif code == "ELEMENT_MISSING":
        put("element_code", None)
    elif code == "ELEMENT_UNKNOWN":
        put("element_code", _pick(rng, UNKNOWN_ELEMENTS, count))
    elif code == "START_MISSING":
        put("agreement_start", None)
    elif code == "START_UNPARSEABLE":
        put("agreement_start", _pick(rng, BAD_DATES, count))
    elif code == "START_TOO_EARLY":
        put("agreement_start", _pick(rng, EARLY_STARTS, count))
    elif code == "START_IN_FUTURE":
        # A century typo: 2011-05-16 typed as 2111-05-16. The end is cleared so only this applies.
        start = cols["agreement_start"].take(take)
        put(
            "agreement_start",
            pc.binary_join_element_wise("21", pc.utf8_slice_codeunits(start, 2), ""),
        )
        put("agreement_end", None)
    elif code == "END_UNPARSEABLE":
        put("agreement_end", _pick(rng, BAD_DATES, count))
    elif code == "END_BEFORE_START":
        put("agreement_end", iso_dates(rows.start[idx] - rng.integers(1, 120, count)))
    elif code == "POSTCODE_MISSING":
        put("postcode", None)
    elif code == "POSTCODE_MALFORMED":
        put("postcode", _pick(rng, BAD_POSTCODES, count))
    elif code == "POSTCODE_NON_GEOGRAPHIC":
        put(
            "postcode",
            geo.non_geographic.take(pa.array(rng.integers(0, len(geo.non_geographic), count))),
        )
    elif code == "POSTCODE_OUTSIDE_AREA":
        put(
            "postcode",
            geo.outside_area.take(pa.array(rng.integers(0, len(geo.outside_area), count))),
        )
    elif code == "COST_UNPARSEABLE":
        put("weekly_cost", _pick(rng, BAD_COSTS, count))
    elif code == "COST_NEGATIVE":
        put("weekly_cost", money(-rows.cost_pence[idx]))
    elif code == "COST_ABSURD":
        # Extra zeros typed: at least £30,000 a week, above the £25,000 limit.
        put("weekly_cost", money(np.maximum(rows.cost_pence[idx] * 1000, 3_000_000)))
    else:  # pragma: no cover - QUARANTINE_RATES and this function list the same codes
        raise ValueError(f"no planter for {code}")


def _dob_values(
    rng: np.random.Generator,
    code: str,
    hit: np.ndarray,
    rows: Agreements,
    last_start: np.ndarray,
) -> pa.Array | None:
    """Replacement DOB text for the rows in ``hit`` (same value on all of a person's rows)."""
    person = rows.person[hit]
    if code == "DOB_MISSING":
        return None
    if code == "DOB_UNPARSEABLE":  # "1941-02-30": a day February never has
        year = pc.utf8_slice_codeunits(iso_dates(rows.dob[hit]), 0, 4)
        return pc.binary_join_element_wise(year, "-02-30", "")
    if code == "DOB_IN_FUTURE":  # a century typo: 1941 typed as 2141
        return pc.binary_join_element_wise(
            "21", pc.utf8_slice_codeunits(iso_dates(rows.dob[hit]), 2), ""
        )
    if code == "DOB_AFTER_START":  # after every start of the person, not after the data date
        gap = np.clip(DATA_DAY - last_start, 1, None)
        shift = 1 + (rng.random(len(gap)) * (gap - 1)).astype(np.int64)
        return iso_dates((last_start + shift)[person])
    if code == "DOB_IMPLAUSIBLE":  # placeholder dates: over 110 at any start after 2000
        values = np.asarray(IMPLAUSIBLE_DOBS, dtype=object)
        per_person = rng.integers(0, len(values), int(person.max()) + 1)
        return pa.array(values[per_person[person]])
    raise ValueError(f"no date-of-birth planter for {code}")


def _plant_service_mismatch(
    rng: np.random.Generator,
    idx: np.ndarray,
    rows: Agreements,
    cols: dict[str, pa.Array],
    cat: Catalogue,
) -> None:
    """Give rows another service's code and description (an old coding, say)."""
    if not len(idx):
        return
    services = sorted(set(zip(cat.service_codes, cat.service_descriptions, strict=True)))
    codes = np.array([s[0] for s in services], dtype=object)
    names = np.array([s[1] for s in services], dtype=object)
    own = np.searchsorted(codes, np.asarray(cat.service_codes, dtype=object)[rows.element[idx]])
    other = (own + rng.integers(1, len(services), len(idx))) % len(services)
    mask = _mask(len(rows), idx)
    cols["service_code"] = _replace(cols["service_code"], mask, pa.array(codes[other], pa.string()))
    cols["service_description"] = _replace(
        cols["service_description"], mask, pa.array(names[other], pa.string())
    )
