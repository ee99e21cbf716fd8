"""``python -m lib``: see :mod:`lib.runner`."""

import sys

from lib.runner import main

sys.exit(main())
