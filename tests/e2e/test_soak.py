"""The delivery soak at CI size: 60 invoices through the QuickBooks and Xero contract-server
processes failing 30 % of requests, restarted twice; each invoice exactly once per system.
`make soak` runs the same code with 500."""

from __future__ import annotations

import pytest

from bench.soak import run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_soak_sixty_invoices_exactly_once_in_each_system() -> None:
    """pushed = 2 x 60, duplicated = 0, lost = 0, every bill with its PDF (counts from the
    contract servers' own records)."""
    result = run(count=60, fault_rate=0.3, restarts=2, seed=11, timeout_s=240)
    print(result.line)
    assert result.duplicated == 0
    assert result.lost == 0
    assert result.pushed == 120
    assert result.missing_attachments == 0
    assert result.outbox == {"delivered": 120}
