"""Two-way mapping between the filter controls and the URL state.

One callback keeps controls and URL in step (see dashboard.callbacks); its logic is here, as
pure functions, so it can be unit-tested without Dash. Every filter is one value or "all"
(PRIVACY.md v2 §2): single selects, the grouped "what" picker (one of elements / services /
themes / provision, or a theme with a provision type) and the period picker (one period or a
preset range, written as from / to).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import ids
from dashboard.catalogue import (
    ALL_VALUE,
    WHAT_KEYS,
    period_params,
    period_value,
    what_of,
    what_params,
)
from dashboard.choices import Choices
from dashboard.state import DEFAULT_LEVEL, DEFAULT_MEASURE, DEFAULT_TOP_N, RATE_MEASURE, State


@dataclass(frozen=True)
class Control:
    component_id: str
    key: str
    default: str | None = None


#: Every control that writes one URL key. The what and period pickers, and the per-1,000
#: toggle (with the measure), write theirs below.
CONTROLS: tuple[Control, ...] = (
    Control(ids.PERIOD_KIND, "period_kind", default="year"),
    Control(ids.LEVEL, "level", default=DEFAULT_LEVEL),
    Control(ids.AGE_BANDS, "age_bands", default=ALL_VALUE),
    Control(ids.CLIENT_GROUPS, "client_groups", default=ALL_VALUE),
    Control(ids.TOP_N, "top_n", default=DEFAULT_TOP_N),
    Control(ids.ELEMENT_A, "element_a"),
    Control(ids.ELEMENT_B, "element_b"),
    Control(ids.HIGHLIGHT, "highlight", default="none"),
    Control(ids.MAP_MODE, "map", default="compare"),
)
CONTROL_IDS: tuple[str, ...] = tuple(c.component_id for c in CONTROLS) + (
    ids.WHAT,
    ids.PERIOD,
    ids.MEASURE,
    ids.PER_1000,
)


def controls_from_state(state: State, choices: Choices) -> dict[str, object]:
    """The value each control shows for a URL state. A value the control cannot show (a list
    from an old link) shows blank: the page says why (dashboard.catalogue.list_problem)."""
    values: dict[str, object] = {}
    for control in CONTROLS:
        raw = state.get(control.key)
        values[control.component_id] = None if raw and "," in raw else raw or control.default
    values[ids.WHAT] = what_of(state)
    values[ids.PERIOD] = period_value(state, choices)
    measure = state.get("measure", DEFAULT_MEASURE)
    per_1000 = measure == RATE_MEASURE
    values[ids.MEASURE] = DEFAULT_MEASURE if per_1000 else measure
    values[ids.PER_1000] = ["on"] if per_1000 else []
    return values


def state_from_controls(
    values: dict[str, object], previous: State, changed: str | None, choices: Choices
) -> State:
    """The URL state after the user changed control ``changed``.

    Keys no control owns (drill-down, selection) carry over from ``previous``.
    Changing the period kind resets the period (labels differ per kind); changing the map level
    clears the selection, and leaves a drill-down only for wards or districts. A blank period picker (an old link's free range) keeps its range.
    """
    state: State = {key: value for key, value in previous.items() if key in ("within", "areas")}
    for control in CONTROLS:
        value = values.get(control.component_id)
        text = str(value) if value else ""
        if text and text != control.default:
            state[control.key] = text
    what = values.get(ids.WHAT)
    if what:
        state.update(what_params(str(what)))
    elif changed != ids.WHAT and what_of(previous) is not None:
        state.update({k: previous[k] for k in WHAT_KEYS if previous.get(k)})
    kind = state.get("period_kind", "year")
    if changed == ids.PERIOD_KIND and previous.get("period_kind", "year") != kind:
        pass  # a new kind starts from its whole series
    elif values.get(ids.PERIOD):
        state.update(period_params(str(values[ids.PERIOD]), choices, kind))
    else:
        state.update({k: previous[k] for k in ("from", "to") if previous.get(k)})
    if values.get(ids.PER_1000):
        state["measure"] = RATE_MEASURE
    elif values.get(ids.MEASURE) and values[ids.MEASURE] != DEFAULT_MEASURE:
        state["measure"] = str(values[ids.MEASURE])
    if changed == ids.LEVEL:
        # A drill-down is kept where the new level has parts inside it (sectors, hexagons);
        # wards and districts show the whole city again.
        state.pop("areas", None)
        if state.get("level", DEFAULT_LEVEL) in ("ward", "district"):
            state.pop("within", None)
    return state
