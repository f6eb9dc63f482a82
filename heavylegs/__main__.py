"""Run the command line with ``python -m heavylegs``."""
import sys

from .cli import main

sys.exit(main())
