"""Disclosure audit, version 2: attack the published catalogue as PRIVACY.md §0 and §8 say.

`care-atlas audit` reads the served cells and the build workspace's true values, attacks every
suppressed and small published cell through every relation the catalogue offers (least
squares, exact bounds, maximum likelihood with the public ptable), one person's cost from
differences of cost cells, and runs two controls that must find leaks.
"""
