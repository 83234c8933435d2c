"""Generate the synthetic sample portfolio ``examples/portfolio.csv``.

Deterministic (fixed seed): running it again rewrites the same file. The accounts are
fake -- fictional phone ranges, ``example.com``/``example.cn`` addresses -- split across
the ``cn`` (zh-CN, CNY) and ``us-regf`` (en, USD) profiles, most of them on a day the
ladder has a stage for.

    python examples/make_portfolio.py [--accounts 300] [--out examples/portfolio.csv]
                                      [--as-of 2026-01-05 | --as-of today]

``--as-of`` is the day the portfolio is exported: due dates are counted back from it, so
that each account's due date and its days overdue agree on that day. ``make run``
writes one for today under ``.notifysdk/`` so the letters it prints are coherent.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from notifysdk.campaign.synthetic import write_csv

SEED = 20260105
ACCOUNTS = 300
AS_OF = date(2026, 1, 5)


def main(argv: list[str] | None = None) -> int:
    """Write the portfolio and say where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("portfolio.csv"))
    parser.add_argument(
        "--as-of",
        default=AS_OF.isoformat(),
        help="export day (ISO date, or 'today'); the committed sample uses 2026-01-05",
    )
    args = parser.parse_args(argv)
    as_of = date.today() if args.as_of == "today" else date.fromisoformat(args.as_of)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    n = write_csv(args.out, args.accounts, seed=SEED, as_of=as_of)
    print(f"wrote {n} synthetic accounts (exported {as_of.isoformat()}) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
