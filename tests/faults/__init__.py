"""Fault tests: real processes and private servers, faults injected (RELIABILITY.md F1-F8)."""
