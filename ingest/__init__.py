"""The build step: a raw agreement extract in, a read-only serving DuckDB file out."""
