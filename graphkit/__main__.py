"""``python -m graphkit`` runs the command line."""

from .cli import main

main()
