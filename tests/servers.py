"""Real servers for the tests: `mlflow server` (sqlite) and moto's S3 server, on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MlflowServer:
    url: str
    backend_uri: str
    artifacts: Path
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_mlflow_server(workdir: Path, timeout: float = 120.0) -> MlflowServer:
    """Start `mlflow server` in its own process group and wait until `/health` answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    backend_uri = f"sqlite:///{workdir / 'mlflow.db'}"
    artifacts = workdir / "artifacts"
    env = {
        **os.environ,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        # The server's job runner (GenAI jobs, unused here) keeps seven worker processes
        # polling its queue, ≈ 12 % of a core on this 2-core machine, for as long as the server
        # runs: noise under every measurement and every test.
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    }
    log = open(workdir / "server.log", "wb")
    mlflow_bin = Path(sys.executable).parent / "mlflow"
    process = subprocess.Popen(
        [
            str(mlflow_bin),
            "server",
            "--backend-store-uri",
            backend_uri,
            "--artifacts-destination",
            str(artifacts),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    server = MlflowServer(url, backend_uri, artifacts, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"mlflow server exited with {process.returncode}: "
                + (workdir / "server.log").read_text(errors="replace")[-3000:]
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"mlflow server did not answer /health within {timeout} s")
