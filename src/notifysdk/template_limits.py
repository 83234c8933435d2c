"""The bounds on rendering one template part: time, steps, sizes, depth.

A template is code written by another team; a notice's data comes from another system.
Rendering one part (a subject, a text body, an HTML body) therefore runs under a budget,
and a template that would exceed it stops with a
:class:`~notifysdk.errors.TemplateBoundError` naming the template and the bound, never a
value. These are the defaults of :class:`TemplateLimits` (docs/limits.md has the same
table, and why each number):

=========================  ===========  ===================================================
bound                      default      what it counts
=========================  ===========  ===================================================
``cpu_seconds``            1.0          CPU time of the rendering thread, checked every 64
                                        steps and every 64 outputs
``steps``                  20,000       loop iterations + calls (macros, methods, ``range``)
                                        + filter applications + intercepted operators
``call_depth``             50           nested macro / ``caller()`` / ``loop()`` calls
``value_chars``            262,144      the length of any string, list or mapping a
                                        template builds (``*``, ``+``, ``~``, ``%``,
                                        ``format``, a filter, a method, a captured block)
``written_chars``          1,048,576    characters written by one render, output and
                                        captured blocks (``{% set %}``, macros) together
``int_bits``               14,000       the size of an integer a template computes
                                        (``**``, ``*``; about 4,200 decimal digits)
``source_chars``           32,768       the length of a template's source
``subject_chars``          2,000        a rendered subject (before its spaces are folded)
``txt_chars``              65,536       a rendered text body (SMS, call script, letter)
``html_chars``             262,144      a rendered HTML body
=========================  ===========  ===================================================

A ``range`` longer than ``steps`` is refused when it is created. The globals ``lipsum``
is removed; attributes that start with ``_``, that hold a class or a module, and a
pydantic model's ``model_*`` members are refused by the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "TemplateLimits"]


@dataclass(frozen=True)
class TemplateLimits:
    """The bounds on rendering one template part (see the module's table)."""

    cpu_seconds: float = 1.0
    steps: int = 20_000
    call_depth: int = 50
    value_chars: int = 262_144
    written_chars: int = 1_048_576
    int_bits: int = 14_000
    source_chars: int = 32_768
    subject_chars: int = 2_000
    txt_chars: int = 65_536
    html_chars: int = 262_144

    def output_chars(self, part: str) -> int:
        """The bound on one rendered part: ``subject``, ``txt`` or ``html``."""
        # comparisons, not a dict built on every call (each rendered part asks)
        if part == "subject":
            return self.subject_chars
        if part == "html":
            return self.html_chars
        return self.txt_chars


DEFAULT_LIMITS = TemplateLimits()
"""The bounds every :class:`~notifysdk.templating.TemplateRenderer` uses by default."""
