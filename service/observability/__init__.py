"""Observability: structured logs, Prometheus metrics, health checks and alert rules.

Owns how the service reports on itself; must not change what the service does.
"""
