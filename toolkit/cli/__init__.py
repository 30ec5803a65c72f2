"""The ``workshop`` command line: everything a facilitator does from a widget
can be done from here, with ``toolkit`` alone (see :mod:`toolkit.cli.main`).

- :mod:`~toolkit.cli.main`: the parser and ``main``
- :mod:`~toolkit.cli.content_verbs`: tools, show, validate
- :mod:`~toolkit.cli.store_verbs`: new, list, demo and the facilitator's controls
- :mod:`~toolkit.cli.export_verbs`: export, handout, import
- :mod:`~toolkit.cli.serve_verbs`: serve
"""

from toolkit.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
