"""Geography: wards, postcode districts and sectors, postcode lookups and population.

Inputs are read from the geography folder (``Settings.geography_dir``); what the app needs at
run time is written to ``Settings.geometry_dir`` by :mod:`boundaries.browser_geometry`.
"""
