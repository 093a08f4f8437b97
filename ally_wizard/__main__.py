"""Allow `python -m ally_wizard`."""

from ally_wizard.cli import main

raise SystemExit(main())
