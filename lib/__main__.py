"""``python -m lib``: see :mod:`lib.book.runner` (its ``main`` prints a user-facing failure as one line)."""

import sys

from lib.book.runner import main

sys.exit(main())
