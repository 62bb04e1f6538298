"""Benchmarks of Babillard: ``python -m bench`` (see ``bench.harness`` and docs/benchmarks.md)."""
