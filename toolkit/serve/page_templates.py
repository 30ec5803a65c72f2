"""Voila's page templates compiled once per server, not once per page.

    >>> share_compiled_templates()       # WorkshopVoila does this at start-up

Voila renders every page with a new exporter, and each exporter makes a new
Jinja environment that compiles the page's templates (``index.html.j2`` and
the lab and base templates it extends) from source again: sampled in a room
of 40 arriving, about a seventh of the server's own CPU went there. Every
such environment here shares one in-memory bytecode cache
(:class:`MemoryBytecodeCache`), so a template is compiled the first time and
loaded from bytecode after. Jinja keys the cache by template and checks the
source's checksum, so an edited template is compiled again; and by the kind
of environment (async rendering or not, its extensions), whose compiled
code differs.
"""

from __future__ import annotations

import threading
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    """Jinja bytecode kept in this process's memory, keyed by template and
    by the kind of environment that compiled it (async or not, and its
    extensions: the code Jinja makes differs with them)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get_bucket(self, environment: Any, name: str, filename: str | None, source: str) -> Bucket:
        kind = f"{environment.is_async}:{','.join(sorted(environment.extensions))}"
        bucket = Bucket(environment, f"{self.get_cache_key(name, filename)}:{kind}", self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code

    def clear(self) -> None:
        with self._lock:
            self._code.clear()

    def __len__(self) -> int:
        return len(self._code)


#: The one cache every Voila exporter's environment shares.
TEMPLATE_CACHE = MemoryBytecodeCache()


def share_compiled_templates(exporter_class: Any = None) -> None:
    """Make every environment ``exporter_class`` (Voila's exporter by
    default) creates use :data:`TEMPLATE_CACHE`; calling it again changes
    nothing."""
    if exporter_class is None:
        from voila.exporter import VoilaExporter as exporter_class
    if getattr(exporter_class, "_xs_shared_templates", False):
        return
    create = exporter_class._create_environment

    def _create_environment(self: Any) -> Any:
        environment = create(self)
        environment.bytecode_cache = TEMPLATE_CACHE
        return environment

    exporter_class._create_environment = _create_environment
    exporter_class._xs_shared_templates = True
