"""The one request model: parsed from a query string, one value per dimension, checked
against the publication catalogue and the reference tables before any cell is read.

PRIVACY.md §2: no lists, unions or free-form regions anywhere. Parameter names are the ones
shared URLs and API clients already use (``elements=OAEHSGCO``, ``age_bands=65+``), so a
request that asked for one value still works; a list gets a FilterError naming the field.
Errors name the field and, where short enough, the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from queries.catalogue import (
    ALL,
    LEVELS,
    MEASURES,
    PERIOD_KINDS,
    RANGE_SEPARATOR,
    CatalogueError,
    check_cell,
    what_kind,
    what_member,
)
from queries.reference import Reference

#: Measures a view can show: the published ones and those derived from them.
VIEW_MEASURES: tuple[str, ...] = (*MEASURES, "rate_per_1000", "internal_share")
DIMENSIONS: tuple[str, ...] = ("age_band", "gender", "ethnic_group")
MAX_VALUE_CHARS = 200
MAX_TOP_N = 50
#: Allowed values are listed in errors only when there are this few (areas are not).
MAX_ALLOWED_IN_ERROR = 60

#: The what dimension's parameters (today's names), and the kind each one names.
WHAT_PARAMETERS: tuple[str, ...] = ("elements", "services", "themes", "provision")
#: One-value breakdown parameters -> the catalogue dimension each one sets.
BREAKDOWN_PARAMETERS: dict[str, str] = {
    "age_bands": "age_band",
    "client_groups": "client_group",
    "genders": "gender",
    "ethnic_groups": "ethnic_group",
}

PARAMETERS: tuple[str, ...] = (
    "period_kind",
    "from",
    "to",
    "level",
    "region_set",
    "areas",
    "within",
    "regions",
    *WHAT_PARAMETERS,
    *BREAKDOWN_PARAMETERS,
    "measure",
    "top_n",
    "element",
    "element_a",
    "element_b",
    "dimension",
)


class FilterError(ValueError):
    """A request parameter is not allowed: names the field, says why, lists allowed values."""

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
class Filters:
    """A validated request: one value per dimension ("all" where not broken down). Build with
    :func:`parse_filters`; hashable, so cacheable."""

    period_kind: str = "year"
    period_from: str = ""
    period_to: str = ""
    level: str = "ward"
    region_set: str | None = None
    area: str | None = None
    within: str | None = None
    what: str = ALL
    age_band: str = ALL
    client_group: str = ALL
    gender: str = ALL
    ethnic_group: str = ALL
    measure: str = "people"
    top_n: int = 10
    element: str | None = None
    element_a: str | None = None
    element_b: str | None = None
    dimension: str = "age_band"

    @property
    def period(self) -> str:
        """The period member: a single period's label, or "first..last" for a range."""
        if self.period_from == self.period_to:
            return self.period_from
        return f"{self.period_from}{RANGE_SEPARATOR}{self.period_to}"

    @property
    def is_range(self) -> bool:
        return self.period_from != self.period_to

    @property
    def breakdowns(self) -> dict[str, str]:
        """The non-what breakdowns as the catalogue names them."""
        return {
            "age_band": self.age_band,
            "client_group": self.client_group,
            "gender": self.gender,
            "ethnic_group": self.ethnic_group,
        }

    def to_params(self) -> dict[str, str]:
        """Canonical query-string form (the URL state); parse_filters(to_params()) == self."""
        out: dict[str, str] = {
            "period_kind": self.period_kind,
            "from": self.period_from,
            "to": self.period_to,
            "level": self.level,
        }
        out.update(what_params(self.what))
        for param, dimension in BREAKDOWN_PARAMETERS.items():
            if getattr(self, dimension) != ALL:
                out[param] = getattr(self, dimension)
        for name in ("region_set", "within", "element", "element_a", "element_b"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.area is not None:
            out["areas"] = self.area
        out.update(measure=self.measure, top_n=str(self.top_n), dimension=self.dimension)
        return out

    def cache_key(self) -> str:
        return "&".join(f"{k}={v}" for k, v in sorted(self.to_params().items()))


def what_params(what: str) -> dict[str, str]:
    """A what member as today's parameters ("theme:MIA5:Internal" -> themes, provision)."""
    kind = what_kind(what)
    values = what.split(":")[1:]
    if kind == "element":
        return {"elements": values[0]}
    if kind == "service":
        return {"services": values[0]}
    if kind == "theme":
        return {"themes": values[0]}
    if kind == "theme_provision":
        return {"themes": values[0], "provision": values[1]}
    if kind == "provision":
        return {"provision": values[0]}
    return {}


def _scalar(raw: Mapping[str, object], name: str) -> str | None:
    """One value or None; a list (repeated parameter or commas) is refused by name."""
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, list | tuple):
        if len(value) > 1:
            raise FilterError(name, "takes one value (lists are not published)")
        value = value[0] if value else None
        if value is None:
            return None
    if not isinstance(value, str):
        raise FilterError(name, "must be text")
    if len(value) > MAX_VALUE_CHARS:
        raise FilterError(name, f"is longer than {MAX_VALUE_CHARS} characters")
    value = value.strip()
    if "," in value:
        raise FilterError(name, "takes one value: lists, unions and differences are not published")
    return value or None


def _choice(raw: Mapping[str, object], name: str, allowed: Sequence[str], default: str) -> str:
    value = _scalar(raw, name)
    if value is None:
        return default
    if value not in allowed:
        raise FilterError(name, f"{value!r} is not an allowed value", allowed)
    return value


def _optional(raw: Mapping[str, object], name: str, allowed: Sequence[str]) -> str | None:
    value = _scalar(raw, name)
    if value is not None and value not in allowed:
        raise FilterError(name, f"{value!r} is not an allowed value", allowed)
    return value


def _what(raw: Mapping[str, object], ref: Reference) -> str:
    element = _optional(raw, "elements", list(ref.elements))
    service = _optional(raw, "services", ref.services)
    theme = _optional(raw, "themes", ref.themes)
    provision = _optional(raw, "provision", ref.provision_types)
    given = [
        n for n, v in zip(WHAT_PARAMETERS, (element, service, theme, provision), strict=True) if v
    ]
    if element and len(given) > 1 or service and len(given) > 1:
        raise FilterError(
            given[1],
            "choose one of elements, services, themes or provision (themes may be combined "
            "with provision: the theme's internal or external part)",
        )
    if element:
        return what_member("element", element)
    if service:
        return what_member("service", service)
    if theme and provision:
        return what_member("theme_provision", theme, provision)
    if theme:
        return what_member("theme", theme)
    if provision:
        return what_member("provision", provision)
    return ALL


def _periods(raw: Mapping[str, object], ref: Reference) -> tuple[str, str, str]:
    kind = _choice(raw, "period_kind", PERIOD_KINDS, "year")
    labels = ref.periods.get(kind, ())
    if not labels:
        raise FilterError("period_kind", f"the database holds no {kind} periods", PERIOD_KINDS)
    first = _choice(raw, "from", labels, "")
    last = _choice(raw, "to", labels, "")
    if not first and not last:
        default = ref.default_range.get(kind, (labels[-1], labels[-1]))
        first, last = default
    first, last = first or last, last or first
    if labels.index(first) > labels.index(last):
        raise FilterError("to", f"{last!r} is before from={first!r}")
    return kind, first, last


def _level(raw: Mapping[str, object], ref: Reference) -> tuple[str, str | None]:
    if _scalar(raw, "regions") is not None:
        raise FilterError(
            "regions",
            "free-form regions are not published: choose level=region and one of the "
            "council's region sets with region_set",
            list(ref.region_sets),
        )
    level = _choice(raw, "level", LEVELS, "ward")
    region_set = _optional(raw, "region_set", list(ref.region_sets))
    if level == "region":
        if not ref.region_sets:
            raise FilterError("level", "this database has no region sets")
        region_set = region_set or next(iter(ref.region_sets))
    elif region_set is not None:
        raise FilterError("region_set", "applies only at level=region")
    return level, region_set


def parse_filters(raw: Mapping[str, object], reference: Reference) -> Filters:
    """Validate a query-string-like mapping into Filters; raise FilterError naming the field.

    Checks each value and that the catalogue publishes the selection's own cell at the level
    (a view that reads other cells, e.g. every element, checks those with :func:`check`)."""
    if not isinstance(raw, Mapping):
        raise FilterError("filters", "must be a mapping of parameter names to values")
    for key in raw:
        if key not in PARAMETERS:
            raise FilterError(str(key)[:80], "is not a request parameter", PARAMETERS)
    ref = reference
    kind, first, last = _periods(raw, ref)
    level, region_set = _level(raw, ref)
    level_areas = ref.level_areas(level, region_set)
    area = _scalar(raw, "areas")
    if area is not None and area not in level_areas:
        raise FilterError("areas", f"{area!r} is not an area at level={level}")
    within = _scalar(raw, "within")
    if within is not None:
        if level not in ("sector", "h3r7", "h3r8"):
            raise FilterError("within", "applies only at level=sector, h3r7 or h3r8")
        if within not in ref.areas["ward"] and within not in ref.areas["district"]:
            raise FilterError("within", f"{within!r} is not a ward code or district")
    breakdowns = {
        dimension: _choice(raw, param, getattr(ref, param), ALL)
        for param, dimension in BREAKDOWN_PARAMETERS.items()
    }
    top_raw = _scalar(raw, "top_n")
    top_n = 10
    if top_raw is not None:
        if not top_raw.isdigit() or not 1 <= int(top_raw) <= MAX_TOP_N:
            raise FilterError("top_n", f"must be a whole number 1..{MAX_TOP_N}")
        top_n = int(top_raw)
    f = Filters(
        period_kind=kind,
        period_from=first,
        period_to=last,
        level=level,
        region_set=region_set,
        area=area,
        within=within,
        what=_what(raw, ref),
        measure=_choice(raw, "measure", VIEW_MEASURES, "people"),
        top_n=top_n,
        element=_optional(raw, "element", list(ref.elements)),
        element_a=_optional(raw, "element_a", list(ref.elements)),
        element_b=_optional(raw, "element_b", list(ref.elements)),
        dimension=_choice(raw, "dimension", DIMENSIONS, "age_band"),
        **breakdowns,
    )
    check(f, level=level, what=f.what, single_periods=True)
    return f


def check(
    f: Filters,
    *,
    level: str | None = None,
    what: str | None = None,
    single_periods: bool = False,
    **breakdowns: str,
) -> None:
    """FilterError unless the catalogue publishes the cells a view reads for ``f`` (at another
    level, another what member or another breakdown where given). With ``single_periods``
    the view reads each period from..to on its own, so any from/to is fine; otherwise the
    range must be a published preset (Reference.period_members)."""
    try:
        check_cell(
            level or f.level,
            f.period_kind,
            False if single_periods else f.is_range,
            what or f.what,
            {**f.breakdowns, **breakdowns},
        )
    except CatalogueError as exc:
        raise FilterError(_param_of(exc.field), exc.message, exc.allowed) from exc


def check_member(f: Filters, reference: Reference) -> None:
    """FilterError unless f's period is one published cell: a period or a preset range."""
    if not f.is_range:
        return
    members = reference.period_members.get(f.period_kind, {})
    if f.period not in members:
        presets = [m for m in members if RANGE_SEPARATOR in m]
        raise FilterError(
            "to",
            f"{f.period_from} to {f.period_to} is not published: choose one period or a "
            f"preset range ({', '.join(p.replace(RANGE_SEPARATOR, ' to ') for p in presets)})"
            if presets
            else f"{f.period_kind} periods are published one at a time",
            presets,
        )


def _param_of(field: str) -> str:
    """The request parameter a catalogue dimension is set by."""
    by_dimension = {v: k for k, v in BREAKDOWN_PARAMETERS.items()}
    if field == "what":
        return "elements"
    return by_dimension.get(field, field)
