"""Benchmarks (make bench-…): each module prints a table of figures; none runs in make
test."""
