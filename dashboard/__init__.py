"""The Care Atlas Dash app: the views, filter bar and URL state over the protected query layer.

Every number shown comes from ``queries.run_view``; this package never queries DuckDB itself.
"""
