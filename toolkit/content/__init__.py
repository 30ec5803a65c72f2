"""The toolkit as data: typed, frozen values loaded and validated from
``data/``.

    >>> from toolkit import content
    >>> kit = content.load()
    >>> [s.title for s in kit.stages]
    ['Diagnosis', 'Design', 'Implementation', 'Assessment']
    >>> kit.tool(7).name
    'Agree on Measures of Success'

A broken file raises one :class:`ContentError` naming the file, the place
inside it (``tools[6].questions[2].id``) and what was expected, so a
facilitator who edits the YAML can fix it without reading code.

- :mod:`~toolkit.content.model`: the values (``Toolkit``, ``Stage``, ``Tool`` ...)
- :mod:`~toolkit.content.loader`: which file, strict YAML, the cache
- :mod:`~toolkit.content.validate`: raw YAML to values, or one clear error

Facilitator-only content (schema 2): ``tool.facilitation`` (purpose, core
questions, minutes, method, materials, pitfalls), ``question.sensitive``,
``kit.plans`` (agenda templates), ``kit.worksheets`` (the methods' one-page
sheets) and ``kit.changes`` (renamed question ids, applied to old answers
by the store's upgrade).
"""

from toolkit.content.loader import (
    CONTENT_ENV,
    DATA_DIR,
    DEFAULT_FILE,
    content_path,
    load,
    parse_file,
    parse_text,
    read_yaml,
)
from toolkit.content.model import (
    SCHEMA_VERSION,
    Example,
    PageText,
    Question,
    Resource,
    Scale,
    ScalePoint,
    Sector,
    Source,
    Stage,
    Term,
    Tool,
    Toolkit,
)
from toolkit.content.model import (  # schema 2: the facilitator's part
    READABLE_VERSIONS,
    SENSITIVE_KINDS,
    Change,
    Facilitation,
    Plan,
    PlanItem,
    PlanSession,
    Sensitivity,
    Worksheet,
)
from toolkit.errors import ContentError

__all__ = [
    "CONTENT_ENV", "DATA_DIR", "DEFAULT_FILE", "SCHEMA_VERSION", "ContentError", "Example", "PageText", "Question", "Resource",
    "Scale", "ScalePoint", "Sector", "Source", "Stage", "Term", "Tool", "Toolkit",
    "content_path", "load", "parse_file", "parse_text", "read_yaml",
    # schema 2: the facilitator's part
    "READABLE_VERSIONS", "SENSITIVE_KINDS", "Change", "Facilitation", "Plan", "PlanItem", "PlanSession", "Sensitivity", "Worksheet",
]
