"""The shipped pytest fixtures choose their ledger: memory by default (for plugin
authors), the ini option or an overriding fixture for a project that wants a durable one."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

_INNER = """
from notifysdk.ledger.memory import MemoryLedger
from notifysdk.ledger.sql import SqlLedger
from notifysdk.testing import sample_notice


async def test_the_dispatcher_fixture_uses_the_chosen_ledger(
    dispatcher, mock_channel, notifysdk_ledger_url, tmp_path
):
    d = dispatcher(mock_channel())
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.ok
    print("URL", notifysdk_ledger_url.replace(str(tmp_path), "<tmp>"))
    print("DB", (tmp_path / "ledger.db").exists())
"""


def _run(pytester: pytest.Pytester, ini: str = "", conftest: str = "") -> str:
    pytester.makeini(f"[pytest]\nasyncio_mode = auto\n{ini}")
    if conftest:
        pytester.makeconftest(conftest)
    pytester.makepyfile(test_inner=_INNER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1)
    return result.stdout.str()


def test_memory_is_the_default(pytester: pytest.Pytester) -> None:
    out = _run(pytester)
    assert "URL memory://" in out and "DB False" in out


def test_the_ini_option_chooses_a_durable_ledger_in_the_test_folder(
    pytester: pytest.Pytester,
) -> None:
    out = _run(pytester, ini="notifysdk_ledger_url = sqlite:///{tmp_path}/ledger.db\n")
    assert "URL sqlite:///<tmp>/ledger.db" in out and "DB True" in out


def test_a_conftest_may_override_the_fixture(pytester: pytest.Pytester) -> None:
    out = _run(
        pytester,
        conftest=(
            "import pytest\n\n@pytest.fixture\ndef notifysdk_ledger_url(tmp_path):\n"
            "    return f'sqlite:///{tmp_path}/ledger.db'\n"
        ),
    )
    assert "URL sqlite:///<tmp>/ledger.db" in out and "DB True" in out


_STRICT = """
import pytest
from notifysdk.testing import sample_notice
import notifysdk_example_plugin


@pytest.mark.asyncio
async def test_prefixed_fixtures_in_strict_mode(
    notifysdk_dispatcher, notifysdk_mock_channel, notifysdk_register_plugin, notifysdk_clock
):
    # an installed plugin, already loaded from its entry point: registering it again is
    # not an error and returns the name it was loaded under
    assert notifysdk_register_plugin(notifysdk_example_plugin) == "example"
    d = notifysdk_dispatcher(notifysdk_mock_channel())
    outcome = await d.send(sample_notice(channel="mock"))
    assert outcome.ok
    assert d.clock is notifysdk_clock


@pytest.mark.asyncio
async def test_old_names_still_work(dispatcher, mock_channel, register_plugin, fake_clock):
    d = dispatcher(mock_channel())
    assert (await d.send(sample_notice(channel="mock"))).ok
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_fixtures_work_in_pytest_asyncios_strict_and_auto_modes(
    pytester: pytest.Pytester, mode: str
) -> None:
    pytester.makeini(f"[pytest]\nasyncio_mode = {mode}\n")
    pytester.makepyfile(test_strict=_STRICT)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
