"""Find an area by name or postcode, and name areas the same way everywhere on the page.

Options come from the query layer's reference tables (wards with their GSS codes, postcode
districts and sectors with the ward most of their postcodes lie in), so the search offers only
areas the map can show. A typed full postcode ("B31 2AB") is read, not echoed: it must match
the postcode pattern, and it resolves to its sector ("B31 2") only when the reference has that
sector. Choosing an option drills the page there, as a click on the map does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dashboard.state import State

if TYPE_CHECKING:
    from queries.reference import Reference

#: A UK postcode: outward code, a space (optional when typed), inward code.
POSTCODE = re.compile(r"^\s*([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9])([A-Z]{2})\s*$", re.IGNORECASE)
#: Levels the search offers, in the order of its options.
SEARCH_LEVELS: tuple[str, ...] = ("ward", "district", "sector")
KIND_WORDS = {"ward": "ward", "district": "postcode district", "sector": "postcode sector"}


def _ward_name(reference: Reference, code: str | None) -> str:
    ward = reference.areas.get("ward", {}).get(code or "")
    return ward.name if ward is not None else ""


def area_label(reference: Reference, level: str, code: str) -> str:
    """A name with its code: "Northfield ward (E05011165)", "B31 2 Northfield" (a postcode's
    place named by the ward most of its postcodes lie in), else the reference's own name."""
    area = reference.areas.get(level, {}).get(code)
    if area is None:
        return code
    if level == "ward":
        return f"{area.name} ward ({code})"
    if level in ("district", "sector"):
        ward = _ward_name(reference, area.parent_ward_code)
        return f"{code} {ward}".strip()
    return area.name or code


def area_labels(reference: Reference, level: str, codes: list[str]) -> dict[str, str]:
    return {code: area_label(reference, level, code) for code in codes}


def search_options(
    reference: Reference, levels: Sequence[str] = SEARCH_LEVELS
) -> list[dict[str, str]]:
    """Every ward, postcode district and sector (of ``levels``, those the signed-in role may
    see), labelled with name and code; the value is ``<level>:<code>``."""
    options = []
    for level in (lv for lv in SEARCH_LEVELS if lv in levels):
        for code in reference.areas.get(level, {}):
            label = area_label(reference, level, code)  # a ward's says "ward" already
            if level != "ward":
                label = f"{label} ({KIND_WORDS[level]})"
            options.append({"label": label, "value": f"{level}:{code}"})
    return options


def postcode_sector(text: object, reference: Reference) -> tuple[str, str] | None:
    """(normalised postcode, its sector) for a typed full postcode whose sector the reference
    has; None for anything else (the text is never shown back)."""
    if not isinstance(text, str) or len(text) > 10:
        return None
    match = POSTCODE.match(text)
    if match is None:
        return None
    outward, digit, unit = (part.upper() for part in match.groups())
    sector = f"{outward} {digit}"
    if sector not in reference.areas.get("sector", {}):
        return None
    return f"{outward} {digit}{unit}", sector


def options_for(
    text: object, reference: Reference, levels: Sequence[str] = SEARCH_LEVELS
) -> list[dict[str, str]]:
    """The search's options while the user types: a resolved postcode first (its sector, or
    its district where sectors are not offered), then every area (the dropdown filters them
    by the typed text)."""
    options = search_options(reference, levels)
    found = postcode_sector(text, reference)
    if found is not None:
        postcode, sector = found
        if "sector" in levels:
            label = f"{postcode}: in postcode sector {area_label(reference, 'sector', sector)}"
            options.insert(0, {"label": label, "value": f"sector:{sector}"})
        elif "district" in levels:
            district = reference.areas["sector"][sector].district or sector.split()[0]
            label = (
                f"{postcode}: in postcode district {area_label(reference, 'district', district)}"
            )
            options.insert(0, {"label": label, "value": f"district:{district}"})
    return options


def state_for_choice(state: State, value: object, reference: Reference) -> State:
    """The page state after choosing an option: a ward or district opens its sectors; a sector
    opens its postcode district's sectors with the sector selected. Anything else (a crafted
    post) leaves the state as it was."""
    if not isinstance(value, str) or ":" not in value:
        return dict(state)
    level, code = value.split(":", 1)
    area = reference.areas.get(level, {}).get(code) if level in SEARCH_LEVELS else None
    if area is None:
        return dict(state)
    new = {k: v for k, v in state.items() if k not in ("within", "areas", "level")}
    if level in ("ward", "district"):
        new.update(within=code, level="sector")
    elif area.district:
        new.update(within=area.district, level="sector", areas=code)
    else:
        new.update(level="sector", areas=code)
    return new
