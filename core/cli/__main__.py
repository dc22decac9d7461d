"""``python -m core.cli``: the same as the ``sqldraft`` command."""

import sys

from core.cli.app import main

sys.exit(main())
