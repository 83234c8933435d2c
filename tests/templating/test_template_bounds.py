"""Template bounds: time, steps, sizes, depth; what a template's code raises; SSTI.

Each hostile source must end in :class:`TemplateError` (``TemplateBoundError`` naming the
bound for a bound) within the CPU bound, with a message that names the template and the
problem and never a personal value of the notice.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from notifysdk.errors import TemplateBoundError, TemplateError
from notifysdk.template_limits import DEFAULT_LIMITS, TemplateLimits
from notifysdk.templating import TemplateRenderer, notice_context
from notifysdk.testing import sample_account, sample_notice

PHONE = "+8613957246813"
SECRET_NOTE = "Wxqz Private Note"
ACCOUNT = sample_account(locale="en", phone=PHONE)
PERSONAL = (ACCOUNT.debtor.name, PHONE, SECRET_NOTE, ACCOUNT.loan_id)
CONTEXT = notice_context(
    sample_notice(account=ACCOUNT, data={"note": SECRET_NOTE, "items": [1, 2, 3]}),
    now=datetime(2026, 1, 5, tzinfo=UTC),
)
SLACK = 2.0
"""CPU seconds allowed past the bound (compiling is not counted by the budget)."""


def _pack(tmp_path: Path, source: str, name: str = "sms.en.txt.j2") -> Path:
    (tmp_path / "overdue_notice").mkdir(exist_ok=True)
    (tmp_path / "overdue_notice" / name).write_text(source, encoding="utf-8")
    return tmp_path


def _render(tmp_path: Path, source: str, **kw: Any) -> str:
    renderer = TemplateRenderer([_pack(tmp_path, source)], **kw)
    return renderer.render("overdue_notice", "sms", "en", CONTEXT).body


def _refused(tmp_path: Path, source: str, **kw: Any) -> TemplateError:
    started = time.thread_time()
    with pytest.raises(TemplateError) as info:
        _render(tmp_path, source, **kw)
    assert time.thread_time() - started < DEFAULT_LIMITS.cpu_seconds + SLACK
    text = str(info.value)
    assert text.startswith("template overdue_notice/sms.en.txt.j2: "), text
    assert not [p for p in PERSONAL if p in text], text
    assert info.value.template == "overdue_notice/sms.en.txt.j2"
    return info.value


@pytest.mark.parametrize(
    ("source", "bound"),
    [
        ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "steps"),
        ("{% for i in range(10**9) %}{% endfor %}", "steps"),
        ("{% for c in 'x' * 100000 %}{% for d in 'y' * 100000 %}{% endfor %}{% endfor %}", "steps"),
        (
            "{% for i in range(9000) if i < 0 %}{% for j in range(9000) %}{% endfor %}{% endfor %}"
            "{% for i in range(9000) %}{% for j in range(9000) if j < 0 %}{% endfor %}{% endfor %}",
            "steps",
        ),
        (
            "{% macro d(n) %}{% if n %}{{ d(n - 1) }}{{ d(n - 1) }}{% endif %}{% endmacro %}"
            "{{ d(40) }}",
            "steps",
        ),
        ("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}", "call_depth"),
        ("{% for a in [1] recursive %}{{ loop([1]) }}{% endfor %}", "call_depth"),
        ("{{ 'x' * 10**9 }}", "value_chars"),
        ("{{ ['x'] * 10**9 }}", "value_chars"),
        ("{{ 9 ** (10**8) }}", "int_bits"),
        ("{{ (10 ** 4000) * (10 ** 4000) }}", "int_bits"),
        ("{{ (2 ** 64) ** 1000 }}", "int_bits"),
        ("{{ account.principal ** 100000 }}", "int_bits"),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}{{ ns.s|length }}",
            "value_chars",
        ),
        (
            "{% set ns = namespace(l=[0]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}"
            "{% endfor %}{{ ns.l|length }}",
            "value_chars",
        ),
        ("{{ range(20000)|join('x' * 100) }}", "value_chars"),
        ("{{ ('y' * 1000).join('x' * 1000) }}", "value_chars"),
        ("{{ ('x' * 1000).replace('', 'y' * 1000) }}", "value_chars"),
        ("{{ 'x'|center(10**9) }}", "value_chars"),
        ("{{ ('a\n' * 1000)|indent(1000) }}", "value_chars"),
        ("{{ [1]|batch(10**9, 0)|list|length }}", "value_chars"),
        ("{{ [1]|slice(10**9)|list|length }}", "value_chars"),
        ("{{ 'x y z'|wordwrap(1, wrapstring='y' * 100000) }}", "value_chars"),
        ("{{ ([[0] * 1000] * 1000)|sum(start=[]) }}", "value_chars"),
        ("{{ 'x'.ljust(10**9) }}", "value_chars"),
        ("{{ 'x'.zfill(10**9) }}", "value_chars"),
        ("{{ '\t'.expandtabs(10**9) }}", "value_chars"),
        ("{{ (1).to_bytes(10**9, 'big') }}", "value_chars"),
        ("{{ '%01000000000d' % 1 }}", "value_chars"),
        ("{{ '%*d' % (10**9, 1) }}", "value_chars"),
        ("{{ ('%s' * 1000) % (('x' * 1000,) * 1000) }}", "value_chars"),
        ("{{ '{:>1000000000}'.format(1) }}", "value_chars"),
        ("{{ '{:>{w}}'.format(1, w=10**9) }}", "value_chars"),
        ("{{ '{:.1000000000f}'.format(1.5) }}", "value_chars"),
        ("{{ ('{0}' * 100).format('x' * 10000) }}", "value_chars"),
        ("{{ 'x'|tojson(indent=10**6) }}", "value_chars"),
        (
            "{% set x %}{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}{% endset %}"
            "{{ x|length }}",
            "value_chars",
        ),
        (
            "{% if false %}{% block b %}{% for i in range(200) %}{{ 'y' * 1000 }}{% endfor %}"
            "{% endblock %}{% endif %}"
            "{% for i in range(20) %}{% set x = self.b() %}{% endfor %}",
            "written_chars",
        ),
        ("{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}", "txt_chars"),
    ],
)
def test_a_template_past_a_bound_is_stopped_and_the_bound_named(
    tmp_path: Path, source: str, bound: str
) -> None:
    error = _refused(tmp_path, source)
    assert isinstance(error, TemplateBoundError), error
    assert error.bound == bound, error
    assert f"exceeds the {bound} bound" in error.reason


def test_the_cpu_bound_stops_a_render_whose_every_step_is_dear(tmp_path: Path) -> None:
    source = "{% for i in range(100000) %}{{ ('x y ' * 10000)|wordwrap(3)|length }}{% endfor %}"
    limits = TemplateLimits(cpu_seconds=0.2, steps=10**6)
    error = _refused(tmp_path, source, limits=limits)
    assert isinstance(error, TemplateBoundError) and error.bound == "cpu_seconds"


def test_a_template_source_past_the_bound_is_refused_unread(tmp_path: Path) -> None:
    error = _refused(tmp_path, "x" * (DEFAULT_LIMITS.source_chars + 1))
    assert isinstance(error, TemplateBoundError) and error.bound == "source_chars"


def test_a_template_that_is_not_utf8_is_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "overdue_notice").mkdir()
    (tmp_path / "overdue_notice" / "sms.en.txt.j2").write_bytes(b"\xff\xfe{{ institution }}")
    with pytest.raises(TemplateError, match="is not UTF-8"):
        TemplateRenderer([tmp_path]).render("overdue_notice", "sms", "en", CONTEXT)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ 10.0 ** 400 }}", "OverflowError"),
        ("{{ account.due_date.fromtimestamp(1e20) }}", "OverflowError"),
        ("{{ account.due_date.replace(year=0) }}", "ValueError"),
        (
            "{% set ns = namespace(x=[]) %}{% for i in range(5000) %}{% set ns.x = [ns.x] %}"
            "{% endfor %}{{ ns.x }}",
            "RecursionError",
        ),
        # a filter's own failure names the filter too (never the value it was given)
        ("{{ [1, 2]|sum(start='') }}", "filter 'sum' failed: raised TypeError"),
        ("{{ 'abc'|money('CNY') }}", "filter 'money' failed: raised InvalidOperation"),
        ("{{ debtor.name|boom }}", "filter 'boom' failed: raised ValueError"),
        ("{{ debtor.name|oom }}", "filter 'oom' failed: raised MemoryError"),
    ],
)
def test_what_a_templates_code_raises_is_a_template_error_naming_its_type(
    tmp_path: Path, source: str, kind: str
) -> None:
    def boom(value: str) -> str:
        raise ValueError(f"bad value {value!r}")  # a filter that quotes its input

    def oom(value: str) -> str:
        raise MemoryError

    error = _refused(tmp_path, source, filters={"boom": boom, "oom": oom})
    expected = kind if kind.startswith("filter ") else f"failed while rendering ({kind})"
    assert error.reason == expected
    assert "bad value" not in str(error)
    assert error.problem == "failed"


def test_a_template_that_does_not_compile_is_a_template_error(tmp_path: Path) -> None:
    for source, reason in [
        ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "cannot be compiled (RecursionError)"),
        ("{{ " + "1" * 5000 + " }}", "cannot be compiled (ValueError)"),
        ("{% if %}", "syntax error at line 1"),
    ]:
        assert reason in _refused(tmp_path, source).reason


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ lipsum(10**9) }}",
        "{{ config }}",
        "{{ request.application }}",
        "{{ '{0.__class__}'.format(institution) }}",
        "{{ '{0._make}'.format(amount_due) }}",
        "{{ '{0.model_fields}'.format(account) }}",
        "{{ institution|attr('__class__') }}",
        "{{ (institution|attr('__class__')|attr('__mro__'))[1] }}",
        "{{ account.model_fields }}",
        "{{ account['model_fields'] }}",
        "{{ account.model_validate({'account_id': debtor.name}) }}",
        "{{ account.model_dump_json() }}",
        "{{ account.copy() }}",
        "{{ amount_due._make.__globals__ }}",
        "{{ notice.__class__.__init__.__globals__ }}",
        "{{ dict.mro() }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_ssti_payloads_are_refused_and_show_nothing(tmp_path: Path, source: str) -> None:
    error = _refused(tmp_path, source)
    assert error.problem in ("sandbox", "undefined"), error
    for internal in ("<class", "<function", "__globals__'", "popen"):
        assert internal not in error.reason


def test_an_undefined_name_is_shown_only_when_the_template_writes_it(tmp_path: Path) -> None:
    assert "'no_such_variable' is undefined" in _refused(tmp_path, "{{ no_such_variable }}").reason
    computed = _refused(tmp_path, "{{ data[debtor.name] }}")
    assert computed.reason == "undefined variable: a name computed while rendering (not shown)"
    assert "not shown" in _refused(tmp_path, "{{ debtor|attr(data.note) }}").reason
    assert "does not exist" in _refused(tmp_path, "{% include debtor.name %}").reason


def test_ordinary_templates_still_render(tmp_path: Path) -> None:
    source = (
        "{% macro line(x) %}[{{ x }}]{% endmacro %}"
        "{% for i in data['items'] %}{{ line(i) }}{% endfor %} "
        "{{ '%s/%s' % (1, 2) }} {{ '{:>4}'.format(days_overdue) }} {{ 'ab' * 2 }} "
        "{{ institution ~ '!' }} {{ account.overdue_amount|money(account.currency, locale) }} "
        "{% for i in range(3) %}{{ loop.index }}/{{ loop.length }} {% endfor %}"
        "{{ [1, 2, 3]|join(',') }} {{ 2 ** 10 }}"
    )
    body = _render(tmp_path, source)
    assert body == ("[1][2][3] 1/2   10 abab Example Bank! CN¥1,234.50 1/3 2/3 3/3 1,2,3 1024\n")


def test_every_shipped_template_renders_far_inside_the_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from notifysdk.plugins import PluginManager
    from notifysdk.template_sandbox import part_of

    # every installed plugin's templates and filters, whatever manager an earlier test
    # left process-wide
    monkeypatch.delenv("NOTIFYSDK_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("NOTIFYSDK_DISABLE_PLUGINS", raising=False)
    registry = PluginManager().registry()
    renderer = TemplateRenderer(list(registry.template_dirs), registry.filters)
    tight = TemplateLimits(steps=200, cpu_seconds=0.5, written_chars=20_000)
    strict = TemplateRenderer(list(registry.template_dirs), registry.filters, limits=tight)
    data = {
        "visit": {"slot": "2026-01-12T10:00:00+08:00", "place": "Office"},
        "staff": [{"name": "Li", "staff_id": "S1"}, {"name": "Wang", "staff_id": "S2"}],
    }
    rendered = 0
    for name in renderer.template_names():
        zh = ".zh-CN." in name
        account = sample_account(locale="zh-CN" if zh else "en", currency="CNY" if zh else "USD")
        context = notice_context(
            sample_notice(account=account, data=data), now=datetime(2026, 1, 5, tzinfo=UTC)
        )
        try:
            text = strict.render_file(name, context, part_of(name))
        except TemplateError as exc:
            assert exc.problem == "missing_data", exc  # data only a plugin adds
            continue
        assert text == renderer.render_file(name, context, part_of(name))
        rendered += 1
    assert rendered >= 30


def test_decimal_amounts_are_bounded_like_integers(tmp_path: Path) -> None:
    assert _render(tmp_path, "{{ account.principal * 2 }}") == f"{Decimal('5000.00') * 2}\n"
