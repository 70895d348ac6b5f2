"""Schemathesis against the OpenAPI spec of the ASGI app: generated requests to every
operation, with a valid key, never answered with a 5xx. Bounded for CI: a few examples per
operation (DOCPROC_SCHEMATHESIS_EXAMPLES raises it for a longer local run)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from service.api import create_app
from tests.conftest import FakeQueue, make_container, make_settings, new_tenant

pytestmark = pytest.mark.integration
EXAMPLES = int(os.environ.get("DOCPROC_SCHEMATHESIS_EXAMPLES", "3"))
_HEADERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app on a fresh SQLite database, its schema loaded over ASGI, a tenant's key."""
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    container = make_container(make_settings(folder / "data", f"sqlite:///{folder / 'st.db'}"))
    app = create_app(container, FakeQueue(container))
    _HEADERS.update(new_tenant(container).headers)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    container.engine.dispose()


def test_no_operation_answers_a_server_error(api_schema: Any) -> None:
    """Whatever the generated input, every operation answers 2xx, 3xx or 4xx, never 5xx."""
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=dict(_HEADERS), checks=[not_a_server_error])

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(error)[:500]}")
    sys.stderr.write(
        f"SCHEMATHESIS operations={operations} examples<={EXAMPLES} server_errors={len(failures)}\n"
    )
    assert not failures, "\n".join(failures)
