"""Shared test fixtures. Each subsystem's fixtures live in tests/fixtures/<name>.py."""

pytest_plugins = [
    "tests.fixtures.extract",
    "tests.fixtures.serving",
    "tests.fixtures.queries",
    "tests.fixtures.dashboard",
    "tests.fixtures.pages",
]
