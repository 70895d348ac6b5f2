"""Benchmarks: accuracy against labelled truth, and speed against bare-library baselines."""
