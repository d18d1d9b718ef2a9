"""The values each filter control offers, taken from the query layer's reference tables.

Offering exactly the values parse_filters accepts means a control can never produce a URL the
query layer (or the API) would reject.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from care_atlas.reference import load_element_catalogue

#: Period kinds in the order the filter bar offers them.
PERIOD_KINDS: tuple[str, ...] = ("year", "fy", "quarter")

if TYPE_CHECKING:
    from queries.database import Reference


@dataclass(frozen=True)
class Choices:
    periods: dict[str, list[str]]
    age_bands: list[str]
    elements: list[tuple[str, str]]
    services: list[tuple[str, str]]
    themes: list[str]
    provision: list[str]
    client_groups: list[str]
    area_names: dict[str, dict[str, str]] = field(default_factory=dict)

    def name_of(self, level: str, code: str) -> str | None:
        return self.area_names.get(level, {}).get(code)


def _service_names() -> dict[str, str]:
    """Service descriptions from the shipped catalogue (the serving DB keys services by code)."""
    catalogue = load_element_catalogue()
    return dict(zip(catalogue["service_code"], catalogue["service_description"], strict=True))


def choices_from_reference(reference: Reference) -> Choices:
    """Build the control options from a ``queries.Reference``."""
    service_names = _service_names()
    return Choices(
        periods={k: list(reference.periods[k]) for k in PERIOD_KINDS if k in reference.periods},
        age_bands=list(reference.age_bands),
        elements=[(code, e.description) for code, e in reference.elements.items()],
        services=[(code, service_names.get(code, "")) for code in reference.services],
        themes=list(reference.themes),
        provision=list(reference.provision_types),
        client_groups=list(reference.client_groups),
        area_names={
            level: {code: area.name for code, area in areas.items()}
            for level, areas in reference.areas.items()
        },
    )
