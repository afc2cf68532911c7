"""Fixtures for control evaluation: the project's configuration, an empty migrated warehouse
(in memory: the rules read only the warehouse), and an estate builder writing into it."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from evidence_pipeline.controls.configuration import ControlConfiguration, load_configuration
from evidence_pipeline.settings import Settings
from evidence_pipeline.warehouse.migrations import migrate
from tests.evidence_pipeline.controls.estate import Estate


@pytest.fixture(scope="session")
def configuration() -> ControlConfiguration:
    """The project's catalog and mappings, with no EVIDENCE_MAPPINGS and no attestations."""
    return load_configuration(Settings())


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(":memory:")
    connection.execute("SET TimeZone = 'UTC'")
    migrate(connection)
    yield connection
    connection.close()


@pytest.fixture
def estate(con: duckdb.DuckDBPyConnection) -> Estate:
    return Estate(con)
