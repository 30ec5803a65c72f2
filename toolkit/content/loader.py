"""Reading content files: which file (argument, ``$WORKSHOP_CONTENT`` or the
packaged ``data/toolkit.yaml``), strict YAML (a key given twice is an
error, not a silent overwrite), and a per-process cache keyed by the file's
modification time.

    >>> kit = load()                      # the packaged toolkit
    >>> raw = read_yaml(text, "demo.yaml")  # any kit YAML, strictly
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from toolkit.content.model import Toolkit
from toolkit.content.validate import Validator
from toolkit.errors import ContentError
from toolkit.paths import kit_folder

DATA_DIR = kit_folder("data")
DEFAULT_FILE = DATA_DIR / "toolkit.yaml"
#: An environment override so a hub can serve edited or translated content.
CONTENT_ENV = "WORKSHOP_CONTENT"


def content_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The content file to use: the argument, else ``$WORKSHOP_CONTENT``,
    else the packaged ``data/toolkit.yaml``."""
    if path is not None:
        return Path(path)
    env = os.environ.get(CONTENT_ENV)
    return Path(env) if env else DEFAULT_FILE


def load(path: str | os.PathLike[str] | None = None) -> Toolkit:
    """Load and validate the content; parsed once per file and process.

    Raises :class:`ContentError` for a missing, unreadable or invalid file.
    """
    p = content_path(path).resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise ContentError(str(p), "", f"cannot read the content file ({exc.strerror})") from None
    return _load_cached(str(p), mtime)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int) -> Toolkit:
    return parse_file(Path(path))


def parse_file(path: Path) -> Toolkit:
    """Parse and validate one file without the cache (``workshop validate``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(str(path), "", f"cannot read the content file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ContentError(str(path), "", f"the file is not UTF-8 text (byte {exc.start})") from None
    return parse_text(text, str(path))


def parse_text(text: str, file: str = "<content>") -> Toolkit:
    """Parse YAML (or JSON, a subset of YAML) content and validate it."""
    return Validator(file).toolkit(read_yaml(text, file))


def read_yaml(text: str, file: str) -> Any:
    """Parse YAML with the safe loader, refusing a key that appears twice in
    one mapping; a problem is a :class:`ContentError` naming the line."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _StrictLoader(loader):  # type: ignore[misc, valid-type]
        pass

    def _no_duplicates(node_loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = node_loader.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if isinstance(key_node, (yaml.SequenceNode, yaml.MappingNode)):
                kind = "list" if isinstance(key_node, yaml.SequenceNode) else "mapping"
                raise ContentError(file, f"line {line}", f"a {kind} is used as a key; a key is a plain word such as id or title (quote it to make it text)")
            if key in seen:
                raise ContentError(file, f"line {line}", f"the key {key!r} appears twice in one mapping")
            seen.add(key)
        return node_loader.construct_mapping(node, deep=deep)

    _StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join((getattr(exc, "problem", None) or str(exc)).split())
        if mark is not None and "tab" not in problem and _char_at(text, mark.line, mark.column) == "\t":
            problem += " (a tab: YAML indents with spaces only)"
        raise ContentError(file, place, f"not valid YAML: {problem}") from None


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""
