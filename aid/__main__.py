"""``python -m aid``: same as the ``aid`` command."""

import sys

from aid.cli import main

sys.exit(main())
