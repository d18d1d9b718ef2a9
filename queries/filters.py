"""The one filter model: parsed from a query string, checked against the reference tables.

Nothing reaches SQL until every value is known to be allowed; the values then travel as query
parameters, never as SQL text. Errors name the field and, where short enough, the allowed values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from queries.database import Reference

PERIOD_KINDS: tuple[str, ...] = ("year", "fy", "quarter")
LEVELS: tuple[str, ...] = ("city", "ward", "district", "sector", "h3r7", "h3r8", "region")
MEASURES: tuple[str, ...] = (
    "people",
    "agreements_active",
    "agreements_started",
    "cost",
    "rate_per_1000",
    "internal_share",
)
DIMENSIONS: tuple[str, ...] = ("age_band", "gender", "ethnic_group")
#: Levels coarse enough for gender and ethnicity (small groups are identifying at finer ones).
DEMOGRAPHIC_LEVELS: tuple[str, ...] = ("city", "district", "region")
MAX_LIST_ITEMS = 500
MAX_VALUE_CHARS = 20_000
MAX_REGIONS = 12
MAX_TOP_N = 50
#: Allowed values are listed in errors only when there are this few (areas are not).
MAX_ALLOWED_IN_ERROR = 60
_REGION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.'&()-]{0,39}$")

PARAMETERS: tuple[str, ...] = (
    "period_kind",
    "from",
    "to",
    "level",
    "areas",
    "within",
    "regions",
    "age_bands",
    "elements",
    "services",
    "themes",
    "provision",
    "client_groups",
    "genders",
    "ethnic_groups",
    "measure",
    "top_n",
    "element",
    "element_a",
    "element_b",
    "dimension",
)


class FilterError(ValueError):
    """A filter parameter is not allowed: names the field, says why, lists allowed values."""

    def __init__(self, field: str, message: str, allowed: Sequence[str] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.allowed = list(allowed)[:MAX_ALLOWED_IN_ERROR] if allowed is not None else None

    def to_json(self) -> dict:
        out: dict = {"field": self.field, "message": self.message}
        if self.allowed is not None:
            out["allowed"] = self.allowed
        return out


@dataclass(frozen=True)
class Region:
    name: str
    members: tuple[str, ...]  # districts and/or ward codes


@dataclass(frozen=True)
class Filters:
    """A validated filter state. Build with :func:`parse_filters`; hashable, so cacheable."""

    period_kind: str = "year"
    period_from: str = ""
    period_to: str = ""
    level: str = "ward"
    areas: tuple[str, ...] = ()
    within: str | None = None
    regions: tuple[Region, ...] = ()
    age_bands: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    provision: tuple[str, ...] = ()
    client_groups: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    ethnic_groups: tuple[str, ...] = ()
    measure: str = "people"
    top_n: int = 10
    element: str | None = None
    element_a: str | None = None
    element_b: str | None = None
    dimension: str = "age_band"

    def to_params(self) -> dict[str, str]:
        """Canonical query-string form (the URL state); parse_filters(to_params()) == self."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            key = {"period_from": "from", "period_to": "to"}.get(f.name, f.name)
            if f.name == "regions":
                if value:
                    out[key] = ";".join(f"{r.name}:{'+'.join(r.members)}" for r in value)
            elif isinstance(value, tuple):
                if value:
                    out[key] = ",".join(value)
            elif value is not None:
                out[key] = str(value)
        return out

    def cache_key(self) -> str:
        return "&".join(f"{k}={v}" for k, v in sorted(self.to_params().items()))


def _scalar(raw: Mapping[str, object], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise FilterError(name, "must be text")
        value = ",".join(value)
    if not isinstance(value, str):
        raise FilterError(name, "must be text")
    if len(value) > MAX_VALUE_CHARS:
        raise FilterError(name, f"is longer than {MAX_VALUE_CHARS} characters")
    value = value.strip()
    return value or None


def _choice(raw: Mapping[str, object], name: str, allowed: Sequence[str], default: str) -> str:
    value = _scalar(raw, name)
    if value is None:
        return default
    if value not in allowed:
        raise FilterError(name, f"{value!r} is not an allowed value", allowed)
    return value


def _list(raw: Mapping[str, object], name: str, allowed: Sequence[str]) -> tuple[str, ...]:
    value = _scalar(raw, name)
    if value is None:
        return ()
    items = [v.strip() for v in value.split(",") if v.strip()]
    if len(items) > MAX_LIST_ITEMS:
        raise FilterError(name, f"lists at most {MAX_LIST_ITEMS} values, got {len(items)}")
    allowed_set = set(allowed)
    for item in items:
        if item not in allowed_set:
            raise FilterError(name, f"{item!r} is not an allowed value", allowed)
    order = {v: i for i, v in enumerate(allowed)}
    return tuple(sorted(set(items), key=order.__getitem__))


def _regions(raw: Mapping[str, object], ref: Reference) -> tuple[Region, ...]:
    value = _scalar(raw, "regions")
    if value is None:
        return ()
    known = set(ref.areas["district"]) | set(ref.areas["ward"])
    parts = [p for p in value.split(";") if p.strip()]
    if len(parts) > MAX_REGIONS:
        raise FilterError("regions", f"at most {MAX_REGIONS} regions, got {len(parts)}")
    out: list[Region] = []
    for part in parts:
        name, sep, members = part.partition(":")
        name = name.strip()
        if not sep or not _REGION_NAME.match(name):
            raise FilterError(
                "regions",
                "write regions as Name:B16+B18;Other:B9 (names: letters, digits, spaces, "
                "up to 40 characters)",
            )
        # "+" joins members; in a URL a bare "+" arrives as a space, so both are accepted.
        codes = [m for m in re.split(r"[+\s]+", members) if m]
        if not codes or len(codes) > MAX_LIST_ITEMS:
            raise FilterError("regions", f"region {name!r} needs 1..{MAX_LIST_ITEMS} members")
        for code in codes:
            if code not in known:
                raise FilterError(
                    "regions",
                    f"{code!r} in region {name!r} is not a district or ward code",
                    sorted(ref.areas["district"]),
                )
        if name in {r.name for r in out}:
            raise FilterError("regions", f"region {name!r} is given twice")
        out.append(Region(name, tuple(dict.fromkeys(codes))))
    return tuple(out)


def _element(raw: Mapping[str, object], name: str, ref: Reference) -> str | None:
    value = _scalar(raw, name)
    if value is not None and value not in ref.elements:
        raise FilterError(name, f"{value!r} is not an element code", list(ref.elements))
    return value


def parse_filters(raw: Mapping[str, object], reference: Reference) -> Filters:
    """Validate a query-string-like mapping into Filters; raise FilterError naming the field."""
    if not isinstance(raw, Mapping):
        raise FilterError("filters", "must be a mapping of parameter names to values")
    for key in raw:
        if key not in PARAMETERS:
            raise FilterError(str(key)[:80], "is not a filter parameter", PARAMETERS)
    ref = reference
    kind = _choice(raw, "period_kind", PERIOD_KINDS, "year")
    labels = ref.periods.get(kind, ())
    if not labels:
        raise FilterError("period_kind", f"the database holds no {kind} periods", PERIOD_KINDS)
    period_from = _choice(raw, "from", labels, labels[0])
    period_to = _choice(raw, "to", labels, labels[-1])
    if labels.index(period_from) > labels.index(period_to):
        raise FilterError("to", f"{period_to!r} is before from={period_from!r}")
    level = _choice(raw, "level", LEVELS, "ward")
    areas: tuple[str, ...] = ()
    if level in ref.areas:
        areas = _list(raw, "areas", list(ref.areas[level]))
    elif _scalar(raw, "areas") is not None:
        raise FilterError("areas", f"does not apply at level={level}; use level=ward, ...")
    within = _scalar(raw, "within")
    if within is not None:
        if level not in ("sector", "h3r7", "h3r8"):
            raise FilterError("within", "applies only at level=sector, h3r7 or h3r8")
        allowed_within = list(ref.areas["ward"]) + list(ref.areas["district"])
        if within not in allowed_within:
            raise FilterError("within", f"{within!r} is not a ward code or district")
    regions = _regions(raw, ref)
    if level == "region" and not regions:
        raise FilterError("regions", "level=region needs regions, e.g. North:B16+B18;East:B9")
    if level != "region" and regions:
        raise FilterError("regions", "applies only at level=region")
    genders = _list(raw, "genders", ref.genders)
    ethnic_groups = _list(raw, "ethnic_groups", ref.ethnic_groups)
    dimension = _choice(raw, "dimension", DIMENSIONS, "age_band")
    for name, used in (
        ("genders", bool(genders)),
        ("ethnic_groups", bool(ethnic_groups)),
        ("dimension", dimension != "age_band"),
    ):
        if used and level not in DEMOGRAPHIC_LEVELS:
            raise FilterError(
                name,
                f"gender and ethnicity are shown only at coarse geography, not level={level}",
                DEMOGRAPHIC_LEVELS,
            )
        wards = set(ref.areas["ward"])
        if used and any(code in wards for region in regions for code in region.members):
            raise FilterError(
                name,
                "gender and ethnicity are shown only for regions made of whole postcode "
                "districts (a region with wards is finer than a district)",
            )
    top_raw = _scalar(raw, "top_n")
    top_n = 10
    if top_raw is not None:
        if not top_raw.isdigit() or not 1 <= int(top_raw) <= MAX_TOP_N:
            raise FilterError("top_n", f"must be a whole number 1..{MAX_TOP_N}")
        top_n = int(top_raw)
    return Filters(
        period_kind=kind,
        period_from=period_from,
        period_to=period_to,
        level=level,
        areas=areas,
        within=within,
        regions=regions,
        age_bands=_list(raw, "age_bands", ref.age_bands),
        elements=_list(raw, "elements", list(ref.elements)),
        services=_list(raw, "services", ref.services),
        themes=_list(raw, "themes", ref.themes),
        provision=_list(raw, "provision", ref.provision_types),
        client_groups=_list(raw, "client_groups", ref.client_groups),
        genders=genders,
        ethnic_groups=ethnic_groups,
        measure=_choice(raw, "measure", MEASURES, "people"),
        top_n=top_n,
        element=_element(raw, "element", ref),
        element_a=_element(raw, "element_a", ref),
        element_b=_element(raw, "element_b", ref),
        dimension=dimension,
    )
