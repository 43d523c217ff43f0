"""Rendered anonymous pages shared by the web processes of one box: one file per URL in
a folder, so that a page one process rendered is served by the others too.

Why: `paperboy serve --workers 3` runs three processes, each with its own page cache,
so every page was rendered three times (a paper page costs ~40 ms of CPU on PostgreSQL,
its similar papers included); under load that was the paper page's p95 of 784 ms.

Each file holds one JSON line (the data marker it was rendered under, when, the headers,
the ETag and Cache-Control) and then the body. A file is used only under the same data
marker (``Store.data_marker``, the same in every process of one database) and while it
is younger than ``page_cache_seconds``; the memory cache in front of it keeps what it
loads. Files are written whole and renamed into place, so a reader never sees half of
one. Files older than ``page_cache_seconds`` are removed (at most once a minute), and no
more are written while the folder holds ``max_bytes`` (a crawler asking for endless
distinct URLs costs renders, never the disk). Searches are not shared: their generation
is each process's own index. Only public pages for signed-out readers get here: nothing
private is ever written.

Written by hand, not with a cache library: the entries are already bytes with a
validity rule of their own (the marker), and a folder of files renamed into place needs
no lock between processes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Hashable
from pathlib import Path

log = logging.getLogger("paperboy.web.shared_pages")
SWEEP_EVERY = 60.0  # seconds between removals of expired files (by any one process)


class SharedPages:
    def __init__(self, folder: Path, seconds: float, max_bytes: int) -> None:
        self.folder, self.seconds, self.max_bytes = folder, seconds, max_bytes
        folder.mkdir(parents=True, exist_ok=True)
        # Bytes in the folder as of the last sweep plus what this process wrote since.
        self._held = 0
        self._swept = time.monotonic()
        self._sweeping = threading.Lock()
        self.loaded = self.saved = 0
        self.sweep()

    def _path(self, key: bytes) -> Path:
        return self.folder / hashlib.blake2b(key, digest_size=16).hexdigest()

    def load(
        self, key: bytes, marker: Hashable
    ) -> tuple[list[tuple[bytes, bytes]], bytes, bytes, bytes, float] | None:
        """(headers, body, ETag, Cache-Control, age in seconds) of the page another
        process rendered under ``marker``, or None."""
        try:
            raw = self._path(key).read_bytes()
        except OSError:
            return None
        head, newline, body = raw.partition(b"\n")
        try:
            meta = json.loads(head)
            if not newline or meta["key"] != key.decode("latin-1"):
                return None  # a hash collision or a torn file: render it here
            if meta["marker"] != repr(marker):
                return None
            age = time.time() - float(meta["stored"])
            if not 0 <= age < self.seconds or len(body) != meta["length"]:
                return None
            headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in meta["headers"]]
            etag, control = meta["etag"].encode("latin-1"), meta["control"].encode("latin-1")
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        self.loaded += 1
        return headers, body, etag, control, age

    def save(
        self,
        key: bytes,
        marker: Hashable,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        etag: bytes,
        control: bytes,
    ) -> None:
        if self._held >= self.max_bytes:
            self._maybe_sweep()
            return
        meta = {
            "key": key.decode("latin-1"),
            "marker": repr(marker),
            "stored": time.time(),
            "length": len(body),
            "headers": [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers],
            "etag": etag.decode("latin-1"),
            "control": control.decode("latin-1"),
        }
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            temporary.write_bytes(json.dumps(meta).encode() + b"\n" + body)
            temporary.replace(path)
        except OSError as exc:  # a full disk costs sharing, never the answer
            log.warning("could not share a rendered page: %s", exc)
            temporary.unlink(missing_ok=True)
            return
        self.saved += 1
        self._held += len(body)
        self._maybe_sweep()

    def _maybe_sweep(self) -> None:
        if time.monotonic() - self._swept >= SWEEP_EVERY:
            self._swept = time.monotonic()
            threading.Thread(target=self.sweep, name="page-sweep", daemon=True).start()

    def sweep(self) -> int:
        """Remove files older than an entry may live (and leftovers of torn writes)."""
        if not self._sweeping.acquire(blocking=False):
            return 0
        removed = held = 0
        try:
            oldest = time.time() - self.seconds
            with os.scandir(self.folder) as found:
                for item in found:
                    try:
                        status = item.stat()
                        if status.st_mtime < oldest:
                            os.unlink(item.path)
                            removed += 1
                        else:
                            held += status.st_size
                    except OSError:
                        pass  # removed by another process meanwhile
            self._held = held
        finally:
            self._sweeping.release()
        return removed
