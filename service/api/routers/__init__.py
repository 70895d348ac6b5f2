"""Routers added by the delivery work: connectors, the outbox and approvals, exports."""
