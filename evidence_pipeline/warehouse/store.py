"""The DuckDB evidence warehouse: one writer at a time, analysts on a published copy.

Layout, for `EVIDENCE_WAREHOUSE=/data/evidence.duckdb`:
- `/data/evidence.duckdb` is the *published* warehouse analysts open. The pipeline never
  holds it open for writing: after a write that changed something it copies the working copy
  to a temporary file in the same directory and renames it over the published file
  (`os.replace`), so an analyst's open connection keeps reading the snapshot it opened, a new
  one sees the new snapshot, and nobody ever sees a partial file.
- `/data/.evidence.duckdb.pipeline/working.duckdb` is the working copy the pipeline writes.
- `/data/.evidence.duckdb.pipeline/writer.lock` is a file lock held by whoever writes; any
  process (a Dagster run, `evidence-pipeline run`) that finds it held waits for it.
- `/data/.evidence.duckdb.pipeline/published.json` records what was last published, so a write
  that changed nothing does not copy the warehouse again.

A process that runs many steps at once (`evidence-pipeline run`) defers publication to its end
(`publication_deferred`): its writers do not publish, its readers read the working copy, and
the warehouse is copied once, not after every step. A copy costs the warehouse's size, not the
new evidence's (1 GB with 90 days of backfilled results).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from evidence_pipeline.warehouse.migrations import migrate

log = logging.getLogger(__name__)

_TEMP_SUFFIX = ".publishing"
# Published paths whose publication this process defers, with how many blocks defer it.
_deferred_publications: dict[Path, int] = {}
_DUCKDB_HEADERS_BYTES = 3 * 4096  # the main header and the two database headers


class WarehouseNotFoundError(FileNotFoundError):
    """No published warehouse exists yet at the configured path."""


class WarehouseLockTimeoutError(TimeoutError):
    """Another writer held the warehouse longer than the configured lock timeout."""


def _stat_token(path: Path) -> dict[str, int | str] | None:
    """What changes when a file is written or replaced: inode, size, modification time, and a
    hash of DuckDB's file headers (every checkpoint writes a header with a new iteration
    number, so a write is seen even within the filesystem's timestamp granularity)."""
    try:
        with open(path, "rb") as file:
            stat = os.fstat(file.fileno())
            header = hashlib.sha256(file.read(_DUCKDB_HEADERS_BYTES)).hexdigest()
    except FileNotFoundError:
        return None
    return {
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "header": header,
    }


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_file(source: Path, target_fd: int) -> None:
    """Copy in the kernel (`copy_file_range`: a reflink on filesystems that support it)."""
    with open(source, "rb") as src:
        remaining = os.fstat(src.fileno()).st_size
        offset = 0
        try:
            while remaining > 0:
                copied = os.copy_file_range(src.fileno(), target_fd, remaining, offset)
                if copied == 0:
                    break
                offset += copied
                remaining -= copied
        except OSError:
            # Not supported between these filesystems: copy through user space instead.
            os.lseek(target_fd, 0, os.SEEK_SET)
            os.ftruncate(target_fd, 0)
            src.seek(0)
            with os.fdopen(os.dup(target_fd), "wb") as dst:
                shutil.copyfileobj(src, dst, length=16 * 1024 * 1024)


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


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

    @property
    def publication_record_path(self) -> Path:
        return self.state_dir / "published.json"

    def _connect(self, path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(
            str(path),
            read_only=read_only,
            config={"memory_limit": self.memory_limit, "threads": str(self.threads)},
        )
        # Set after connecting: as a connect option it needs ICU before ICU is autoloaded.
        con.execute("SET TimeZone = 'UTC'")
        return con

    def connect_working(self) -> duckdb.DuckDBPyConnection:
        """Open the working copy (migrated). Only call this while holding the writer lock."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if not self.working_path.exists() and self.published_path.exists():
            # The working copy was removed (or this is a fresh state dir): start from what
            # was published rather than from nothing, so history is never lost.
            shutil.copy2(self.published_path, self.working_path)
        con = self._connect(self.working_path)
        migrate(con)
        return con

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the writer lock; when another process holds it, wait (and log that we wait)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.info("Another process is writing %s; waiting for it.", self.published_path)
            started = time.monotonic()
            try:
                lock.acquire(timeout=self.lock_timeout_seconds)
            except Timeout:
                raise WarehouseLockTimeoutError(
                    f"Another writer held {self.lock_path} for more than "
                    f"{self.lock_timeout_seconds:g} s; it may be a long run still going, "
                    "or a process that hangs (the lock is released when its process ends)."
                ) from None
            log.info("Waited %.1f s for the warehouse writer lock.", time.monotonic() - started)
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def writer(self, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the writer lock, open the working copy, and publish it when done.

        The caller manages its own transaction (`BEGIN` ... `COMMIT`); whatever is committed
        when the block ends is published, also when the block raised. A write that changed
        nothing publishes nothing (see `publish`).
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
                if publish and not self.publication_is_deferred:
                    self.publish()

    @property
    def publication_is_deferred(self) -> bool:
        return _deferred_publications.get(self.published_path, 0) > 0

    @contextmanager
    def publication_deferred(self) -> Iterator[None]:
        """Within the block, this process's writers do not publish and its readers read the
        working copy (under the writer lock); when the block ends, also by an error, what was
        committed is published once. For one process running many steps in a row: analysts
        then see a run's evidence when the run ends, and the warehouse is copied once."""
        path = self.published_path
        _deferred_publications[path] = _deferred_publications.get(path, 0) + 1
        try:
            yield
        finally:
            _deferred_publications[path] -= 1
            if not _deferred_publications[path]:
                del _deferred_publications[path]
                if self.working_path.exists():
                    with self.writer_lock():
                        self.publish()

    def needs_publication(self) -> bool:
        """Whether the working copy differs from what was last published (cheap: file stats)."""
        working = _stat_token(self.working_path)
        if working is None:
            return False
        try:
            record = json.loads(self.publication_record_path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return True
        return record != {"working": working, "published": _stat_token(self.published_path)}

    def publish(self, force: bool = False) -> bool:
        """Atomically replace the published warehouse with a copy of the working copy.

        Call while holding the writer lock (`writer()` does). The copy goes to a temporary
        file in the published file's directory, is flushed to disk, then renamed over the
        published file: a reader sees the old file or the new one, never a partial one.
        Returns False, copying nothing, when the working copy has not changed since the last
        publication and the published file is still the one published then.
        """
        if not self.working_path.exists():
            return False
        if not force and not self.needs_publication():
            log.debug("Nothing changed since the last publication of %s.", self.published_path)
            return False
        target = self.published_path
        target.parent.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned_temporaries()
        started = time.monotonic()
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=_TEMP_SUFFIX, dir=target.parent
        )
        try:
            try:
                _copy_file(self.working_path, fd)
                os.fchmod(fd, 0o644)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)
        record = {"working": _stat_token(self.working_path), "published": _stat_token(target)}
        self._write_publication_record(record)
        log.info(
            "Published %s (%d bytes) in %.2f s.",
            target,
            record["published"]["size"] if record["published"] else 0,
            time.monotonic() - started,
        )
        return True

    def _write_publication_record(self, record: dict) -> None:
        tmp = self.publication_record_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, self.publication_record_path)

    def _remove_abandoned_temporaries(self) -> None:
        """Temporary copies left by a writer that was killed mid-copy (we hold the lock)."""
        for leftover in self.published_path.parent.glob(
            f".{self.published_path.name}.*{_TEMP_SUFFIX}"
        ):
            leftover.unlink(missing_ok=True)

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the published warehouse (what analysts see).

        When someone holds the published file open for writing (an analyst who opened it
        read-write), DuckDB refuses a second process; the pipeline then reads the working copy
        under the writer lock instead, so an analyst can never make a run fail. While this
        process defers publication (`publication_deferred`), it reads the working copy, which
        holds what its steps wrote.
        """
        working = self.publication_is_deferred and self.working_path.exists()
        if not working and not self.published_path.exists():
            raise WarehouseNotFoundError(
                f"No warehouse at {self.published_path}: run `evidence-pipeline run` first "
                "(or set EVIDENCE_WAREHOUSE)."
            )
        with ExitStack() as stack:
            con = None
            if not working:
                try:
                    con = self._connect(self.published_path, read_only=True)
                except duckdb.Error as exc:
                    if not _is_lock_conflict(exc) or not self.working_path.exists():
                        raise
                    log.info(
                        "%s is held open for writing by another process; reading the working copy.",
                        self.published_path,
                    )
            if con is None:
                stack.enter_context(self.writer_lock())
                con = self._connect(self.working_path, read_only=True)
            stack.callback(con.close)
            yield con
