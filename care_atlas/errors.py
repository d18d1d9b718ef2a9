"""Errors a user can act on. The CLI prints them as one line and exits non-zero, no traceback."""


class UserError(Exception):
    """Something the person running Care Atlas gave us is wrong; the message says what."""

    exit_code = 2
