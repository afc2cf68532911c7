"""The warehouse's writers and readers: one writer at a time, analysts never blocked."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from evidence_pipeline.warehouse.store import Warehouse, WarehouseLockTimeoutError
from tests.evidence_pipeline.warehouse.analyst import AnalystSession


def _add_rows(warehouse: Warehouse, *values: int) -> None:
    with warehouse.writer() as con:
        con.execute("CREATE TABLE IF NOT EXISTS notes (n INTEGER)")
        con.execute("BEGIN TRANSACTION")
        for value in values:
            con.execute("INSERT INTO notes VALUES (?)", [value])
        con.execute("COMMIT")


def _count(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM notes").fetchone()[0]
    finally:
        con.close()


def test_a_write_is_published_and_leaves_no_temporary_file(warehouse_path: Path) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 1, 2)

    assert _count(warehouse.published_path) == 2
    assert sorted(p.name for p in warehouse_path.parent.iterdir()) == [
        ".evidence.duckdb.pipeline",
        "evidence.duckdb",
    ]
    with warehouse.reader() as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 1


def test_a_write_that_changes_nothing_does_not_copy_the_warehouse_again(
    warehouse_path: Path,
) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 1)
    inode = warehouse.published_path.stat().st_ino

    with warehouse.writer() as con:
        con.execute("SELECT count(*) FROM notes").fetchone()
    assert warehouse.published_path.stat().st_ino == inode

    _add_rows(warehouse, 2)
    assert warehouse.published_path.stat().st_ino != inode
    assert _count(warehouse.published_path) == 2


def test_a_published_file_removed_by_someone_is_published_again(warehouse_path: Path) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 1)
    warehouse.published_path.unlink()

    with warehouse.writer():
        pass
    assert _count(warehouse.published_path) == 1


def test_an_abandoned_temporary_copy_is_cleaned_up(warehouse_path: Path) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 1)
    leftover = warehouse_path.parent / ".evidence.duckdb.abc123.publishing"
    leftover.write_bytes(b"half a copy")

    _add_rows(warehouse, 2)
    assert not leftover.exists()


def test_a_second_writer_waits_for_the_first_and_both_writes_land(warehouse_path: Path) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 0)
    order: list[str] = []
    first_inside = threading.Event()

    def first() -> None:
        with warehouse.writer() as con:
            first_inside.set()
            order.append("first starts")
            time.sleep(1.0)
            con.execute("INSERT INTO notes VALUES (1)")
            order.append("first ends")

    # A second process, so the file lock is tested across processes, as Dagster runs are.
    script = (
        "import sys; from pathlib import Path; "
        "from evidence_pipeline.warehouse.store import Warehouse; "
        "w = Warehouse(Path(sys.argv[1]))\n"
        "with w.writer() as con: con.execute('INSERT INTO notes VALUES (2)')"
    )
    thread = threading.Thread(target=first)
    thread.start()
    assert first_inside.wait(10)
    started = time.monotonic()
    second = subprocess.run(
        [sys.executable, "-c", script, str(warehouse_path)], capture_output=True, text=True
    )
    waited = time.monotonic() - started
    thread.join()

    assert second.returncode == 0, second.stderr
    assert order == ["first starts", "first ends"]
    assert waited >= 0.5, "the second writer should have waited for the lock"
    assert _count(warehouse.published_path) == 3


def test_a_writer_with_a_lock_timeout_says_who_holds_it(warehouse_path: Path) -> None:
    holder = Warehouse(warehouse_path)
    impatient = Warehouse(warehouse_path, lock_timeout_seconds=0.2)
    script = (
        "import sys, time; from pathlib import Path; "
        "from evidence_pipeline.warehouse.store import Warehouse; "
        "w = Warehouse(Path(sys.argv[1]))\n"
        "with w.writer_lock():\n    print('held', flush=True); time.sleep(30)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseLockTimeoutError, match=r"writer\.lock"):
            with impatient.writer():
                pass
    finally:
        process.kill()
        process.wait()
    # The lock dies with its process: the next writer gets it at once.
    _add_rows(holder, 1)
    assert _count(holder.published_path) == 1


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "read-write"])
def test_an_analyst_holding_the_warehouse_open_never_blocks_a_write(
    warehouse_path: Path, read_only: bool
) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 1, 2)

    with AnalystSession(warehouse.published_path, read_only=read_only) as analyst:
        assert analyst.query("SELECT count(*) FROM notes") == [[2]]
        _add_rows(warehouse, 3)
        # The analyst keeps the snapshot they opened and keeps answering.
        assert analyst.query("SELECT count(*) FROM notes") == [[2]]
        # A new connection sees the new data, also through the pipeline's own reader.
        assert _count(warehouse.published_path) == 3
        with warehouse.reader() as con:
            assert con.execute("SELECT count(*) FROM notes").fetchone()[0] == 3


def test_the_pipeline_reads_the_working_copy_while_an_analyst_holds_it_read_write(
    warehouse_path: Path,
) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 1)
    with AnalystSession(warehouse.published_path, read_only=False) as analyst:
        assert analyst.query("SELECT count(*) FROM notes") == [[1]]
        with warehouse.reader() as con:
            assert con.execute("SELECT count(*) FROM notes").fetchone()[0] == 1


def test_readers_opening_the_warehouse_during_publications_never_see_a_partial_file(
    warehouse_path: Path,
) -> None:
    warehouse = Warehouse(warehouse_path)
    with warehouse.writer() as con:
        con.execute("CREATE TABLE notes AS SELECT range AS n FROM range(200000)")
    script = (
        "import sys, time, duckdb\n"
        "end = time.monotonic() + float(sys.argv[2]); opened = 0\n"
        "while time.monotonic() < end:\n"
        "    con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "    assert con.execute('SELECT count(*) >= 200000 FROM notes').fetchone()[0]\n"
        "    con.close(); opened += 1\n"
        "print(opened)"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse_path), "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    publications = 0
    while reader.poll() is None:
        _add_rows(warehouse, publications)
        publications += 1
    out, err = reader.communicate()
    assert reader.returncode == 0, err
    assert int(out) > 10 and publications > 3


def test_deferred_publication_reads_the_working_copy_and_publishes_once_at_the_end(
    warehouse_path: Path,
) -> None:
    warehouse = Warehouse(warehouse_path)
    _add_rows(warehouse, 1)
    published = warehouse.published_path.stat().st_ino

    with warehouse.publication_deferred():
        _add_rows(warehouse, 2)
        _add_rows(warehouse, 3)
        assert warehouse.published_path.stat().st_ino == published  # analysts: before the run
        assert _count(warehouse.published_path) == 1
        with warehouse.reader() as con:  # the run's own steps: what it wrote
            assert con.execute("SELECT count(*) FROM notes").fetchone()[0] == 3

    assert warehouse.published_path.stat().st_ino != published
    assert _count(warehouse.published_path) == 3
    with warehouse.reader() as con:
        assert con.execute("SELECT count(*) FROM notes").fetchone()[0] == 3


def test_deferred_publication_publishes_what_was_committed_when_the_run_fails(
    warehouse_path: Path,
) -> None:
    warehouse = Warehouse(warehouse_path)
    with pytest.raises(RuntimeError), warehouse.publication_deferred():
        _add_rows(warehouse, 1, 2)
        assert not warehouse.published_path.exists()
        raise RuntimeError("a step failed")

    assert _count(warehouse.published_path) == 2
