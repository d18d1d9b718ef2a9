"""Plotly figure builders for the dashboard's views.

Every builder is a pure function of the protected rows a query-layer view returns (see
docs/ARCHITECTURE.md §3.1), so the numbers on screen are exactly the ones the query layer
published, and each builder can be tested without a browser or a database.
"""
