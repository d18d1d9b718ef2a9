"""Controlled vocabularies shared by the generator, the build and the query layer."""

from __future__ import annotations

#: The raw extract's columns, in order (DOMAIN.md §1, docs/ARCHITECTURE.md §1): what the
#: generator writes and what the build expects after a council's column mapping.
RAW_EXTRACT_COLUMNS: tuple[str, ...] = (
    "agreement_id",
    "person_id",
    "date_of_birth",
    "agreement_start",
    "agreement_end",
    "service_code",
    "service_description",
    "element_code",
    "element_description",
    "postcode",
    "gender",
    "ethnicity",
    "client_group",
    "weekly_cost",
)

GENDERS: tuple[str, ...] = ("Female", "Male", "Not known")

#: Census 2021 ethnic groups (England and Wales, 19 categories), plus "Not known".
ETHNICITIES: tuple[str, ...] = (
    "Asian, Asian British or Asian Welsh: Bangladeshi",
    "Asian, Asian British or Asian Welsh: Chinese",
    "Asian, Asian British or Asian Welsh: Indian",
    "Asian, Asian British or Asian Welsh: Pakistani",
    "Asian, Asian British or Asian Welsh: Other Asian",
    "Black, Black British, Black Welsh, Caribbean or African: African",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black",
    "Mixed or Multiple ethnic groups: White and Asian",
    "Mixed or Multiple ethnic groups: White and Black African",
    "Mixed or Multiple ethnic groups: White and Black Caribbean",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
    "White: English, Welsh, Scottish, Northern Irish or British",
    "White: Irish",
    "White: Gypsy or Irish Traveller",
    "White: Roma",
    "White: Other White",
    "Other ethnic group: Arab",
    "Other ethnic group: Any other ethnic group",
    "Not known",
)


def ethnic_group(category: str) -> str:
    """The high-level group of a census category ("Asian", "Black", ...): coarse views use it."""
    head = category.split(":", 1)[0]
    return {
        "Asian, Asian British or Asian Welsh": "Asian",
        "Black, Black British, Black Welsh, Caribbean or African": "Black",
        "Mixed or Multiple ethnic groups": "Mixed",
        "White": "White",
        "Other ethnic group": "Other",
    }.get(head, "Not known")


#: Primary support reason (the national CLD standard's categories), the extract's client_group.
CLIENT_GROUPS: tuple[str, ...] = (
    "Physical Support",
    "Sensory Support",
    "Support with Memory and Cognition",
    "Learning Disability Support",
    "Mental Health Support",
    "Social Support",
    "Children's Disability",
    "Not known",
)

#: The thesis's council service bands, half-open: [0,11), [11,25), [25,65), [65, inf).
DEFAULT_AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-10", 0, 11),
    ("11-24", 11, 25),
    ("25-64", 25, 65),
    ("65+", 65, None),
)
UNKNOWN_AGE_BAND = "Unknown"

PROVISION_TYPES: tuple[str, ...] = ("Internal", "External", "Direct payment")
MIA_THEMES: tuple[str, ...] = ("MIA3", "MIA5", "MIA17")

#: What a suppressed count [c] is, wherever a chart, a legend, a tooltip or the API says it
#: (layers.style.SUPPRESSED_TEXT, queries.viewkit.STATUS_LEGEND). Not "fewer than 10": the build
#: suppresses every true count under the threshold of 10 and also a share of the counts just
#: above it (a soft edge against attacks at the threshold), so a [c] may hide a 12.
SUPPRESSED_MEANING = "a small count (under 10, or near 10)"
