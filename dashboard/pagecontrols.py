"""The users' pages' controls: each owns URL keys, one value each (PRIVACY.md v2 §2).

A :class:`PageControl` owns one key (a radio, or a single select whose "All" stays out of the
URL); :class:`WhatControl` is the grouped what picker (one of elements / services / themes /
provision, or a theme with a provision type); :class:`PeriodControl` is one period or a preset
range, written as from / to. :func:`register_url_sync` keeps a page's controls and its URL in
step and, given the levels a page shows, disables what the catalogue does not publish there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dash
from dash import Input, Output, dcc, html, no_update
from dash import ctx as callback_context

from dashboard import catalogue
from dashboard.catalogue import ALL_VALUE, WHAT_KEYS
from dashboard.choices import Choices
from dashboard.components import PERIOD_KIND_LABELS
from dashboard.inputs import as_text, as_url_part

PageState = dict[str, str]


@dataclass(frozen=True)
class PageControl:
    """One control that owns one URL key.

    ``kind``: "radio" or "dropdown" (one value). A value equal to ``default`` is left out of
    the URL, so URLs stay short and canonical: a select's "All" (``default="all"``) is absent.
    A list from an old link shows blank (the page says why).
    """

    key: str
    label: str
    kind: str
    options: tuple[tuple[str, str], ...]  # (value, label)
    default: str | None = None
    placeholder: str = ""
    clearable: bool = True

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,)

    def option_dicts(self) -> list[dict]:
        if self.default == ALL_VALUE:
            return catalogue.options_with(self.options, None)
        return [{"label": label, "value": value} for value, label in self.options]

    def to_component(self, cid: str) -> Any:
        options = self.option_dicts()
        if self.kind == "radio":
            return dcc.RadioItems(id=cid, options=options, value=self.default, inline=True)
        return dcc.Dropdown(
            id=cid,
            options=options,
            value=self.default,
            placeholder=self.placeholder or "choose one",
            clearable=self.clearable and self.default != ALL_VALUE,
            searchable=len(options) > 8,
        )

    def value_from_state(self, state: PageState) -> object:
        raw = state.get(self.key)
        if raw and "," in raw:
            return None
        return raw or self.default

    def text_from_value(self, value: object) -> str:
        text = str(value) if value not in (None, "") else ""
        return "" if text == (self.default or "") else text

    def params_from_value(self, value: object, state: PageState) -> dict[str, str]:
        """The URL keys this control writes for ``value`` (``state``: the new state so far)."""
        text = self.text_from_value(value)
        return {self.key: text} if text else {}


@dataclass(frozen=True)
class WhatControl(PageControl):
    """The grouped what picker: writes exactly one of the what parameters (or none: all)."""

    choices: Choices | None = None
    kinds: tuple[str, ...] | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return WHAT_KEYS

    def option_dicts(self) -> list[dict]:
        assert self.choices is not None
        return catalogue.what_options(self.choices, kinds=self.kinds)

    def to_component(self, cid: str) -> Any:
        return dcc.Dropdown(
            id=cid,
            options=self.option_dicts(),
            value=ALL_VALUE,
            clearable=False,
            search_order="original",
            maxHeight=360,
            className="what-picker",
        )

    def value_from_state(self, state: PageState) -> object:
        return catalogue.what_of(state)

    def params_from_value(self, value: object, state: PageState) -> dict[str, str]:
        return catalogue.what_params(str(value)) if value else {}


@dataclass(frozen=True)
class PeriodControl(PageControl):
    """One period or a preset range (whole series, last 5, last 3): from / to in the URL."""

    choices: Choices | None = None
    #: Offer only these kinds' periods (the budget page: financial years).
    period_kinds: tuple[str, ...] | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return ("from", "to")

    def option_dicts(self) -> list[dict]:
        assert self.choices is not None
        kinds = self.period_kinds or tuple(self.choices.periods)
        return [o for k in kinds for o in catalogue.period_options(self.choices, k)]

    def to_component(self, cid: str) -> Any:
        return dcc.Dropdown(
            id=cid,
            options=self.option_dicts(),
            value=self.value_from_state({"period_kind": (self.period_kinds or ("year",))[0]}),
            clearable=False,
            search_order="original",
            maxHeight=320,
            placeholder="choose a period",
        )

    def _kind_state(self, state: PageState) -> PageState:
        """The state read as this picker's period kind: a link from another page may carry
        another kind, whose from / to mean nothing here."""
        kind = state.get("period_kind") or (self.period_kinds or ("year",))[0]
        if self.period_kinds and kind not in self.period_kinds:
            rest = {k: v for k, v in state.items() if k not in ("from", "to")}
            return {**rest, "period_kind": self.period_kinds[0]}
        return {**state, "period_kind": kind}

    def value_from_state(self, state: PageState) -> object:
        assert self.choices is not None
        return catalogue.period_value(self._kind_state(state), self.choices)

    def params_from_value(self, value: object, state: PageState) -> dict[str, str]:
        assert self.choices is not None
        kind = self._kind_state(state)["period_kind"]
        return catalogue.period_params(str(value), self.choices, kind) if value else {}


def shared_filter_controls(choices: Choices) -> tuple[PageControl, ...]:
    """The filter bar every page shares: period kind, period (one or a preset range), what,
    age band, client group. Options are exactly what the catalogue publishes."""
    return (
        PageControl(
            "period_kind",
            "Period",
            "radio",
            tuple((k, PERIOD_KIND_LABELS[k]) for k in choices.periods),
            default="year",
        ),
        PeriodControl("period", "Periods shown", "period", (), choices=choices),
        WhatControl("what", "Services", "what", (), choices=choices),
        PageControl(
            "age_bands", "Age band", "dropdown", tuple((a, a) for a in choices.age_bands), ALL_VALUE
        ),
        PageControl(
            "client_groups",
            "Client group",
            "dropdown",
            tuple((c, c) for c in choices.client_groups),
            ALL_VALUE,
        ),
    )


def control_field(cid: str, control: PageControl) -> html.Div:
    return html.Div(
        [html.Label(control.label, htmlFor=cid), control.to_component(cid)],
        className=f"field field-{control.kind}",
    )


def state_after_change(
    controls: Sequence[PageControl],
    values: Sequence[object],
    previous: PageState,
    changed: str | None,
) -> PageState:
    """The URL state after the user changed the control owning key ``changed``.

    Keys no control owns carry over. A new period kind resets the period (labels differ). A
    picker left blank (an old link's list or free range) keeps its valid keys, drops a list.
    """
    owned = {k for c in controls for k in c.keys}
    state = {k: v for k, v in previous.items() if k not in owned}
    kind_changed = False
    for control, value in zip(controls, values, strict=True):
        if control.key == "period_kind":
            kind_changed = changed == "period_kind" and previous.get("period_kind", "year") != str(
                value or "year"
            )
        if isinstance(control, PeriodControl) and kind_changed:
            continue
        params = control.params_from_value(value, state)
        if value in (None, "") and len(control.keys) > 1:
            kept = {k: previous[k] for k in control.keys if previous.get(k)}
            if isinstance(control, WhatControl) and catalogue.what_of(kept) is None:
                kept = {}
            params = {k: v for k, v in kept.items() if "," not in v}
        state.update(params)
    if kind_changed:
        state.pop("from", None)
        state.pop("to", None)
    return state


def control_bar(
    ids: Any,
    controls: Sequence[PageControl],
    label: str = "Filters for every view",
    *,
    explain: bool = False,
) -> html.Section:
    """A bar of controls (the shared filters, or a view's own controls). ``explain`` adds the
    line saying what the level publishes and the message for a link it cannot show."""
    parts: list = [html.H2("Filters", className="visually-hidden")]
    parts += [control_field(ids.control(c.key), c) for c in controls]
    if explain:
        parts.append(
            html.P(id=ids.element("rule"), className="rule filter-rule", **{"aria-live": "polite"})
        )
        parts.append(html.P(id=ids.element("state-message"), className="state-message"))
    return html.Section(parts, className="filter-bar", **{"aria-label": label})


def offered_options(
    controls: Sequence[PageControl], state: PageState, levels: Sequence[str]
) -> list[list[dict]]:
    """Each select's options with what the catalogue does not publish at ``levels`` disabled."""
    out = []
    for control in controls:
        options = control.option_dicts()
        key = "what" if isinstance(control, WhatControl) else control.key
        values = [o["value"] for o in options if not str(o["value"]).startswith("group:")]
        allowed = catalogue.allowed_values(key, values, state, levels)
        out.append(
            [
                {**o, "disabled": True}
                if str(o["value"]).startswith("group:") or o["value"] not in allowed
                else {k: v for k, v in o.items() if k != "disabled"}
                for o in options
            ]
        )
    return out


FILTERED_KEYS = ("what", "age_bands", "client_groups", "period_kind")


def register_url_sync(
    app: dash.Dash,
    ids: Any,
    controls: Sequence[PageControl],
    choices: Choices,
    keys: Sequence[str],
    levels_of: Callable[[PageState], Sequence[str]] | None = None,
) -> None:
    """One callback keeps the page's controls and its URL in step, both ways.

    Opened from a URL (first load, back / forward, a pasted link) the controls follow the URL;
    changed by the user, the URL follows the controls. The period picker's options follow the
    period kind. With ``levels_of`` (the levels a state shows), the selects disable what the
    catalogue does not publish there and the bar says why (``control_bar(explain=True)``).
    """
    from dashboard.pagekit import build_page_search, parse_page_state

    controls = tuple(controls)
    control_ids = [ids.control(c.key) for c in controls]
    by_id = dict(zip(control_ids, controls, strict=True))

    @app.callback(
        Output(ids.url, "search"),
        *[Output(cid, "value") for cid in control_ids],
        Input(ids.url, "search"),
        *[Input(cid, "value") for cid in control_ids],
    )
    def sync(search: str | None, *values: object) -> tuple:
        previous = parse_page_state(search, keys)
        search = as_url_part(search, "url.search")
        values = tuple(as_text(v) for v in values)  # each control holds one value (or none)
        trigger = callback_context.triggered_id
        if isinstance(trigger, str) and trigger in by_id:
            state = state_after_change(controls, values, previous, by_id[trigger].key)
        else:
            state = previous
        new_search = build_page_search(state, keys)
        shown = [c.value_from_state(state) for c in controls]
        return (
            no_update if new_search == (search or "") else new_search,
            *[no_update if s == v else s for s, v in zip(shown, values, strict=True)],
        )

    by_key = {c.key: c for c in controls}
    period = next((c for c in controls if isinstance(c, PeriodControl)), None)
    if period is not None and "period_kind" in by_key:

        @app.callback(
            Output(ids.control(period.key), "options"),
            Input(ids.control("period_kind"), "value"),
        )
        def period_options(kind: str | None) -> list:
            return catalogue.period_options(choices, as_text(kind) or "year")

    if levels_of is None:
        return
    filtered = [c for c in controls if c.key in FILTERED_KEYS]

    @app.callback(
        *[Output(ids.control(c.key), "options") for c in filtered],
        Output(ids.element("rule"), "children"),
        Output(ids.element("state-message"), "children"),
        Input(ids.url, "search"),
    )
    def offered(search: str | None) -> tuple:
        state = parse_page_state(search, keys)
        levels = list(levels_of(state))
        rules = catalogue.level_rule_text(levels[0]) if levels else ""
        return (
            *offered_options(filtered, state, levels),
            rules,
            catalogue.link_message(state, choices),
        )
