"""Routes by locale through a real campaign: a zh-CN account's SMS goes to aliyun-sms
(the official SDK, the loopback server), an English one to the default capture-sms; and
``make run-cnsms``'s example settings send the SDK's own zh-CN SMS templates as their
approved copies (the example cannot drift from the templates unnoticed)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from notifysdk.campaign import PortfolioRow, default_ladder, load_ladder, run_campaign
from notifysdk.clock import FakeClock
from notifysdk.config import Settings
from notifysdk.dispatcher import Dispatcher
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.models import NoticeKind
from notifysdk.plugins import PluginManager
from notifysdk.testing import sample_account
from notifysdk_aliyun_sms.testing import FakeAliyunSms

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _settings(
    tmp_path: Path, routes: dict[str, Any], section: dict[str, Any], contact: str = ""
) -> Settings:
    return Settings(
        output_dir=tmp_path / "out",
        routes=routes,
        channels={"aliyun-sms": section},
        institution_contact=contact,
        recover_on_start=False,
    )


def _captured(tmp_path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((tmp_path / "out").rglob("*.json"))
    ]


async def test_zh_cn_sms_go_to_aliyun_and_english_ones_to_the_default(
    plugin_manager: PluginManager,
    fake_clock: FakeClock,
    aliyun_section: dict[str, Any],
    aliyun_server: FakeAliyunSms,
    tmp_path: Path,
) -> None:
    routes = {"sms": {"default": "capture-sms", "zh-CN": "aliyun-sms"}}
    zh = sample_account(1, days_overdue=1)
    en = sample_account(2, days_overdue=1, locale="en")
    rows = [PortfolioRow(1, zh), PortfolioRow(2, en)]
    async with Dispatcher(
        _settings(tmp_path, routes, aliyun_section),
        plugins=plugin_manager,
        clock=fake_clock,
        ledger=MemoryLedger(),
    ) as d:
        summary = await run_campaign(d, rows, default_ladder())
    assert summary.by_outcome == {"delivered": 2}, summary
    [sms] = aliyun_server.sent
    assert sms.phone == zh.debtor.contacts[0].value.removeprefix("+86")
    assert sms.template_code == "SMS_0001"
    [captured] = _captured(tmp_path)
    assert captured["body"].startswith("Example Bank:")  # the English template, captured


async def test_the_cnsms_example_sends_every_shipped_zh_cn_sms_as_its_approved_copy(
    plugin_manager: PluginManager,
    fake_clock: FakeClock,
    aliyun_server: FakeAliyunSms,
    tmp_path: Path,
) -> None:
    data = tomllib.loads((EXAMPLES / "notifysdk-cnsms.toml").read_text(encoding="utf-8"))
    example = data["notifysdk"]
    section = {
        **example["channels"]["aliyun-sms"],
        "endpoint": aliyun_server.endpoint,
        "access_key_id": aliyun_server.access_key_id,
        "access_key_secret": aliyun_server.access_key_secret,
    }
    aliyun_server.templates = {
        spec["code"]: spec["text"]
        for by_locale in section["templates"].values()
        for spec in by_locale.values()
    }
    aliyun_server.sign_names = ("Example Bank",)
    assert Settings.model_validate(example).routes["sms.zh-CN"] == "aliyun-sms"
    ladder = load_ladder(EXAMPLES / data["campaign"]["ladder"])
    kinds = {
        NoticeKind.PRE_DUE_REMINDER: -3,
        NoticeKind.OVERDUE_NOTICE: 1,
        NoticeKind.FINAL_DEMAND: 30,
    }
    rows = [
        PortfolioRow(n, sample_account(n, days_overdue=day))
        for n, day in enumerate(kinds.values(), start=1)
    ]
    # The SMS route as the example says; the other media to capture (their plugins are
    # not loaded here).
    settings = _settings(
        tmp_path,
        {"sms": example["routes"]["sms"]},
        {**section, "sign_name": "Example Bank"},
        example["institution_contact"],
    )
    async with Dispatcher(
        settings, plugins=plugin_manager, clock=fake_clock, ledger=MemoryLedger()
    ) as d:
        summary = await run_campaign(d, rows, ladder)
    assert summary.by_outcome == {"delivered": 3}, (summary.by_outcome, summary.by_rule)
    assert sorted(s.template_code for s in aliyun_server.sent) == [
        "SMS_0001",
        "SMS_0002",
        "SMS_0003",
    ]
    assert aliyun_server.refused == []


def test_the_run_cnsms_example_sends_the_zh_cn_sms_through_the_loopback_aliyun(
    tmp_path: Path,
) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTIFYSDK_")}
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "run_cnsms.py"),
            str(EXAMPLES / "portfolio.csv"),
            "--now",
            "2026-01-05T02:00:00+00:00",  # 10:00 in Shanghai, a Monday
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    accepted = int(out.split("SendSms requests, ")[1].split(" accepted")[0])
    assert accepted > 0 and f"{accepted} SendSms requests, {accepted} accepted" in out
    assert "refused" not in out.split("loopback Alibaba Cloud SMS")[1]
    assert "aliyun-sms" in out and (tmp_path / ".notifysdk" / "cnsms" / "ledger.db").exists()
