"""Run the command line with ``python -m heavylegs``."""
import sys

from heavylegs.cli import main

sys.exit(main())
