"""Stable reason codes for rows the build quarantines or repairs.

One definition shared by the build (which assigns them) and the synthetic generator (which
plants them and counts them in its manifest), so a build can prove it lost nothing.

A row gets at most one quarantine reason: the first that applies in the order below.
Repairs apply only to rows that are loaded, and a row may carry several repair flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    QUARANTINE = "quarantine"  # the row is not loaded; it goes to the quarantine file
    REPAIR = "repair"  # the row is loaded with the field set to unknown / clipped, and flagged


@dataclass(frozen=True)
class Reason:
    code: str
    action: Action
    message: str


# Order matters for quarantine reasons: the first that applies is the one reported.
REASONS: tuple[Reason, ...] = (
    Reason(
        "EXTRA_FIELDS",
        Action.QUARANTINE,
        "Row has more fields than the header (a separator inside an unquoted value?), so its "
        "values may be in the wrong columns; the extra fields are in extra_fields.",
    ),
    Reason("AGREEMENT_ID_MISSING", Action.QUARANTINE, "Agreement id is blank."),
    Reason("AGREEMENT_ID_MALFORMED", Action.QUARANTINE, "Agreement id is not a whole number."),
    Reason(
        "AGREEMENT_ID_DUPLICATE",
        Action.QUARANTINE,
        "Agreement id already seen on an earlier row; the first row is kept.",
    ),
    Reason("PERSON_ID_MISSING", Action.QUARANTINE, "Person id is blank."),
    Reason("PERSON_ID_MALFORMED", Action.QUARANTINE, "Person id is not a whole number."),
    Reason("ELEMENT_MISSING", Action.QUARANTINE, "Element code is blank."),
    Reason("ELEMENT_UNKNOWN", Action.QUARANTINE, "Element code is not in the element catalogue."),
    Reason("START_MISSING", Action.QUARANTINE, "Agreement start date is blank."),
    Reason(
        "START_UNPARSEABLE",
        Action.QUARANTINE,
        "Agreement start date is not a date (or its time of day is impossible).",
    ),
    Reason(
        "START_TOO_EARLY",
        Action.QUARANTINE,
        "Agreement start date is before 1990 (a placeholder or typing error).",
    ),
    Reason("START_IN_FUTURE", Action.QUARANTINE, "Agreement start date is after the build date."),
    Reason("END_UNPARSEABLE", Action.QUARANTINE, "Agreement end date is not a date."),
    Reason("END_BEFORE_START", Action.QUARANTINE, "Agreement ends before it starts."),
    Reason("POSTCODE_MISSING", Action.QUARANTINE, "Postcode is blank."),
    Reason("POSTCODE_MALFORMED", Action.QUARANTINE, "Postcode is not a valid UK postcode."),
    Reason(
        "POSTCODE_NON_GEOGRAPHIC",
        Action.QUARANTINE,
        "Postcode is a PO box, mail centre or other non-geographic postcode and cannot be placed.",
    ),
    Reason(
        "POSTCODE_OUTSIDE_AREA",
        Action.QUARANTINE,
        "Postcode is valid but outside the council's area.",
    ),
    Reason(
        "COST_UNPARSEABLE",
        Action.QUARANTINE,
        "Weekly cost is not a number (commas are allowed only as thousands separators).",
    ),
    Reason("COST_NEGATIVE", Action.QUARANTINE, "Weekly cost is negative."),
    Reason(
        "COST_ABSURD",
        Action.QUARANTINE,
        "Weekly cost is above the plausible maximum (default £25,000 a week).",
    ),
    # Repairs: the row is kept.
    Reason("COST_MISSING", Action.REPAIR, "Weekly cost is blank; loaded with cost unknown."),
    Reason("DOB_MISSING", Action.REPAIR, "Date of birth is blank; loaded with age band unknown."),
    Reason(
        "DOB_UNPARSEABLE",
        Action.REPAIR,
        "Date of birth is not a date; loaded with age band unknown.",
    ),
    Reason(
        "DOB_IN_FUTURE",
        Action.REPAIR,
        "Date of birth is after the build date; loaded with age band unknown.",
    ),
    Reason(
        "DOB_AFTER_START",
        Action.REPAIR,
        "Date of birth is after the agreement start; loaded with age band unknown.",
    ),
    Reason(
        "DOB_IMPLAUSIBLE",
        Action.REPAIR,
        "Age at agreement start is over 110; loaded with age band unknown.",
    ),
    Reason(
        "END_AFTER_DATA_DATE",
        Action.REPAIR,
        "Agreement end is after the data date (a planned end); treated as open at the data date.",
    ),
    Reason(
        "GENDER_UNRECOGNISED",
        Action.REPAIR,
        "Gender is not a recognised value; loaded as 'Not known'.",
    ),
    Reason(
        "ETHNICITY_UNRECOGNISED",
        Action.REPAIR,
        "Ethnicity is not a census category; loaded as 'Not known'.",
    ),
    Reason(
        "SERVICE_MISMATCH",
        Action.REPAIR,
        "Service code differs from the element catalogue's; the catalogue's service is used.",
    ),
    Reason(
        "CLIENT_GROUP_UNRECOGNISED",
        Action.REPAIR,
        "Client group is not a primary support reason category; loaded as 'Not known'.",
    ),
)

BY_CODE: dict[str, Reason] = {r.code: r for r in REASONS}
#: Reasons that come from the file's layout, not from a value: the synthetic generator writes
#: well-formed files (and Parquet has no long rows), so it never plants these.
LAYOUT_CODES: tuple[str, ...] = ("EXTRA_FIELDS",)
QUARANTINE_CODES: tuple[str, ...] = tuple(r.code for r in REASONS if r.action is Action.QUARANTINE)
REPAIR_CODES: tuple[str, ...] = tuple(r.code for r in REASONS if r.action is Action.REPAIR)

#: The most a weekly cost can plausibly be; above it the row is quarantined as COST_ABSURD.
MAX_WEEKLY_COST = 25_000.0
#: Agreements starting before this are placeholders or typing errors.
EARLIEST_START = "1990-01-01"
#: Oldest plausible age at agreement start.
MAX_AGE_YEARS = 110
