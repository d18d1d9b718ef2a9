"""The budget officers' page: its constants, controls and how a page state becomes the
query-layer view and parameters behind each card (dashboard.pages.budget). One theme is the
page's one "what" (with a provision type, the theme x provision member); the period is financial
years (one, a preset range, or a link's range: the trend and the MIA17 views show each year of
it). Every card is one view, named after it, so its numbers and files are the API's."""

from __future__ import annotations

from dashboard.catalogue import ALL_VALUE
from dashboard.pagekit import (
    CardQuery,
    PageControl,
    PageIds,
    PageState,
    PeriodControl,
    shared_filter_controls,
)
from dashboard.views import Context
from queries.budget_views import ENABLEMENT_THEME

IDS = PageIds("budget")
PATH = "/budget"
PERIOD_KIND = "fy"
DEFAULT_THEME = "MIA3"
AREA_LEVELS: tuple[tuple[str, str], ...] = (("district", "Postcode district"), ("ward", "Ward"))
#: The filters this page passes on to every query besides the theme and the period: the theme
#: is the page's one "what" (with a provision type it is the theme x provision member), so no
#: service or element filter applies (PRIVACY.md v2 §2: one what at a time).
PASSED_FILTERS: tuple[str, ...] = ("age_bands", "client_groups", "provision")


# --- controls ----------------------------------------------------------------------------


class ValidatedControl(PageControl):
    """A one-value control that reads from the URL only a value it offers (a link from another
    page may carry a calendar year or several themes); anything else falls back to its default.
    """

    def value_from_state(self, state: PageState) -> object:
        allowed = {value for value, _ in self.options}
        for part in (state.get(self.key) or "").split(","):
            if part in allowed:
                return part
        return self.default


class ExplicitControl(ValidatedControl):
    """A control whose value always goes into the URL, default or not: on this page the theme,
    the period kind and the area level differ from the query layer's defaults, so the URL must
    name them for it to mean the same thing against the API."""

    def text_from_value(self, value: object) -> str:
        return str(value) if value not in (None, "") else ""


def theme_control(ctx: Context) -> ExplicitControl:
    themes = list(ctx.choices.themes)
    default = DEFAULT_THEME if DEFAULT_THEME in themes else (themes[0] if themes else None)
    return ExplicitControl(
        "themes",
        "MIA theme",
        "dropdown",
        tuple(
            (t, f"{t} {ctx.choices.theme_names.get(t, '')}".strip())
            for t in sorted(themes, key=_theme_number)
        ),
        default=default,
        clearable=False,
    )


def _theme_number(theme: str) -> tuple[int, str]:
    digits = "".join(ch for ch in theme if ch.isdigit())
    return (int(digits) if digits else 0, theme)


def period_controls(ctx: Context) -> tuple[PageControl, ...]:
    return (
        ExplicitControl(
            "period_kind",
            "Period",
            "radio",
            ((PERIOD_KIND, "Financial year (April to March)"),),
            default=PERIOD_KIND,
        ),
        PeriodControl(
            "period", "Financial years", "period", (), choices=ctx.choices, period_kinds=("fy",)
        ),
    )


def level_control() -> ExplicitControl:
    return ExplicitControl(
        "level", "Areas", "radio", AREA_LEVELS, default=AREA_LEVELS[0][0], clearable=False
    )


#: What the MIA17 areas card colours its matrix by, one at a time at the card's full width: side
#: by side, two matrices of 16 financial years left each column about 15 px even at 1600 px,
#: too narrow for their numbers. Both stay in the card's table and downloads (one view).
MIA17_SHOWN: tuple[tuple[str, str], ...] = (
    ("share", "Share beyond 6 weeks"),
    ("cost", "Cost beyond day 42"),
)


def mia17_shown_control() -> ValidatedControl:
    return ValidatedControl(
        "show", "Show", "radio", MIA17_SHOWN, default=MIA17_SHOWN[0][0], clearable=False
    )


def filter_controls(ctx: Context) -> tuple[PageControl, ...]:
    """The filter bar: the theme, with a provision type or all (the theme x provision member),
    the financial years, one age band, one client group."""
    shared = {c.key: c for c in shared_filter_controls(ctx.choices)}
    provision = PageControl(
        "provision",
        "Provision type",
        "dropdown",
        tuple((p, p) for p in ctx.choices.provision),
        ALL_VALUE,
    )
    return (
        theme_control(ctx),
        provision,
        *period_controls(ctx),
        shared["age_bands"],
        shared["client_groups"],
    )


def controls(ctx: Context) -> tuple[PageControl, ...]:
    return (*filter_controls(ctx), level_control(), mia17_shown_control())


def levels_shown(state: PageState) -> list[str]:
    """The chosen area level (MIA17 by area), then the city (trend, MIA17 by group)."""
    level = state.get("level", AREA_LEVELS[0][0])
    return [level if level in dict(AREA_LEVELS) else AREA_LEVELS[0][0], "city"]


# --- page state -> query parameters ------------------------------------------------------


def page_state(ctx: Context, state: PageState) -> PageState:
    """The state the page shows: theme, financial-year range and area level as the controls
    read them; the other filters as given (the query layer checks them)."""
    out: PageState = {"period_kind": PERIOD_KIND}
    labels = ctx.choices.periods.get(PERIOD_KIND, [])
    for key in ("from", "to"):
        if state.get(key) in labels:
            out[key] = state[key]
    for control in controls(ctx):
        if control.key in ("period_kind", "period"):
            continue
        if isinstance(control, ValidatedControl):
            value = control.value_from_state(state)
            if value:
                out[control.key] = str(value)
        elif state.get(control.key):
            out[control.key] = state[control.key]
    return out


def _passed(state: PageState) -> dict[str, str]:
    return {k: state[k] for k in PASSED_FILTERS if state.get(k)}


def trend_params(ctx: Context, state: PageState) -> dict[str, str]:
    shown = page_state(ctx, state)
    params = {"period_kind": PERIOD_KIND, **_passed(shown), "level": "city"}
    for key in ("from", "to", "themes"):
        if shown.get(key):
            params[key] = shown[key]
    return params


def mia17_params(ctx: Context, state: PageState, level: str) -> dict[str, str]:
    """The MIA17 views' parameters: theme MIA17 whatever theme is chosen (with the provision
    type if one is), every financial year of the state (all when unset), the passed filters."""
    shown = page_state(ctx, state)
    params = {"period_kind": PERIOD_KIND, "level": level, **_passed(shown)}
    years = financial_years(ctx, state)
    if years:
        params.update({"from": years[0], "to": years[-1]})
    params["themes"] = ENABLEMENT_THEME
    return params


def area_level(ctx: Context, state: PageState) -> str:
    """The level the MIA17 areas card compares."""
    return page_state(ctx, state).get("level", AREA_LEVELS[0][0])


def mia17_shown(ctx: Context, state: PageState) -> str:
    """What the MIA17 areas card's matrix shows ("share" or "cost")."""
    return page_state(ctx, state).get("show", MIA17_SHOWN[0][0])


def query_of(ctx: Context, name: str, state: PageState) -> CardQuery | None:
    """The query-layer view and parameters behind each card of the page (None for no card)."""
    if name in ("trend", "mia_saving"):
        return CardQuery(name, trend_params(ctx, state))
    if name == "mia_targets":
        theme = page_state(ctx, state).get("themes", "")
        return CardQuery(name, {"period_kind": PERIOD_KIND, "themes": theme} if theme else {})
    if name == "enablement_groups":
        return CardQuery(name, mia17_params(ctx, state, "city"))
    if name == "enablement_areas":
        return CardQuery(name, mia17_params(ctx, state, area_level(ctx, state)))
    return None


def financial_years(ctx: Context, state: PageState) -> list[str]:
    """The financial years from..to of the state (all when unset)."""
    labels = list(ctx.choices.periods.get(PERIOD_KIND, []))
    shown = page_state(ctx, state)
    if not labels:
        return []
    first = labels.index(shown.get("from", labels[0]))
    last = labels.index(shown.get("to", labels[-1]))
    return labels[first : last + 1]
