"""``notifysdk run --workers celery``: real workers send the campaign; the summary the
planner prints (read from the ledger as stages settle) is the one a run in one process
prints over the same portfolio, and its counts are the ledger's."""

from __future__ import annotations

import asyncio
import csv
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fleet import FleetFiles, Workers
from typer.testing import CliRunner

from notifysdk.campaign.portfolio import CSV_COLUMNS
from notifysdk.campaign.synthetic import synthetic_rows
from notifysdk.cli import get_app
from notifysdk.config import Settings
from notifysdk.dispatcher import open_ledger
from notifysdk.keys import load_settings_keys
from notifysdk.ledger.base import NoticeState
from notifysdk.ledger.durable import DurableLedger

pytestmark = [pytest.mark.server("redis"), pytest.mark.server("postgresql")]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = "2026-01-05T02:00:00+00:00"
ROWS = 240
VOLATILE = ("now", "written", "ledger_url", "output_dir")


def _config(folder: Path, ledger_url: str, worker_table: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (EXAMPLES / "notifysdk.toml").read_text(encoding="utf-8")
    text = text.replace(
        'output_dir = ".notifysdk/out"',
        f'output_dir = "{(folder / "out").as_posix()}"\nledger_url = "{ledger_url}"\n'
        "lease_seconds = 6",
    )
    (folder / "notifysdk.toml").write_text(text + "\n" + worker_table, encoding="utf-8")
    shutil.copy(EXAMPLES / "ladder.toml", folder / "ladder.toml")
    return folder / "notifysdk.toml"


def _run(config: Path, portfolio: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    args = ["run", str(portfolio), "--config", str(config), "--now", NOW, "--json", *extra]
    result = CliRunner().invoke(get_app(), args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.stdout.strip(), result.output
    doc = json.loads(result.stdout)
    return result.exit_code, doc


async def _states(url: str, config: Path) -> Counter[str]:
    keys = load_settings_keys(Settings.load(config))
    ledger = open_ledger(url, keys=lambda: keys)
    assert isinstance(ledger, DurableLedger)
    try:
        counts: Counter[str] = Counter()
        for state in NoticeState:
            counts[state.value] = len(await ledger.notices(state, limit=100_000))
        return +counts
    finally:
        await ledger.aclose()


@pytest.mark.timeout(300)
def test_a_fleet_run_summarises_what_the_ledger_holds_as_one_process_would(
    files: FleetFiles, workers: Workers, pg_server: Any, tmp_path: Path
) -> None:
    portfolio = tmp_path / "p.csv"
    with portfolio.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in synthetic_rows(ROWS, seed=18):
            writer.writerow([row[c] for c in CSV_COLUMNS])
    fleet_config = _config(tmp_path / "fleet", files.ledger_url, files.worker_table())
    solo_url = pg_server.create_database(f"solo_{abs(hash(tmp_path)) % 10**8}")
    solo_config = _config(tmp_path / "solo", solo_url, "")
    files.only_builtins = False  # the example routes to the callscript and visitletter plugins
    files.folder = tmp_path / "fleet"
    (files.folder / "fleet.toml").write_text(fleet_config.read_text(encoding="utf-8"))
    for name in ("w1", "w2"):
        workers.start(name)

    code, fleet = _run(fleet_config, portfolio, "--workers", "celery")
    solo_code, solo = _run(solo_config, portfolio)
    workers.check_alive()
    # on a mismatch, say which counts differ and what the workers logged
    keys = {*fleet, *solo}
    differ = {k: (fleet.get(k), solo.get(k)) for k in keys if fleet.get(k) != solo.get(k)}
    assert code == solo_code, (differ, {n: workers.log(n)[-2000:] for n in ("w1", "w2")})
    assert fleet["notices"] > ROWS / 3 and fleet["new_deliveries"] > 0
    assert {k: v for k, v in fleet.items() if k not in VOLATILE} == {
        k: v for k, v in solo.items() if k not in VOLATILE
    }
    # the summary's counts are the ledger's (blocks the dispatcher does not record —
    # bad input, a data source's "no appointment" — are not in either ledger)
    fleet_states = asyncio.run(_states(files.ledger_url, fleet_config))
    assert fleet_states == asyncio.run(_states(solo_url, solo_config))
    assert fleet_states["delivered"] == fleet["by_outcome"]["delivered"] == fleet["new_deliveries"]
    for status in ("deferred", "failed", "dead_lettered"):
        assert fleet_states.get(status, 0) == fleet["by_outcome"].get(status, 0), status
    assert sum(fleet["written"].values()) == fleet["new_deliveries"]

    # the same run again: every notice is already done, in the fleet as in one process
    again_code, again = _run(fleet_config, portfolio, "--enqueue")
    solo_again_code, solo_again = _run(solo_config, portfolio)
    assert again_code == solo_again_code
    assert {k: v for k, v in again.items() if k not in VOLATILE} == {
        k: v for k, v in solo_again.items() if k not in VOLATILE
    }
    assert again["new_deliveries"] == 0 and again["duplicates"] > 0
    assert asyncio.run(_states(files.ledger_url, fleet_config)) == fleet_states
