"""The filter controls on the publication catalogue (PRIVACY.md v2 §2, queries.catalogue).

Every filter is ONE value or "all"; the "what" filter is one grouped picker writing exactly one
of ``elements=`` | ``services=`` | ``themes=`` | ``provision=`` | ``themes=&provision=``; a
period is one period or a preset range (whole series, last 5, last 3: years and financial
years only). The rules come from ``queries.catalogue`` (LEVEL_RULES, check_cell, preset_ranges):
nothing is restated here, the controls only ask it which option would leave the catalogue.
Pure functions of a URL state, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dashboard.choices import Choices
from queries.catalogue import (
    ALL,
    LEVEL_RULES,
    PRESET_RANGES,
    RANGE_PERIOD_KINDS,
    RANGE_SEPARATOR,
    CatalogueError,
    check_cell,
    preset_ranges,
    range_member,
    what_kind,
    what_member,
)

State = Mapping[str, str]

#: The URL keys the "what" picker writes (one member: one key, or themes + provision).
WHAT_KEYS: tuple[str, ...] = ("elements", "services", "themes", "provision")
#: The value of a select's "All" option (never written to the URL: absent means all).
ALL_VALUE = ALL
#: Headers of the what picker's groups, in the picker's order.
WHAT_GROUPS: dict[str, str] = {
    "provision": "Provision type",
    "theme": "MIA theme",
    "theme_provision": "MIA theme x provision type",
    "service": "Service",
    "element": "Element",
}
#: Breakdown key in queries.catalogue -> URL key.
BREAKDOWN_KEYS: dict[str, str] = {
    "age_band": "age_bands",
    "client_group": "client_groups",
    "gender": "genders",
    "ethnic_group": "ethnic_groups",
}
FIELD_WORDS: dict[str, str] = {
    "age_bands": "age band",
    "client_groups": "client group",
    "genders": "gender",
    "ethnic_groups": "ethnic group",
    "areas": "area",
    "elements": "element",
    "services": "service",
    "themes": "MIA theme",
    "provision": "provision type",
}


# --- the "what" picker -------------------------------------------------------------------


def what_params(member: str | None) -> dict[str, str]:
    """The URL keys of a what member ("theme:MIA5:Internal" -> themes, provision)."""
    if not member or member == ALL:
        return {}
    try:
        kind = what_kind(member)
    except CatalogueError:
        return {}
    values = member.split(":")[1:]
    if kind == "provision":
        return {"provision": values[0]}
    if kind == "theme":
        return {"themes": values[0]}
    if kind == "theme_provision":
        return {"themes": values[0], "provision": values[1]}
    if kind == "service":
        return {"services": values[0]}
    if kind == "element":
        return {"elements": values[0]}
    return {}


def what_of(state: State) -> str | None:
    """The what member a state asks for; None when it is not one (a list, two kinds)."""
    given = {k: state[k] for k in WHAT_KEYS if state.get(k)}
    if any("," in v for v in given.values()):
        return None
    keys = set(given)
    if not keys:
        return ALL
    if keys == {"themes", "provision"}:
        return what_member("theme_provision", given["themes"], given["provision"])
    if len(keys) != 1:
        return None
    key, value = next(iter(given.items()))
    kind = {"elements": "element", "services": "service", "themes": "theme"}.get(key, key)
    return what_member(kind, value)


def what_items(choices: Choices) -> dict[str, list[tuple[str, str]]]:
    """Each group's (member, label): labels carry the code and the name."""
    themes = sorted(choices.themes, key=_theme_number)
    names = choices.theme_names
    theme_label = {t: f"{t} {names[t]}" if names.get(t) else t for t in themes}
    return {
        "provision": [(what_member("provision", p), p) for p in choices.provision],
        "theme": [(what_member("theme", t), theme_label[t]) for t in themes],
        "theme_provision": [
            (what_member("theme_provision", t, p), f"{t} x {p}")
            for t in themes
            for p in choices.provision
        ],
        "service": [(what_member("service", c), label) for c, label in choices.service_options()],
        "element": [(what_member("element", c), label) for c, label in choices.element_options()],
    }


def what_options(
    choices: Choices, allowed: set[str] | None = None, kinds: Sequence[str] | None = None
) -> list[dict]:
    """The grouped picker: "All services", then a disabled header per group and its members.

    ``allowed``: the members that stay enabled (None: all); ``kinds``: the groups offered.
    """
    options: list[dict] = [{"label": "All services", "value": ALL_VALUE}]
    for kind, items in what_items(choices).items():
        if kinds is not None and kind not in kinds:
            continue
        options.append({"label": f"-- {WHAT_GROUPS[kind]} --", "value": f"group:{kind}"})
        options[-1]["disabled"] = True
        for member, label in items:
            option = {"label": label, "value": member}
            if allowed is not None and member not in allowed:
                option["disabled"] = True
            options.append(option)
    return options


def _theme_number(theme: str) -> tuple[int, str]:
    digits = "".join(ch for ch in theme if ch.isdigit())
    return (int(digits) if digits else 0, theme)


# --- periods -----------------------------------------------------------------------------


def period_options(choices: Choices, kind: str) -> list[dict]:
    """A picker of the presets (years and financial years) then each single period, latest
    first. A preset's value is its range ("2011..2015")."""
    labels = list(choices.periods.get(kind, []))
    options = []
    if kind in RANGE_PERIOD_KINDS:
        for name, (first, last) in preset_ranges(labels).items():
            label = f"{PRESET_RANGES[name][0]} ({first} to {last})"
            options.append({"label": label, "value": range_member(first, last)})
    elif len(labels) > 1:
        value = range_member(labels[0], labels[-1])
        options.append({"label": f"All quarters ({labels[0]} to {labels[-1]})", "value": value})
    options.extend({"label": p, "value": p} for p in reversed(labels))
    return options


def every_period_option(choices: Choices) -> list[dict]:
    """Every kind's options at once: a dropdown clears a value it does not list, so a URL
    opened with period_kind=fy must find its value before the kind's callback narrows them."""
    return [o for kind in choices.periods for o in period_options(choices, kind)]


def default_range(kind: str, choices: Choices) -> tuple[str, str]:
    """What a request without from / to means (as the query layer reads it): the whole series
    where the kind has it as a preset (years, financial years), else the latest period."""
    labels = list(choices.periods.get(kind, []))
    if not labels:
        return "", ""
    if kind in RANGE_PERIOD_KINDS and len(labels) > 1:
        return labels[0], labels[-1]
    return labels[-1], labels[-1]


def period_range(state: State, choices: Choices) -> tuple[str, str]:
    """(from, to) of a state; without either, the kind's default; one end alone is a single
    period (as the query layer reads it)."""
    first, last = state.get("from") or "", state.get("to") or ""
    if not first and not last:
        return default_range(state.get("period_kind", "year"), choices)
    return first or last, last or first


def period_value(state: State, choices: Choices) -> str | None:
    """The picker's value for a state, or None when the state's range is not one it offers."""
    first, last = period_range(state, choices)
    value = range_member(first, last)
    offered = {o["value"] for o in period_options(choices, state.get("period_kind", "year"))}
    return value if value in offered else None


def period_params(value: str | None, choices: Choices, kind: str) -> dict[str, str]:
    """from / to of a picker value; the whole series is left out of the URL (the default)."""
    if not value:
        return {}
    first, _sep, last = value.partition(RANGE_SEPARATOR)
    last = last or first
    if (first, last) == default_range(kind, choices):
        return {}
    return {"from": first, "to": last}


def is_published_range(first: str, last: str, kind: str, choices: Choices) -> bool:
    """One period, or a preset range of years / financial years (PRIVACY.md §2)."""
    if first == last:
        return True
    if kind not in RANGE_PERIOD_KINDS:
        return False
    return (first, last) in preset_ranges(list(choices.periods.get(kind, []))).values()


def one_cell_period(params: dict[str, str], choices: Choices) -> tuple[dict[str, str], str]:
    """A view with one cell per area or element needs one period or a preset range: any other
    range (quarters, an old link's free range) shows its last period, and says so."""
    kind = params.get("period_kind", "year")
    first, last = period_range(params, choices)
    if not first or is_published_range(first, last, kind, choices):
        return params, ""
    return {**params, "from": last, "to": last}, f"Showing {last} only: {_range_rule(kind)}."


def _range_rule(kind: str) -> str:
    if kind in RANGE_PERIOD_KINDS:
        return "a range is published only as the whole series, the last 5 or the last 3"
    return "quarters are published one at a time"


# --- one value per filter ----------------------------------------------------------------


def list_problems(state: State) -> list[tuple[str, str]]:
    """(field, message) for every filter of a state the catalogue cannot have: a list (an old
    link), a free-form region, or two "what" filters."""
    out = []
    if state.get("regions"):
        out.append(
            (
                "regions",
                "regions: free-form regions are no longer published; choose one of the "
                "council's region sets on the directors' page.",
            )
        )
    for key, value in state.items():
        parts = [p for p in (value or "").split(",") if p.strip()]
        if key == "regions" or len(parts) < 2:
            continue
        # No member of any dimension has a comma: two parts are a list (or a repeated key).
        word = FIELD_WORDS.get(key, "value")
        out.append(
            (
                key,
                f"{key}: one {word} at a time (this link asks for {len(parts)}); "
                "choose one, or all, in the filter bar.",
            )
        )
    if what_of(state) is None and not any(k in WHAT_KEYS for k, _m in out):
        given = [k for k in WHAT_KEYS if state.get(k)]
        out.append(
            (
                given[-1],
                f"{', '.join(given)}: choose one of service, element, MIA theme or provision "
                "type (or an MIA theme with a provision type), not several.",
            )
        )
    return out


def list_problem(state: State) -> tuple[str, str] | None:
    """The first of :func:`list_problems`, or None."""
    problems = list_problems(state)
    return problems[0] if problems else None


def link_message(state: State, choices: Choices) -> str:
    """What the page says above its filters about a link it cannot show as it is: a list, a
    free-form region, or a range the catalogue does not publish (views of one period per area
    show its last period, the others each period of it)."""
    listed = list_problems(state)
    problems = [message for _f, message in listed]
    kind = state.get("period_kind", "year")
    first, last = period_range(state, choices)
    named = {field for field, _m in listed} & {"from", "to", "period_kind"}
    if first and not named and not is_published_range(first, last, kind, choices):
        problems.append(
            f"from, to: {first} to {last} is not published ({_range_rule(kind)}), so charts "
            f"of one period show {last} and charts over time each period in it."
        )
    if not problems:
        return ""
    return "This link cannot be shown as it is. " + " ".join(problems)


# --- what the catalogue publishes at a level ---------------------------------------------


def breakdowns_of(state: State) -> dict[str, str]:
    return {dim: state.get(key) or ALL for dim, key in BREAKDOWN_KEYS.items()}


def cell_problem(
    level: str, state: State, *, what: str | None = None, kind: str | None = None
) -> str:
    """Why the catalogue has no such cell at ``level`` ("" when it has): ``what`` overrides the
    state's (a view that breaks down by element), ``kind`` its period kind."""
    member = what if what is not None else what_of(state)
    if member is None:
        return "one what at a time"
    try:
        check_cell(
            level, kind or state.get("period_kind", "year"), False, member, breakdowns_of(state)
        )
    except CatalogueError as exc:
        return exc.message
    return ""


def allowed_values(
    key: str, values: Sequence[str], state: State, levels: Sequence[str]
) -> set[str]:
    """The values of filter ``key`` that leave the state publishable at every level shown."""
    out = set()
    for value in values:
        trial = {k: v for k, v in state.items() if k not in (WHAT_KEYS if key == "what" else key)}
        if key == "what":
            trial.update(what_params(value))
        elif value != ALL_VALUE:
            trial[key] = value
        if key == "period_kind":
            trial.pop("from", None)
            trial.pop("to", None)
        if all(not cell_problem(level, trial) for level in levels):
            out.add(value)
    return out


def level_rule_text(level: str) -> str:
    """What a level carries, in words (shown under the filters)."""
    rule = LEVEL_RULES[level]
    name = {
        "city": "The whole city",
        "region": "Regions",
        "district": "Postcode districts",
        "ward": "Wards",
        "sector": "Postcode sectors",
        "h3r7": "Hexagons (H3 res. 7)",
        "h3r8": "Hexagons (H3 res. 8)",
    }.get(level, rule.label)
    many = {1: "one breakdown", 2: "two breakdowns", 3: "three breakdowns"}[rule.max_core]
    parts = [f"{name}: {many} at a time of service, age band and client group"]
    if "quarter" not in rule.period_kinds:
        parts.append("no quarters")
    elif rule.max_core > 1:
        parts.append("one fewer for quarters")
    if "service" not in rule.what_kinds:
        parts.append("no service or element")
    if not rule.demographics:
        parts.append("no gender or ethnic group")
    return "; ".join(parts) + ". Options they cannot publish are greyed out."


def options_with(values: Sequence[tuple[str, str]], allowed: set[str] | None) -> list[dict]:
    """Select options "All" + (value, label), the ones not in ``allowed`` disabled."""
    options = [{"label": "All", "value": ALL_VALUE}]
    for value, label in values:
        option = {"label": label, "value": value}
        if allowed is not None and value not in allowed:
            option["disabled"] = True
        options.append(option)
    return options
