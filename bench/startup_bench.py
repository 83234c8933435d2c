"""Start-up time of the command line and of ``import notifysdk``, against Apprise.

Each case is a fresh process, timed from spawn to exit (output discarded) by wall clock
and by the CPU time (user + system) the process used, which other work on a shared
machine disturbs much less; the cases run interleaved, round after round, so that load
drifting hits all alike, and each keeps its best round of each. Baselines, same run:

- ``apprise --help`` (click, every notification plugin registered) for ``notifysdk
  --help``, a command's help (``notifysdk preview --help``: the root's options are
  processed first) and ``notifysdk plugins`` (typer and rich, every plugin's commands;
  ``plugins`` also builds the registry: the rules, models and validators);
- ``python -c "import apprise"`` for ``python -c "import notifysdk"``;
- ``python -c pass``: the interpreter alone, what no program can go under.

``from notifysdk import Dispatcher, Notice`` is shown too: what a program that sends pays
(the models, validators and dispatcher), which ``import notifysdk`` itself defers.

The figures are with the bytecode the install step compiles (``make install``); with
``--from-source`` each case also runs with an empty bytecode cache that is never written
(``PYTHONPYCACHEPREFIX`` to a fresh folder, ``PYTHONDONTWRITEBYTECODE=1``), as on a machine
where nothing was compiled. Targets (issue 13): ``notifysdk --help`` and ``import
notifysdk`` each within 1.5x of their Apprise baseline.

Run: ``.venv/bin/python bench/startup_bench.py [--rounds 15] [--from-source]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGET = 1.5
PLUGINS = ("aliyun_sms", "callscript", "otel", "smtp", "tencent_sms", "twilio", "visitletter")


def cases() -> dict[str, list[str]]:
    """Every measured command, by label (baselines included)."""
    py = sys.executable
    return {
        "python -c pass": [py, "-c", "pass"],
        "apprise --help": [str(BIN / "apprise"), "--help"],
        "import apprise": [py, "-c", "import apprise"],
        "notifysdk --help": [str(BIN / "notifysdk"), "--help"],
        "notifysdk preview --help": [str(BIN / "notifysdk"), "preview", "--help"],
        "notifysdk plugins": [str(BIN / "notifysdk"), "plugins"],
        "import notifysdk": [py, "-c", "import notifysdk"],
        "from notifysdk import Dispatcher, Notice": [
            py,
            "-c",
            "from notifysdk import Dispatcher, Notice",
        ],
    }


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds from spawn to exit, and CPU seconds of the child, of one run (it must
    succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def best_of(rounds: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Each case's best wall time and best CPU time over ``rounds`` interleaved rounds."""
    todo = cases()
    best = dict.fromkeys(todo, (float("inf"), float("inf")))
    for _ in range(rounds):
        for label, cmd in todo.items():
            wall, cpu = run_once(cmd, env)
            best[label] = (min(best[label][0], wall), min(best[label][1], cpu))
    return best


def report(title: str, best: dict[str, tuple[float, float]]) -> None:
    """Print each figure, its baseline and the ratios, and whether the targets are met."""
    print(f"{title}{'wall':>14}{'ratio':>8}{'cpu':>11}{'ratio':>8}")
    pairs = (
        ("notifysdk --help", "apprise --help", True),
        ("notifysdk preview --help", "apprise --help", False),
        ("notifysdk plugins", "apprise --help", False),
        ("import notifysdk", "import apprise", True),
        ("from notifysdk import Dispatcher, Notice", "import apprise", False),
    )
    for label in ("python -c pass", "apprise --help", "import apprise"):
        wall, cpu = best[label]
        note = "(interpreter alone)" if label == "python -c pass" else "(baseline)"
        print(f"  {label:42} {wall * 1e3:7.1f} ms {'':7} {cpu * 1e3:7.1f} ms {'':7} {note}")
    for label, base, targeted in pairs:
        (wall, cpu), (base_wall, base_cpu) = best[label], best[base]
        ratios = (wall / base_wall, cpu / base_cpu)
        verdict = ""
        if targeted:
            verdict = f"target <= {TARGET}x {base}: " + (
                "met" if max(ratios) <= TARGET else "NOT met"
            )
        print(
            f"  {label:42} {wall * 1e3:7.1f} ms {ratios[0]:5.2f}x "
            f"{cpu * 1e3:7.1f} ms {ratios[1]:5.2f}x  {verdict}"
        )


def stale_bytecode() -> list[str]:
    """The workspace's modules whose bytecode is missing or older than their source."""
    stale = []
    for name in ("notifysdk", *(f"notifysdk_{p}" for p in PLUGINS)):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        for source in Path(spec.origin).parent.rglob("*.py"):
            cached = Path(importlib.util.cache_from_source(str(source)))
            if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
                stale.append(str(source))
    return stale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="Rounds with bytecode.")
    parser.add_argument(
        "--from-source", action="store_true", help="Also measure with no bytecode at all."
    )
    parser.add_argument("--source-rounds", type=int, default=3, help="Rounds without bytecode.")
    args = parser.parse_args()
    if importlib.util.find_spec("apprise") is None:
        raise SystemExit("apprise is the baseline: install the dev group (make install)")
    stale = stale_bytecode()
    if stale:
        print(f"warning: {len(stale)} modules have no current bytecode (run make install)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    env.pop("NOTIFYSDK_LOAD_PLUGINS", None)  # every installed plugin, as a user has them
    report(f"with bytecode, best of {args.rounds}:", best_of(args.rounds, env))
    if args.from_source:
        with tempfile.TemporaryDirectory() as empty:
            cold = {**env, "PYTHONPYCACHEPREFIX": empty, "PYTHONDONTWRITEBYTECODE": "1"}
            report(
                f"from source (no bytecode anywhere), best of {args.source_rounds}:",
                best_of(args.source_rounds, cold),
            )


if __name__ == "__main__":
    main()
