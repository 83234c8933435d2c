"""The ``notifysdk`` command line with one more template folder registered, as a plugin
registers its own: ``python hostile_cli.py FOLDER preview --kind ...``.

The hostile pack tests run ``notifysdk preview`` through this in a subprocess, so that the
real command renders the pack's templates instead of the defaults.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from notifysdk.cli import main
from notifysdk.hookspecs import hookimpl
from notifysdk.plugins import get_plugin_manager


class TemplatePack:
    """A plugin that registers one template folder (searched before the defaults)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def notifysdk_register_template_dirs(self, register: Callable[[Path], None]) -> None:
        """Register the folder."""
        register(self.folder)


if __name__ == "__main__":
    get_plugin_manager().register(TemplatePack(Path(sys.argv[1])), "template-pack")
    sys.argv = ["notifysdk", *sys.argv[2:]]
    main()
