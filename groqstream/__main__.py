"""``python -m groqstream``: run the command-line tool."""

import sys

from .tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
