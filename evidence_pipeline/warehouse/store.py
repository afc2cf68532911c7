"""The DuckDB evidence warehouse: one writer at a time, analysts on a published copy.

Layout, for `EVIDENCE_WAREHOUSE=/data/evidence.duckdb`:
- `/data/evidence.duckdb` is the *published* warehouse analysts open. The pipeline never
  holds it open: after each write it replaces the file atomically (`os.replace`), so an
  analyst's open connection keeps reading the previous snapshot, and a new one sees the new.
- `/data/.evidence.duckdb.pipeline/working.duckdb` is the working copy the pipeline writes.
- `/data/.evidence.duckdb.pipeline/writer.lock` is a file lock held by whoever writes; any
  process (a Dagster run, `evidence-pipeline run`) that finds it held waits for it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from evidence_pipeline.warehouse.migrations import migrate

log = logging.getLogger(__name__)


class WarehouseNotFoundError(FileNotFoundError):
    """No published warehouse exists yet at the configured path."""


@dataclass(frozen=True)
class Warehouse:
    path: Path
    memory_limit: str = "2GB"
    threads: int = 2
    lock_timeout_seconds: float = -1  # wait for ever: a run that finds another writing waits

    @property
    def published_path(self) -> Path:
        return self.path.expanduser().resolve()

    @property
    def state_dir(self) -> Path:
        return self.published_path.parent / f".{self.published_path.name}.pipeline"

    @property
    def working_path(self) -> Path:
        return self.state_dir / "working.duckdb"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "writer.lock"

    def _config(self) -> dict[str, str]:
        return {"memory_limit": self.memory_limit, "threads": str(self.threads), "TimeZone": "UTC"}

    def connect_working(self) -> duckdb.DuckDBPyConnection:
        """Open the working copy (migrated). Only call this while holding the writer lock."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if not self.working_path.exists() and self.published_path.exists():
            # The working copy was removed (or this is a fresh state dir): start from what
            # was published rather than from nothing, so history is never lost.
            shutil.copy2(self.published_path, self.working_path)
        con = duckdb.connect(str(self.working_path), config=self._config())
        migrate(con)
        return con

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.info("Another process is writing %s; waiting for it.", self.published_path)
            lock.acquire(timeout=self.lock_timeout_seconds)
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def writer(self, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the writer lock, open the working copy, and publish it when done.

        The caller manages its own transaction (`BEGIN` ... `COMMIT`); whatever is committed
        when the block ends is published, also when the block raised.
        """
        with self.writer_lock():
            con = self.connect_working()
            try:
                yield con
            finally:
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # no open transaction: the caller committed
                con.execute("CHECKPOINT")
                con.close()
                if publish:
                    self.publish()

    def publish(self) -> None:
        """Atomically replace the published warehouse with a copy of the working copy."""
        target = self.published_path
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        try:
            shutil.copyfile(self.working_path, tmp_name)
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the published warehouse (what analysts see)."""
        if not self.published_path.exists():
            raise WarehouseNotFoundError(
                f"No warehouse at {self.published_path}: run `evidence-pipeline run` first "
                "(or set EVIDENCE_WAREHOUSE)."
            )
        con = duckdb.connect(str(self.published_path), read_only=True, config=self._config())
        try:
            yield con
        finally:
            con.close()
