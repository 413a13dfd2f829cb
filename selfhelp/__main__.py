"""``python -m selfhelp``: the same as the ``selfhelp`` command."""

import sys

from selfhelp.cli import main

sys.exit(main())
