"""``python -m geo``: the command line (see ``geo/cli.py``)."""

from geo.cli import main

raise SystemExit(main())
