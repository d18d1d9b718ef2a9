"""The views, by name: each reads published cells and derives what it shows from them.

area_views, detail_views, headline_views, budget_views, saving_views and region_views hold
the views themselves; this module is their registry. Every view is `view(db, filters) ->
ProtectedResult`; nothing here runs SQL of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from queries.area_views import area_compare, area_map, enablement, matrix, provision
from queries.budget_views import enablement_areas, enablement_groups, mia_targets
from queries.database import Database
from queries.detail_views import (
    demographics,
    element_compare,
    elements,
    quarterly_users,
    trend,
)
from queries.filters import Filters
from queries.headline_views import headlines
from queries.region_views import area_profiles
from queries.result import ProtectedResult
from queries.saving_views import mia_saving


class UnknownView(KeyError):
    """No view of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"unknown view {self.name!r}; views: {', '.join(VIEWS)}"


ViewFunction = Callable[[Database, Filters], ProtectedResult]
VIEWS: dict[str, ViewFunction] = {
    "area_map": area_map,
    "matrix": matrix,
    "elements": elements,
    "element_compare": element_compare,
    "trend": trend,
    "provision": provision,
    "enablement": enablement,
    "area_compare": area_compare,
    "quarterly_users": quarterly_users,
    "demographics": demographics,
    "headlines": headlines,
    "enablement_groups": enablement_groups,
    "enablement_areas": enablement_areas,
    "mia_targets": mia_targets,
    "mia_saving": mia_saving,
    "area_profiles": area_profiles,
}


def run_view(db: Database, name: str, filters: Filters) -> ProtectedResult:
    """Run a view by name."""
    view = VIEWS.get(name)
    if view is None:
        raise UnknownView(name)
    return view(db, filters)
