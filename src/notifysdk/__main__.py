"""``python -m notifysdk`` runs the command line."""

from .cli import main

main()
