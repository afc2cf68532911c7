"""An analyst in another process: a DuckDB connection to the published warehouse, held open.

The session answers one query per line sent to it, on the same connection, so a test can
ask it something before, during and after a pipeline run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_SESSION = r"""
import json, sys
import duckdb
path, read_only = sys.argv[1], sys.argv[2] == "read_only"
con = duckdb.connect(path, read_only=read_only)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    sql = line.strip()
    if not sql:
        break
    try:
        rows = con.execute(sql).fetchall()
        print(json.dumps({"rows": rows}, default=str), flush=True)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
con.close()
"""


class AnalystSession:
    def __init__(self, path: Path, read_only: bool = True) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SESSION, str(path), "read_only" if read_only else "rw"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self._answer()
        if not first.get("ready"):
            raise RuntimeError(f"analyst session did not start: {first}")

    def _answer(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise RuntimeError(f"analyst session ended: {stderr[-2000:]}")
        return json.loads(line)

    def query(self, sql: str) -> list[list]:
        """The rows of `sql` on the held connection; raises with DuckDB's message on error."""
        assert self.process.stdin is not None
        self.process.stdin.write(sql.replace("\n", " ") + "\n")
        self.process.stdin.flush()
        answer = self._answer()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["rows"]

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> AnalystSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
