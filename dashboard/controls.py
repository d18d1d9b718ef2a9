"""Two-way mapping between the filter controls and the URL state.

One callback keeps controls and URL in step (see dashboard.callbacks); its logic is here, as
pure functions, so it can be unit-tested without Dash.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import ids
from dashboard.state import (
    DEFAULT_LEVEL,
    DEFAULT_MEASURE,
    DEFAULT_TOP_N,
    RATE_MEASURE,
    State,
    join_list,
    split_list,
)


@dataclass(frozen=True)
class Control:
    component_id: str
    key: str
    multi: bool = False
    default: str | None = None


#: Every control that writes a URL key. The per-1,000 toggle is handled with the measure.
CONTROLS: tuple[Control, ...] = (
    Control(ids.PERIOD_KIND, "period_kind", default="year"),
    Control(ids.FROM, "from"),
    Control(ids.TO, "to"),
    Control(ids.LEVEL, "level", default=DEFAULT_LEVEL),
    Control(ids.AGE_BANDS, "age_bands", multi=True),
    Control(ids.ELEMENTS, "elements", multi=True),
    Control(ids.SERVICES, "services", multi=True),
    Control(ids.THEMES, "themes", multi=True),
    Control(ids.PROVISION, "provision", multi=True),
    Control(ids.CLIENT_GROUPS, "client_groups", multi=True),
    Control(ids.TOP_N, "top_n", default=DEFAULT_TOP_N),
    Control(ids.ELEMENT_A, "element_a"),
    Control(ids.ELEMENT_B, "element_b"),
    Control(ids.HIGHLIGHT, "highlight", default="none"),
)
CONTROL_IDS: tuple[str, ...] = tuple(c.component_id for c in CONTROLS) + (ids.MEASURE, ids.PER_1000)


def controls_from_state(state: State) -> dict[str, object]:
    """The value each control shows for a URL state."""
    values: dict[str, object] = {}
    for control in CONTROLS:
        raw = state.get(control.key)
        if control.multi:
            values[control.component_id] = split_list(raw)
        else:
            values[control.component_id] = raw or control.default
    measure = state.get("measure", DEFAULT_MEASURE)
    per_1000 = measure == RATE_MEASURE
    values[ids.MEASURE] = DEFAULT_MEASURE if per_1000 else measure
    values[ids.PER_1000] = ["on"] if per_1000 else []
    return values


def state_from_controls(values: dict[str, object], previous: State, changed: str | None) -> State:
    """The URL state after the user changed control ``changed``.

    Keys no control owns (drill-down, selection, meeting mode) carry over from ``previous``.
    Changing the period kind resets the range (labels differ per kind); changing the map level
    leaves any drill-down.
    """
    state: State = {
        key: value
        for key, value in previous.items()
        if key in ("within", "areas", "meeting", "slide")
    }
    for control in CONTROLS:
        value = values.get(control.component_id)
        text = join_list(value) if control.multi else (str(value) if value else "")  # type: ignore[arg-type]
        if text and text != control.default:
            state[control.key] = text
    if values.get(ids.PER_1000):
        state["measure"] = RATE_MEASURE
    elif values.get(ids.MEASURE) and values[ids.MEASURE] != DEFAULT_MEASURE:
        state["measure"] = str(values[ids.MEASURE])
    if changed == ids.PERIOD_KIND and previous.get("period_kind", "year") != state.get(
        "period_kind", "year"
    ):
        state.pop("from", None)
        state.pop("to", None)
    if changed == ids.LEVEL:
        state.pop("within", None)
        state.pop("areas", None)
    return state
