"""Care Atlas: shared settings, reference data and the command line."""

__version__ = "0.1.0"
