"""``python -m benchmarks``: run the suite and print one table."""

import sys

from .run import main

sys.exit(main())
