"""``python -m toolkit.cli``: the ``workshop`` command."""

import sys

from toolkit.cli.main import main

sys.exit(main())
