"""``python -m groqstream``: run the command-line tool."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
