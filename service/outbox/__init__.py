"""Delivery of approved documents: the transactional outbox and what feeds and drains it.

`approval` writes export intents in the same transaction that stores the approved result;
`duplicates` keeps a duplicate invoice from ever being approved; `dispatcher` claims due rows
and pushes them through the connectors with backoff, Retry-After, permanent failures and a
dead-letter state that raises an alert; `configs` holds which connectors run for a tenant
(secrets sealed); `tasks` is the thin Celery face (`outbox.dispatch`, `outbox.push`).
"""
