"""The real PostgreSQL on 127.0.0.1:5432 for the history tests, one schema per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

PG_URL = os.environ.get("FLOWENGINE_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")


def available() -> bool:
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A history URL with a schema of this test's own, dropped afterwards."""
    if not available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not answering at {PG_URL} (.ci/run starts it)")
        pytest.skip(f"PostgreSQL is not answering at {PG_URL}")
    schema = f"fe_test_{uuid.uuid4().hex[:12]}"
    yield f"{PG_URL}?schema={schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
