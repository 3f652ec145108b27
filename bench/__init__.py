"""Benchmarks: `python -m bench` (what `make bench` runs) runs every bench module in turn."""
