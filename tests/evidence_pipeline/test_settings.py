"""Configuration read from the environment: bad values are refused naming the variable."""

from __future__ import annotations

import pytest

from evidence_pipeline.settings import Settings, SettingsError


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_a_thread_count_that_is_not_a_positive_whole_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("EVIDENCE_DUCKDB_THREADS", value)
    with pytest.raises(SettingsError, match=f"EVIDENCE_DUCKDB_THREADS='{value}'"):
        Settings.from_env()


def test_a_thread_count_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_DUCKDB_THREADS", " 3 ")
    assert Settings.from_env().duckdb_threads == 3
