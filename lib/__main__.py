"""``python -m lib``: see :mod:`lib.book.runner`. A user-facing failure (:class:`lib.errors.InputError`) is one line
on stderr and exit status 2; ``DNABOOK_DEBUG=1`` shows its traceback."""

import sys

from lib import errors
from lib.book.runner import main

try:
    sys.exit(main())
except errors.InputError as error:
    errors.exit_with(error)
