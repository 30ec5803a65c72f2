"""Everything that leaves the store as a file, and what comes back in.

- :mod:`~toolkit.exports.workshop`: ``export_workshop`` in every format, the handout
- :mod:`~toolkit.exports.guide`: the planning guide and the handout (HTML, Markdown)
- :mod:`~toolkit.exports.pdf`: HTML printed to PDF by headless Chromium
- :mod:`~toolkit.exports.importer`: the JSON export or a paper CSV, back into the store
"""

from toolkit.exports.workshop import (
    FORMATS,
    JSON_FORMAT,
    JSON_VERSION,
    export_handout,
    export_workshop,
)

__all__ = ["FORMATS", "JSON_FORMAT", "JSON_VERSION", "export_handout", "export_workshop"]
