"""The project installs from a wheel with its mapping files and SQL included."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
        ],
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(out), "PIP_NO_INDEX": "1"},
    )
    (wheel,) = out.glob("evidence_pipeline-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel_names(wheel_path: Path) -> set[str]:
    with zipfile.ZipFile(wheel_path) as archive:
        return set(archive.namelist())


@pytest.mark.slow
def test_wheel_carries_every_mapping_rule_and_sql_file(wheel_names: set[str]) -> None:
    expected = {
        str(path.relative_to(ROOT))
        for pattern in (
            "control_mappings/**/*.yaml",
            "control_mappings/**/*.sql",
            "evidence_pipeline/**/*.sql",
            "connectors/*.py",
        )
        for path in ROOT.glob(pattern)
    }
    assert expected, "the repository has mapping and SQL files to package"
    assert expected <= wheel_names, sorted(expected - wheel_names)


@pytest.mark.slow
def test_wheel_declares_the_console_script(wheel_path: Path, wheel_names: set[str]) -> None:
    (entry_points,) = [n for n in wheel_names if n.endswith("entry_points.txt")]
    with zipfile.ZipFile(wheel_path) as archive:
        text = archive.read(entry_points).decode()
    assert "evidence-pipeline = evidence_pipeline.cli:main" in text
