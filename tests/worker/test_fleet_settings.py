"""The fleet's settings checks and its sealed payloads (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from notifysdk.builtin import worker_cli
from notifysdk.cli import get_app
from notifysdk.config import Settings
from notifysdk.errors import ConfigurationError
from notifysdk.keys import ephemeral_keys
from notifysdk.testing import sample_notice
from notifysdk.worker import SharedLedgerRequiredError, WorkerSettings, check_fleet
from notifysdk.worker.jobs import Job, open_job, open_report, seal_job, seal_report
from notifysdk.worker.payload import PayloadError
from notifysdk.worker.settings import load_worker_settings

BROKER = "redis://127.0.0.1:1/0"


def _toml(tmp_path: Path, ledger: str, worker: str = f'broker_url = "{BROKER}"\n') -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(
        f'[notifysdk]\nledger_url = "{ledger}"\noutput_dir = "{tmp_path / "out"}"\n'
        f"[worker]\n{worker}",
        encoding="utf-8",
    )
    (tmp_path / "p.csv").write_text("account_id\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("url", ["sqlite:///x/ledger.db", "memory://"])
def test_a_ledger_one_process_owns_is_refused_naming_the_setting(url: str) -> None:
    settings = Settings(ledger_url=url)
    with pytest.raises(SharedLedgerRequiredError, match=r"notifysdk\.ledger_url"):
        check_fleet(settings, WorkerSettings(broker_url=BROKER))


def test_the_visibility_timeout_must_outlast_the_lease() -> None:
    settings = Settings(ledger_url="postgresql://u@h/db", lease_seconds=300)
    with pytest.raises(ConfigurationError, match=r"worker\.visibility_timeout"):
        check_fleet(settings, WorkerSettings(broker_url=BROKER, visibility_timeout=300))
    check_fleet(settings, WorkerSettings(broker_url=BROKER, visibility_timeout=301))


def test_a_fleet_needs_a_redis_broker_and_never_shows_its_url(tmp_path: Path) -> None:
    settings = Settings(ledger_url="postgresql://u@h/db")
    with pytest.raises(ConfigurationError, match=r"worker\.broker_url: not set"):
        check_fleet(settings, WorkerSettings())
    with pytest.raises(ConfigurationError, match=r"redis://") as err:
        check_fleet(settings, WorkerSettings(broker_url="amqp://user:s3cret@h//"))
    assert "s3cret" not in str(err.value)
    bad = _toml(tmp_path, "postgresql://u@h/db", "batch = 0\nbroker_url = 'redis://:pw9@h'\n")
    with pytest.raises(ConfigurationError, match=r"worker\.batch") as err:
        load_worker_settings(bad)
    assert "pw9" not in str(err.value)


def test_run_with_the_fleet_refuses_sqlite_before_anything_is_sent(tmp_path: Path) -> None:
    config = _toml(tmp_path, f"sqlite:///{tmp_path}/ledger.db")
    args = ["run", str(tmp_path / "p.csv"), "--config", str(config)]
    for fleet in (["--workers", "celery"], ["--enqueue"]):
        result = CliRunner().invoke(get_app(), [*args, *fleet])
        assert result.exit_code == 3, result.output
        assert "notifysdk.ledger_url" in result.output
        assert "postgresql://" in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "ledger.db").exists()


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--workers", "celery", "--dry-run"], "dry run"),
        (["--workers", "0"], "between 1 and 64"),
        (["--workers", "many"], "celery"),
        (["--workers", "2"], "--dry-run"),
    ],
)
def test_bad_workers_values_are_usage_errors(tmp_path: Path, extra: list[str], needle: str) -> None:
    config = _toml(tmp_path, "postgresql://u@h/db")
    result = CliRunner().invoke(
        get_app(), ["run", str(tmp_path / "p.csv"), "--config", str(config), *extra]
    )
    assert result.exit_code == 2, result.output
    assert needle in " ".join(result.output.split())


def test_the_worker_command_refuses_sqlite(tmp_path: Path) -> None:
    app = typer.Typer()
    app.callback()(lambda: None)
    worker_cli.notifysdk_register_commands(app)
    config = _toml(tmp_path, f"sqlite:///{tmp_path}/ledger.db")
    result = CliRunner().invoke(app, ["worker", "--config", str(config)])
    assert result.exit_code == 3
    assert "notifysdk.ledger_url" in result.output
    result = CliRunner().invoke(app, ["worker", "--config", str(config), "--pool", "threads"])
    assert result.exit_code == 2


def test_jobs_and_reports_cross_the_broker_sealed() -> None:
    keys, other = ephemeral_keys(), ephemeral_keys()
    notice = sample_notice(7)
    job = Job((notice,), (None,), ("failed",), "2026-01-05T15:00:00+00:00")
    token = seal_job(keys, job)
    assert notice.recipient.person.name not in token and notice.account.account_id not in token
    assert open_job(keys, job.id, token) == job
    with pytest.raises(PayloadError, match="does not hold"):
        open_job(other, job.id, token)
    with pytest.raises(PayloadError, match="does not open"):
        open_job(keys, "another-job", token)  # bound to its job's id
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(PayloadError):
        open_job(keys, job.id, tampered)
    with pytest.raises(PayloadError):  # a report is not a job
        open_job(keys, job.id, seal_report(keys, job.id, []))
    assert open_report(keys, job.id, seal_report(keys, job.id, [])).steps == []
