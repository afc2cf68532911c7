"""Schema migrations: an existing warehouse keeps its evidence when a migration reshapes a table."""

from __future__ import annotations

from pathlib import Path

import duckdb

from evidence_pipeline.warehouse.migrations import available_migrations, migrate

_EVENT = (
    "('evt-1', TIMESTAMPTZ '2026-03-01 10:00:00+00', 'deploy', 'fraud', '3', 'production', "
    "'fraud-prod', 'ci-bot', 'lee', 'CHG-1', 'succeeded', NULL, '{\"region\": \"eu\"}', "
    "'{\"event_id\": \"evt-1\"}', 'jsonl', 's3://logs/a.jsonl', 1, "
    "'0cc175b9c0f1b6a831c399e269772661', TIMESTAMPTZ '2026-03-01 11:00:00+00', 'ing-1')"
)
_PINNED = {"event_id", "change_ticket", "incident_id", "details", "raw", "content_hash"}


def _columns(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_name = 'deployment_events' "
        "ORDER BY ordinal_position"
    ).fetchall()


def test_events_landed_before_the_compression_migration_are_kept_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "evidence.duckdb"
    con = duckdb.connect(str(path))
    migrations = available_migrations()
    for migration in migrations[:5]:  # the warehouse as it was before 0006
        con.execute(migration.sql)
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "checksum VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    for migration in migrations[:5]:
        con.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
            [migration.version, migration.name, migration.checksum],
        )
    con.execute(f"INSERT INTO deployment_events VALUES {_EVENT}")
    columns_before = _columns(con)
    events_before = con.execute("SELECT * FROM deployment_events").fetchall()

    assert 6 in migrate(con)

    assert _columns(con) == columns_before
    assert con.execute("SELECT * FROM deployment_events").fetchall() == events_before


def test_distinct_valued_event_columns_are_stored_with_fsst(tmp_path: Path) -> None:
    """DuckDB alone would store a handful of rows uncompressed or in a dictionary; the pinned
    columns are FSST whatever the rows, so no write spends time choosing."""
    path = tmp_path / "evidence.duckdb"
    con = duckdb.connect(str(path))
    migrate(con)
    con.close()
    con = duckdb.connect(str(path))  # the choice survives reopening the file
    con.execute(f"INSERT INTO deployment_events VALUES {_EVENT}")
    con.execute("CHECKPOINT")
    stored = dict(
        con.execute(
            "SELECT column_name, any_value(compression) FROM pragma_storage_info("
            "'deployment_events') WHERE segment_type <> 'VALIDITY' GROUP BY column_name"
        ).fetchall()
    )
    pinned = {column for column, compression in stored.items() if compression == "FSST"}
    assert _PINNED - {"incident_id"} <= pinned  # incident_id is NULL here: nothing to store
    assert stored["event_type"] != "FSST"  # the others are left to DuckDB


def test_endpoint_tags_recorded_before_changes_were_kept_read_as_whole_sets(
    tmp_path: Path,
) -> None:
    con = duckdb.connect(str(tmp_path / "evidence.duckdb"))
    migrations = available_migrations()
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
        "checksum VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    for migration in migrations[:6]:  # the warehouse as it was before 0007
        con.execute(migration.sql)
        con.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
            [migration.version, migration.name, migration.checksum],
        )
    con.execute(
        "INSERT INTO endpoint_tags VALUES ('arn:aws:sagemaker:eu-west-1:1:endpoint/e', 'e', 'e', "
        "MAP {'environment': 'production'}, TIMESTAMPTZ '2026-03-01 10:00:00+00', 'ct-1', "
        "'s3://trail/a.json', TIMESTAMPTZ '2026-03-01 11:00:00+00', 'ing-1')"
    )

    assert migrate(con) == [7]

    known = Path(__file__).resolve().parents[3] / (
        "evidence_pipeline/ingestion/deploy_logs/sql/known_endpoint_tags.sql"
    )
    assert con.execute(known.read_text()).fetchall() == [
        (
            "e",
            con.execute("SELECT valid_from FROM endpoint_tags").fetchone()[0],
            "ct-1",
            {"environment": "production"},
            "set",
            None,
            None,
        )
    ]
