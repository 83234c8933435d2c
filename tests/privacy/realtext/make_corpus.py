"""Write ``dev.jsonl`` and ``holdout.jsonl``, the real-text privacy corpus (issue 21).

    python -m tests.privacy.realtext.make_corpus

Seeded: the same code writes the same files. Each row is one template of
:mod:`.templates` filled for a new account (:mod:`.slots`, :mod:`.values`); dev and
holdout use disjoint templates. Rows are added until every hide category has its
minimum, the row count its minimum, and keep values are at least as many as hide values.
A rendering is refused (and redrawn) when a scored value occurs in the text more often
than it was written, so no value is scored at a place it was not meant to be.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from typing import Any

from .measure import HERE, HIDE_CATEGORIES, KEEP_CATEGORIES, parse_row
from .slots import SLOT_NAMES, Filled, Filler, make_persona
from .templates import Template, all_templates, split_of
from .values import Gen

SLOT = re.compile(r"«([a-z0-9_]+)»")
# (values per hide category, values per keep category, rows)
TARGETS = {"dev": (12, 10, 420), "holdout": (5, 4, 160)}
SEEDS = {"dev": 20260321, "holdout": 19491001}
PREFIX = {"zh": "«ts» 工号A«agent»：", "en": "«ts» agent «agent»: "}


def render(template: Template, g: Gen, prefix: bool) -> dict[str, Any] | None:
    """One row from ``template``, or None when a value collides with the text."""
    lang, source, level, text = template
    if prefix and source in ("call_note", "visit_record"):
        text = PREFIX[lang] + text
    filler = Filler(g, make_persona(g), lang)
    used = set(SLOT.findall(text))
    written: Counter[str] = Counter()
    scored: dict[str, Filled] = {}

    def put(m: re.Match[str]) -> str:
        f = filler.fill(m[1])
        if f.hide or f.keep:
            written[f.value] += 1
            if scored.setdefault(f.value, f) != f:
                raise _CollisionError
        return f.text

    try:
        out = SLOT.sub(put, text)
    except _CollisionError:
        return None
    for value, n in written.items():
        if out.count(value) != n or len(_occurrences(out, value)) != n:
            return None
    row: dict[str, Any] = {
        "lang": lang,
        "source": source,
        "text": out,
        "known": filler.known(used),
        "public": [filler.hotline()],
        "hide": [
            {"value": v, "kind": f.hide[0], "category": f.hide[1]}
            for v, f in scored.items()
            if f.hide
        ],
        "keep": [{"value": v, "category": f.keep} for v, f in scored.items() if f.keep],
    }
    if level == "limited":
        row["role"], row["channel"] = "debtor", "sms"
    return row


class _CollisionError(Exception):
    pass


def _occurrences(text: str, value: str) -> list[int]:
    return [i for i in range(len(text)) if text.startswith(value, i)]


def categories(template: Template) -> tuple[set[str], int, int]:
    """(categories, hide slots, keep slots) of ``template`` (a slot's category does not
    depend on the account)."""
    g = Gen(random.Random(0))
    filler = Filler(g, make_persona(g), template[0])
    cats, hides, keeps = set(), 0, 0
    for slot in set(SLOT.findall(template[3])):
        f = filler.fill(slot)
        if f.hide:
            cats.add(f.hide[1])
            hides += 1
        elif f.keep:
            cats.add(f.keep)
            keeps += 1
    return cats, hides, keeps


def build(split: str) -> list[dict[str, Any]]:
    """The rows of ``split``."""
    per_hide, per_keep, min_rows = TARGETS[split]
    pool = [t for t in all_templates() if split_of(t) == split]
    info = {t: categories(t) for t in pool}
    missing = set(HIDE_CATEGORIES) | set(KEEP_CATEGORIES)
    missing -= set().union(*(c for c, _, _ in info.values()))
    if missing:
        raise SystemExit(f"{split}: no template for {sorted(missing)}")
    r = random.Random(SEEDS[split])
    g = Gen(r)
    queue = pool[:]
    r.shuffle(queue)
    rows: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    hide_total = keep_total = 0
    texts: set[str] = set()
    while True:
        deficit = {c for c in HIDE_CATEGORIES if counts[c] < per_hide}
        deficit |= {c for c in KEEP_CATEGORIES if counts[c] < per_keep}
        if not deficit and len(rows) >= min_rows and keep_total >= hide_total:
            break
        if queue:
            template = queue.pop()
        elif deficit:
            template = r.choice([t for t in pool if info[t][0] & deficit])
        elif keep_total < hide_total:
            template = r.choice([t for t in pool if info[t][2] > info[t][1]])
        else:
            template = r.choice(pool)
        for _ in range(50):
            row = render(template, g, prefix=r.random() < 0.35)
            if row is not None and row["text"] not in texts:
                break
        else:
            raise SystemExit(f"{split}: template keeps colliding: {template[3][:40]}")
        row = {"id": f"{split[:3]}-{len(rows) + 1:04d}", **row}
        parse_row(row, row["id"])
        texts.add(row["text"])
        rows.append(row)
        counts.update(v["category"] for v in [*row["hide"], *row["keep"]])
        hide_total += len(row["hide"])
        keep_total += len(row["keep"])
    return rows


def main() -> int:
    """Write both files and print their sizes."""
    for split in TARGETS:
        rows = build(split)
        path = HERE / f"{split}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        hide = sum(len(r["hide"]) for r in rows)
        keep = sum(len(r["keep"]) for r in rows)
        print(f"{path.name}: {len(rows)} rows, {hide} hide, {keep} keep values")
    return 0


assert SLOT_NAMES  # every «slot» resolves to a Filler.slot_* method at render time

if __name__ == "__main__":
    sys.exit(main())
