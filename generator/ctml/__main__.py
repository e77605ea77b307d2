"""``python3 -m ctml`` entry point."""

import sys

from .cli import main

sys.exit(main())
