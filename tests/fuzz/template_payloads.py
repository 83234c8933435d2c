"""Hostile template sources for the template fuzz test and the hostile pack.

Only the standard library and hypothesis are imported here, so the same strategies can be
run against an older SDK (to count what they found before a fix).

:data:`SSTI` are server-side template injection payloads, :func:`heavy` builds payloads
that cost time or memory from a size ``n``, :data:`BROKEN` are sources that do not parse
or fail at render time, :data:`BENIGN` is ordinary template text. :func:`template_sources`
mixes fragments of all four, sometimes nested inside a loop, a macro or a captured block.
"""

from __future__ import annotations

from hypothesis import strategies as st

SSTI: tuple[str, ...] = (
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ lipsum.__globals__ }}",
    "{{ config }}",
    "{{ config.items() }}",
    "{{ request.application.__globals__.__builtins__ }}",
    "{{ '{0.__class__}'.format(institution) }}",
    "{{ '{0.__class__.__mro__}'.format(1) }}",
    "{{ '{0._make}'.format(amount_due) }}",
    "{{ '{0.model_fields}'.format(account) }}",
    "{{ institution|attr('__class__') }}",
    "{{ (institution|attr('__class__')|attr('__mro__'))[1] }}",
    "{{ account.__dict__ }}",
    "{{ account.model_fields }}",
    "{{ account.model_fields.values()|list }}",
    "{{ account.model_fields['debtor'].annotation }}",
    "{{ account.model_fields['debtor'].annotation.model_validate({}) }}",
    "{{ account.model_validate({'account_id': debtor.name}) }}",
    "{{ account.model_dump_json() }}",
    "{{ account.model_config }}",
    "{{ notice.__class__.__init__.__globals__ }}",
    "{{ debtor.__repr__.__globals__ }}",
    "{{ amount_due._make.__globals__ }}",
    "{{ kind.__class__.__members__ }}",
    "{{ self.__dict__ }}",
    "{{ ''.join.__self__ }}",
    "{{ '%s' % institution.__class__ }}",
    "{{ dict.mro() }}",
    "{{ dict.__subclasses__() }}",
    "{{ range.__globals__ }}",
    "{{ account.due_date.fromtimestamp(1e20) }}",
    "{{ account.due_date.replace(year=0) }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ data[debtor.name] }}",
    "{{ debtor|attr(debtor.name) }}",
    "{% include debtor.name %}",
    "{{ (debtor.name ~ '')|int(base=1) }}",
    "{{ debtor.name.encode('ascii') }}",
)
"""Server-side template injection: each must be refused, never print internals."""

SIZES: tuple[int, ...] = (3, 40, 1_000, 100_000, 10**9, 10**12)


def heavy(n: int) -> tuple[str, ...]:
    """Payloads whose cost grows with ``n`` (loops, strings, integers, recursion)."""
    k = min(n, 60)  # doubling steps: 2**60 is already far past any bound
    return (
        f"{{% for i in range({n}) %}}{{% for j in range({n}) %}}{{% endfor %}}{{% endfor %}}",
        f"{{% for i in range({n}) %}}{{% for j in range({n}) %}}.{{% endfor %}}{{% endfor %}}",
        f"{{% for i in range({n}) if i < 0 %}}{{% endfor %}}",
        f"{{{{ 'x' * {n} }}}}",
        f"{{{{ ['x'] * {n} }}}}",
        f"{{{{ 9 ** {n} }}}}",
        f"{{{{ {n} ** {n} }}}}",
        f"{{{{ (10 ** {n}) * (10 ** {n}) }}}}",
        f"{{{{ (2 ** 64) ** {n} }}}}",
        f"{{{{ 10.0 ** {n} }}}}",
        f"{{% macro d(n) %}}{{% if n > 0 %}}{{{{ d(n - 1) }}}}{{{{ d(n - 1) }}}}{{% endif %}}"
        f"{{% endmacro %}}{{{{ d({k}) }}}}",
        f"{{% set ns = namespace(s='x') %}}{{% for i in range({k}) %}}"
        f"{{% set ns.s = ns.s ~ ns.s %}}{{% endfor %}}{{{{ ns.s|length }}}}",
        f"{{% set ns = namespace(l=[0]) %}}{{% for i in range({k}) %}}"
        f"{{% set ns.l = ns.l + ns.l %}}{{% endfor %}}{{{{ ns.l|length }}}}",
        f"{{% set ns = namespace(x=[]) %}}{{% for i in range({min(n, 100_000)}) %}}"
        f"{{% set ns.x = [ns.x] %}}{{% endfor %}}{{{{ ns.x }}}}",
        f"{{{{ range({n})|join(',') }}}}",
        f"{{% for c in range({min(n, 100_000)})|join(',') %}}"
        f"{{% for d in range({min(n, 100_000)})|join(',') %}}{{% endfor %}}{{% endfor %}}",
        f"{{{{ 'x'|center({n}) }}}}",
        f"{{{{ 'a\\nb\\nc'|indent({n}) }}}}",
        f"{{{{ [1]|batch({n}, 0)|list|length }}}}",
        f"{{{{ [1]|slice({n})|list|length }}}}",
        f"{{{{ 'x'.ljust({n}) }}}}",
        f"{{{{ 'x'.zfill({n}) }}}}",
        f"{{{{ '\\t\\t'.expandtabs({n}) }}}}",
        f"{{{{ ('x' * {min(n, 100_000)}).replace('', 'y' * {min(n, 100_000)}) }}}}",
        f"{{{{ ('y' * {min(n, 100_000)}).join('x' * {min(n, 100_000)}) }}}}",
        f"{{{{ '%*d' % ({n}, 1) }}}}",
        f"{{{{ '%0{n}d' % 1 }}}}",
        f"{{{{ ('%s' * {min(n, 100_000)}) % ((('x' * 1000),) * {min(n, 100_000)}) }}}}",
        f"{{{{ '{{:>{n}}}'.format(1) }}}}",
        f"{{{{ '{{:>{{w}}}}'.format(1, w={n}) }}}}",
        f"{{{{ '{{:.{n}f}}'.format(1.5) }}}}",
        f"{{{{ ('{{0}}' * {min(n, 100_000)}).format('x' * 10000) }}}}",
        f"{{{{ 'x y z'|wordwrap(1, wrapstring='y' * {min(n, 100_000)}) }}}}",
        f"{{{{ lipsum({n}) }}}}",
        f"{{{{ (1).to_bytes({n}, 'big') }}}}",
        f"{{{{ [[0] * {min(n, 100_000)}] * {min(n, 100_000)}|sum(start=[]) }}}}",
        f"{{% set x %}}{{% for i in range({n}) %}}{{{{ 'x' * 1000 }}}}{{% endfor %}}"
        f"{{% endset %}}{{{{ x|length }}}}",
        f"{{% block b %}}{{% for i in range({min(n, 100_000)}) %}}{{{{ 'y' * 1000 }}}}"
        f"{{% endfor %}}{{% endblock %}}{{% for i in range({min(n, 100_000)}) %}}"
        f"{{{{ self.b()|length }}}}{{% endfor %}}",
        f"{{% for i in range({n}) %}}{{{{ loop.length }}}}{{% endfor %}}",
        f"{{% for a in range({min(n, 1000)}) recursive %}}{{{{ loop(range({min(n, 1000)})) }}}}"
        f"{{% endfor %}}",
        f"{{{{ ('9' * {min(n, 100_000)})|int }}}}",
        f"{{{{ account.principal ** {n} }}}}",
        "{{ " + "(" * min(n, 5000) + "1" + ")" * min(n, 5000) + " }}",
        "{{ " + "[" * min(n, 5000) + "]" * min(n, 5000) + " }}",
        "{{ 'a' " + "~ 'a' " * min(n, 20_000) + "}}",
    )


GENERIC: tuple[str, ...] = (
    "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}",
    "{% include 'overdue_notice/sms.en.txt.j2' %}",
    "{% extends 'overdue_notice/sms.en.txt.j2' %}",
    "{% import 'overdue_notice/sms.en.txt.j2' as m %}{{ m }}",
    "{{ " + "1" * 5000 + " }}",
    "{{ '9' * 5000|int }}",
    "{{ 1 / 0 }}",
    "{{ 1 // 0 }}",
    "{{ 1 % 0 }}",
    "{{ 'abc'|money('CNY') }}",
    "{{ account.overdue_amount|money('XXXX') }}",
    "{{ account.overdue_amount|money('CNY', 'zz_ZZ') }}",
    "{{ none|long_date }}",
    "{{ due_date|long_date('nope') }}",
    "{{ {}|dictsort(by='x') }}",
    "{{ [1, 2]|sum(start='') }}",
    "{{ 'x'|wordwrap(0) }}",
    "{{ 'x'|tojson(indent=100000) }}",
    "{{ [1]|batch(0)|list }}",
)
"""Payloads that do not depend on a size."""

BROKEN: tuple[str, ...] = (
    "{% if %}",
    "{{",
    "{% endfor %}",
    "{% for %}",
    "{{ x | }}",
    "{% raw %}",
    "\x00{{ institution }}",
    "{% extends 123 %}",
    "{% include none %}",
    "{% import 'nope.j2' as x %}",
    "{% from 'nope.j2' import y %}",
    "{{ no_such_variable }}",
    "{{ data.no.such.key }}",
    "{#",
)
"""Sources that fail to parse or to resolve."""

BENIGN: tuple[str, ...] = (
    "{{ institution }}",
    "{{ amount_due }}",
    "{{ due_date }}",
    "{{ days_overdue }}",
    "Please repay. ",
    "{% if days_overdue > 3 %}late{% endif %}",
    "{{ data.note | default('') }}",
    "{{ account.currency }}",
    "{{ debtor.name }}",
    "{% for s in range(3) %}{{ s }}{% endfor %}",
    "{{ 'ab' | upper }}",
    "{{ kind ~ '-' ~ locale }}",
    "{{ institution_contact | default('our office', true) }}",
    "{{ '%s/%s' % (1, 2) }}",
    "{{ '{:>6}'.format(days_overdue) }}",
    "{{ account.overdue_amount|money(account.currency, locale) }}",
)
"""Ordinary template text."""


def _sized() -> st.SearchStrategy[str]:
    return st.sampled_from(SIZES).flatmap(lambda n: st.sampled_from(heavy(n)))


def fragments() -> st.SearchStrategy[str]:
    """One fragment: benign text, an SSTI payload, a heavy payload or a broken source."""
    return st.one_of(
        st.sampled_from(BENIGN),
        st.sampled_from(SSTI),
        _sized(),
        st.sampled_from(GENERIC),
        st.sampled_from(BROKEN),
    )


def _wrap(body: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    n = st.sampled_from(SIZES)
    return st.one_of(
        st.tuples(n, body).map(lambda t: f"{{% for w in range({t[0]}) %}}{t[1]}{{% endfor %}}"),
        body.map(lambda b: f"{{% macro m() %}}{b}{{% endmacro %}}{{{{ m() }}}}{{{{ m() }}}}"),
        body.map(lambda b: f"{{% set cap %}}{b}{{% endset %}}{{{{ cap }}}}{{{{ cap }}}}"),
        body.map(lambda b: f"{{% filter upper %}}{b}{{% endfilter %}}"),
        body.map(lambda b: f"{{% if days_overdue %}}{b}{{% else %}}-{{% endif %}}"),
    )


def template_sources() -> st.SearchStrategy[str]:
    """A template source: one to four fragments, each perhaps nested once or twice."""
    piece = st.recursive(fragments(), _wrap, max_leaves=3)
    return st.lists(piece, min_size=1, max_size=4).map("".join)
