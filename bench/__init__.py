"""Benchmarks run by `make bench`: each against its baseline, in the same run, printing ratios."""
