"""Who may see the serving database: sign-in, roles, the audit log and the web safeguards.

The serving database is pseudonymised personal data (PRIVACY.md §5): outside demo mode nobody
gets in without signing in, what a role may ask for is enforced on every query, and every query
and export is written to an append-only audit log before its result leaves the server.
"""
