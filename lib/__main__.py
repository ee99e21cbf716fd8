"""``python -m lib``: see :mod:`lib.book.runner`."""

import sys

from lib.book.runner import main

sys.exit(main())
