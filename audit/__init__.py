"""Disclosure audit: attack the query layer the way an intruder would (PRIVACY.md §7).

`care-atlas audit` runs a battery of differencing, averaging and margin attacks through the
same views the dashboard and API use, and reports what, if anything, they recover with
certainty. A second run with protection switched off proves the attacks can find leaks.
"""
