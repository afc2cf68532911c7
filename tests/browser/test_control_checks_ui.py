"""An ML engineer opens the Dagster UI and reads control status on `evidence/control_results`.

The demo estate is built, the pipeline runs into a test Dagster instance, then the real
`dagster-webserver` serves that instance on loopback and Debian's Chromium, driven by
Playwright, opens the asset's checks.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from evidence_pipeline.controls.checks import CHECKED_CONTROLS, CONTROL_RESULTS, PASSING
from evidence_pipeline.demo import DemoEstate
from tests.fixtures.demo_estate import clean_env, copy_demo_estate, run_cli
from tests.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class UiInstance:
    url: str
    estate: DemoEstate
    dagster_home: Path


@pytest.fixture(scope="module")
def ui_instance(
    tmp_path_factory: pytest.TempPathFactory, demo_estate_template: DemoEstate
) -> Iterator[UiInstance]:
    root = tmp_path_factory.mktemp("ui")
    estate = copy_demo_estate(demo_estate_template, root / "estate")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", dagster_home / "dagster.yaml")
    env = clean_env(**estate.env, DAGSTER_HOME=str(dagster_home))
    run = run_cli(["run"], env=env, cwd=root)
    assert "controls" in run.stdout, run.stdout[-3000:] + run.stderr[-3000:]

    port = free_port()
    log = open(root / "webserver.log", "wb")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-w",
            str(REPO / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(url, server, root / "webserver.log")
        yield UiInstance(url, estate, dagster_home)
    finally:
        _stop(server)
        log.close()


def _wait_for_server(url: str, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"dagster-webserver exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"dagster-webserver did not answer /server_info within {timeout:g} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _expected_outcomes(estate: DemoEstate) -> dict[str, tuple[str, int]]:
    """Per check name, the status in the warehouse and how many subjects fail."""
    with duckdb.connect(str(estate.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            SELECT control_id, status, subjects_failing + subjects_stale + subjects_error
            FROM control_status_current
            """
        ).fetchall()
    by_control = {control_id: (status, failing) for control_id, status, failing in rows}
    return {
        c.check_name: by_control.get(c.control_id, ("no_evidence", 0)) for c in CHECKED_CONTROLS
    }


def _failing_subject(estate: DemoEstate, control_id: str) -> str:
    with duckdb.connect(str(estate.warehouse), read_only=True) as con:
        return con.execute(
            """
            SELECT subject_id FROM control_results
            WHERE control_id = ? AND status IN ('fail', 'stale', 'error')
              AND as_of = (SELECT max(as_of) FROM control_results)
            ORDER BY subject_id LIMIT 1
            """,
            [control_id],
        ).fetchone()[0]


def test_the_instance_holds_an_evaluation_for_every_check(ui_instance: UiInstance) -> None:
    with dg.DagsterInstance.from_config(str(ui_instance.dagster_home)) as instance:
        evaluated = {
            c.check_name
            for c in CHECKED_CONTROLS
            if instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(CONTROL_RESULTS, c.check_name), limit=1
            )
        }
    assert evaluated == {c.check_name for c in CHECKED_CONTROLS}


def test_the_ui_lists_each_control_check_with_its_pass_or_fail_state(
    ui_instance: UiInstance,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    expected = _expected_outcomes(ui_instance.estate)
    passing = sorted(name for name, (status, _) in expected.items() if status in PASSING)
    failing = sorted(
        (name for name, (status, count) in expected.items() if status not in PASSING and count),
        key=lambda name: -expected[name][1],
    )
    assert passing and failing, f"the demo estate should give both: {expected}"
    ARTIFACTS.mkdir(exist_ok=True)
    expect.set_options(timeout=20_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1300})
            page.set_default_timeout(90_000)
            # Dagster's newsletter dialog covers the page on a first visit: dismiss it.
            page.add_locator_handler(
                page.get_by_text("Join the Dagster community"),
                lambda _: page.get_by_role("button", name="Skip").click(),
            )
            page.goto(f"{ui_instance.url}/assets/evidence/control_results?view=checks")
            # The code location loads on the first visit: allow for it.
            expect(page.get_by_text(f"Checks ({len(CHECKED_CONTROLS)})")).to_be_visible(
                timeout=120_000
            )
            expect(page.locator("div[class*='checkRow']").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "control-checks.png"), full_page=True)

            filter_box = page.get_by_placeholder("Filter checks")

            def row_of(name: str):
                filter_box.fill(name)
                row = page.locator("div[class*='checkRow']").filter(
                    has=page.locator(f'[title="{name}"]')
                )
                expect(row).to_have_count(1)
                return row

            for control in CHECKED_CONTROLS:
                status, _ = expected[control.check_name]
                row = row_of(control.check_name)
                expect(row).to_contain_text("Succeeded" if status in PASSING else "Failed")
                icon = row.locator("[role=img]").first
                if status in ("ineffective", "error"):
                    expect(icon).to_have_attribute("aria-label", "cancel")
                elif status in ("partially_effective", "no_evidence"):
                    expect(icon).to_have_attribute("aria-label", "warning_outline")

            # The failing subjects of a failing control, as a person would open them.
            name = failing[0]
            control = next(c for c in CHECKED_CONTROLS if c.check_name == name)
            row_of(name).click()
            expect(page.get_by_text(f"{control.control_id}: ").first).to_be_visible()
            page.get_by_text("[Show Markdown]").first.click()
            dialog = page.get_by_role("dialog")
            expect(dialog).to_contain_text(_failing_subject(ui_instance.estate, control.control_id))
            expect(dialog).to_contain_text("reason")
            page.screenshot(path=str(ARTIFACTS / "control-check-failing-subjects.png"))
        finally:
            browser.close()
    assert (ARTIFACTS / "control-checks.png").stat().st_size > 10_000
