"""Generate the synthetic sample portfolio ``examples/portfolio.csv``.

Deterministic (fixed seed): running it again rewrites the same file. The accounts are
fake -- fictional phone ranges, ``example.com``/``example.cn`` addresses -- split across
the ``cn`` (zh-CN, CNY) and ``us-regf`` (en, USD) profiles, most of them on a day the
ladder has a stage for.

    python examples/make_portfolio.py [--accounts 300] [--out examples/portfolio.csv]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from notifysdk.campaign.synthetic import write_csv

SEED = 20260105
ACCOUNTS = 300


def main(argv: list[str] | None = None) -> int:
    """Write the portfolio and say where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("portfolio.csv"))
    args = parser.parse_args(argv)
    n = write_csv(args.out, args.accounts, seed=SEED)
    print(f"wrote {n} synthetic accounts to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
