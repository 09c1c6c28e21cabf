"""Where media bytes come from. ``LocalMediaStore`` reads a directory: content-addressed files
(``<sha256>`` or ``<sha256>.<ext>``) and files named after the platform's media id or the last
part of its URL. Other stores (object storage, the platform's CDN behind auth) implement ``get``;
a store that can also ``locate`` a ref as a local file lets the media detector check the size before
reading anything (a large video is never read whole)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from csewatch.model import MediaRef


class MediaStore(Protocol):
    def get(self, ref: MediaRef) -> bytes | None: ...


class LocalMediaStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._by_stem: dict[str, Path] = {}
        if self.root.is_dir():
            for f in self.root.iterdir():
                if f.is_file():
                    self._by_stem.setdefault(f.stem, f)
                    self._by_stem.setdefault(f.name, f)

    def put(self, data: bytes, ext: str = "") -> str:
        """Store bytes under their SHA-256 and return it."""
        digest = hashlib.sha256(data).hexdigest()
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / (digest + (f".{ext.lstrip('.')}" if ext else ""))
        if not path.exists():
            path.write_bytes(data)
        self._by_stem[digest] = path
        self._by_stem[path.name] = path
        return digest

    def locate(self, ref: MediaRef) -> Path | None:
        """The local file holding this ref, without reading it; None when the store lacks it."""
        keys = [ref.sha256, ref.id]
        if ref.url:
            name = ref.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
            keys += [name, name.rsplit(".", 1)[0]]
        for k in keys:
            if k and k in self._by_stem:
                return self._by_stem[k]
        return None

    def get(self, ref: MediaRef) -> bytes | None:
        path = self.locate(ref)
        return path.read_bytes() if path is not None else None
