"""``python -m notifysdk.reference [--check] [FOLDER]``: write (or check) the reference pages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import REGENERATE, default_dir, stale_pages, write_pages


def main(argv: list[str] | None = None) -> int:
    """Write the pages into FOLDER (default docs/reference); ``--check``: exit 1 when
    one differs, naming it."""
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    folder: Path = args.folder or default_dir()
    if args.check:
        stale = stale_pages(folder)
        for name in stale:
            print(f"{folder / name} is out of date: run {REGENERATE}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_pages(folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
