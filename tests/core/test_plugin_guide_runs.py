"""The plugin guide's code runs: sections 2 and 4 become the plugin ``notifysdk_pager``
and section 6 its test, run by pytest in pytest-asyncio's default strict mode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

GUIDE = (Path(__file__).resolve().parents[2] / "docs" / "plugin-guide.md").read_text("utf-8")


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE, flags=re.DOTALL)


def test_the_guides_plugin_and_its_test_run(pytester: pytest.Pytester) -> None:
    blocks = _python_blocks()
    channel = next(b for b in blocks if "class PagerChannel" in b)
    hooks = next(b for b in blocks if "class QuietSundays" in b)
    test = next(b for b in blocks if "async def test_pager_delivers" in b)
    package = pytester.path / "notifysdk_pager"
    (package / "templates" / "overdue_notice").mkdir(parents=True)
    (package / "templates" / "overdue_notice" / "pager.zh-CN.txt.j2").write_text(
        "【{{ institution }}】{{ recipient.name }}您好，您的借款已逾期{{ days_overdue }}天，"
        "应还{{ amount_due }}。请尽快还款。回复TD退订\n",
        encoding="utf-8",
    )
    (package / "__init__.py").write_text(channel + "\n\n" + hooks, encoding="utf-8")
    pytester.makepyfile(
        test_pager=test
        + "\n\ndef test_the_event_sink_saw_the_outcome():\n"
        + "    import notifysdk_pager\n\n"
        + "    assert [o['status'] for o in notifysdk_pager.PUBLISHED] == ['delivered']\n"
    )
    pytester.makeini(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
