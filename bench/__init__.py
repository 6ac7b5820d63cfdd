"""Benchmarks and load generators for SmartHIS (never part of `make test`)."""
