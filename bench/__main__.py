"""Run every benchmark (``make bench``), or the ones named: ``python -m bench pipeline``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(here.glob("*_bench.py"))
    if argv:
        scripts = [s for s in scripts if any(s.stem.startswith(a) for a in argv)]
    failed = 0
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        rc = subprocess.call([sys.executable, str(script)])
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
