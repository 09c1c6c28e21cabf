"""Hash types as classes, and the one registry that everything else loops over.

A ``HashType`` says what it is called (and the names other tools give it), which content kinds it
applies to, how to validate and normalise a value (``validate`` returns the normal form or raises
``InvalidHash`` with the reason), how to hash content (``hash_file`` / ``hash_bytes`` -> values), how
far apart two values are and whether they match at a threshold, which index class searches a bank of
its values, and examples (content, or a function making it, with the expected value) for the
contract test. Exact digests (MD5, SHA-256) apply to any file; PDQ to images; vPDQ to videos.

``REGISTRY`` (name -> instance) is built in one place, ``build_registry``, from a list of classes; a
manifest (a list of dotted class paths) can later feed the same function. Banks, the matcher,
signal sharing, NCMEC file details, graph links by media and the CLI's ``--type`` choices loop over
it instead of naming types by hand.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from csewatch.media import video as V
from csewatch.media.hashing import MediaHashes, hamming, hash_bytes, hash_file

_HEX = re.compile(r"^[0-9a-f]+$")

# (content: bytes, a function making them, or None for a value-only example; expected value)
Example = tuple["bytes | Callable[[], bytes] | None", str]


class InvalidHash(ValueError):
    """A value that is not a valid hash of its type; the message is the reason."""


class HashType:
    """One kind of hash. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()  # other tools' names (ThreatExchange / HMA signal types)
    content: ClassVar[frozenset[str]] = frozenset()  # content kinds: image, video, file (any)
    exact: ClassVar[bool] = True  # exact digests match by equality (an indexed database lookup)
    threshold: ClassVar[float] = 0  # default match threshold (distance, inclusive)
    ncmec_name: ClassVar[str | None] = None  # hashType in NCMEC file details, None when NCMEC has none
    link_priority: ClassVar[int | None] = None  # media identity for graph links: lower first, None never

    def validate(self, value: str) -> str:
        """The normal form of a value, or InvalidHash with the reason."""
        raise NotImplementedError

    def is_valid(self, value: str) -> str | None:
        """None when the value is valid, else the reason."""
        try:
            self.validate(value)
        except InvalidHash as exc:
            return str(exc)
        return None

    def applies_to(self, kind: str) -> bool:
        return "file" in self.content or kind in self.content

    def value_of(self, h: MediaHashes) -> str | None:
        """This type's value in a MediaHashes result (the field of the same name), if any."""
        return getattr(h, self.name, None) or None

    def hash_bytes(self, data: bytes) -> list[str]:
        v = self.value_of(hash_bytes(data))
        return [v] if v else []

    def hash_file(self, path: str | Path) -> list[str]:
        v = self.value_of(hash_file(path))
        return [v] if v else []

    def distance(self, a: str, b: str) -> float:
        return 0 if self.validate(a) == self.validate(b) else 1

    def match(self, a: str, b: str, threshold: float | None = None) -> bool:
        return self.distance(a, b) <= (self.threshold if threshold is None else threshold)

    def index_class(self) -> type | None:
        """The class indexing a bank of this type's values; None: exact lookup in the database."""
        return None

    def examples(self) -> list[Example]:
        return []

    def malformed_examples(self) -> list[str]:
        """Values this type must refuse (for the contract test)."""
        return ["", "not a hash", "zz" * 32]


class _Digest(HashType):
    digits: ClassVar[int]
    algorithm: ClassVar[str]
    content = frozenset({"file"})
    exact = True

    def validate(self, value: str) -> str:
        v = str(value).strip().lower()
        if len(v) != self.digits or not _HEX.match(v):
            raise InvalidHash(f"not a {self.name} hash: expected {self.digits} hex digits, got {str(value)[:80]!r}")
        return v

    def hash_bytes(self, data: bytes) -> list[str]:
        return [hashlib.new(self.algorithm, data).hexdigest()]

    def examples(self) -> list[Example]:
        return [(b"csewatch example", hashlib.new(self.algorithm, b"csewatch example").hexdigest())]

    def malformed_examples(self) -> list[str]:
        return [*super().malformed_examples(), "a" * (self.digits - 1), "a" * (self.digits + 2)]


class MD5(_Digest):
    name = "md5"
    aliases = ("hash_md5", "photo_md5", "video_md5")
    digits = 32
    algorithm = "md5"
    ncmec_name = "MD5"
    link_priority = 1


class SHA256(_Digest):
    name = "sha256"
    aliases = ("hash_sha256", "sha-256", "photo_sha256", "video_sha256")
    digits = 64
    algorithm = "sha256"
    ncmec_name = "SHA256"
    link_priority = 0


def _example_image(seed: int) -> bytes:
    """A benign generated picture (gradient and shapes) as PNG."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, 160)[None, :, None]
    c1, c2 = rng.integers(0, 255, 3), rng.integers(0, 255, 3)
    img = Image.fromarray(((c1 * (1 - t) + c2 * t) * np.ones((120, 1, 1))).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(5):
        x, y = int(rng.integers(0, 120)), int(rng.integers(0, 90))
        d.ellipse([x, y, x + 40, y + 30], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


class PDQ(HashType):
    name = "pdq"
    aliases = ("hash_pdq", "photo_pdq", "pdq_hash")
    content = frozenset({"image"})
    exact = False
    threshold = 31
    ncmec_name = "PDQ"
    link_priority = 2

    def validate(self, value: str) -> str:
        v = str(value).strip().lower()
        if len(v) != 64 or not _HEX.match(v):
            raise InvalidHash(f"not a pdq hash: expected 64 hex digits, got {str(value)[:80]!r}")
        return v

    def distance(self, a: str, b: str) -> float:
        return hamming(self.validate(a), self.validate(b))

    def index_class(self) -> type:
        from csewatch.media.index import PDQBankIndex

        return PDQBankIndex

    def examples(self) -> list[Example]:
        import pdqhash
        from PIL import Image

        out: list[Example] = []
        for seed in (1, 2):
            data = _example_image(seed)
            bits, _q = pdqhash.compute(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))  # the reference
            out.append((data, np.packbits(bits.astype(np.uint8)).tobytes().hex()))
        return out


class VPDQ(HashType):
    name = "vpdq"
    aliases = ("video_vpdq", "hash_vpdq", "vpdq_hash")
    content = frozenset({"video"})
    exact = False
    threshold = V.QUERY_MATCH_PERCENT  # distance = 100 - query-match %; see match()
    link_priority = 3

    def validate(self, value: str) -> str:
        try:
            return V.to_text(V.parse(str(value)))
        except ValueError as exc:
            raise InvalidHash(f"not a vpdq hash: {exc}") from None

    def distance(self, a: str, b: str) -> float:
        """100 minus the query-match percentage of ``a`` against ``b`` (0: every frame of ``a`` matches)."""
        qm, _cm = V.match_percent(V.parse(self.validate(a)), V.parse(self.validate(b)))
        return 100.0 - qm

    def match(self, a: str, b: str, threshold: float | None = None) -> bool:
        """The published vPDQ criterion; ``threshold`` is the query-match percentage (default 80)."""
        ok, _qm, _cm = V.is_match(
            V.parse(self.validate(a)),
            V.parse(self.validate(b)),
            query_percent=V.QUERY_MATCH_PERCENT if threshold is None else threshold,
        )
        return ok

    def hash_file(self, path: str | Path) -> list[str]:
        return [V.to_text(V.hash_video(path))]

    def hash_bytes(self, data: bytes) -> list[str]:
        v = hash_bytes(data).vpdq
        return [v] if v else []

    def index_class(self) -> type:
        from csewatch.media.index import VPDQBankIndex

        return VPDQBankIndex

    def examples(self) -> list[Example]:
        """A value only: videos need ffmpeg, and the video tests make and hash those."""
        frames = [V.VPDQFrame(i * 25, hash_bytes(_example_image(10 + i)).pdq or "", 100, float(i)) for i in range(3)]
        value = V.to_text(frames)
        return [(None, value)]

    def malformed_examples(self) -> list[str]:
        good = "0," + "a" * 64 + ",100,0.000"
        return [
            *super().malformed_examples(),
            "0," + "a" * 63 + ",100,0.000",  # short frame hash
            good + ";1," + "b" * 64 + ",100",  # a frame without timestamp
            "0," + "a" * 64 + ",101,0.000",  # quality over 100
            "x," + "a" * 64 + ",100,0.000",
        ]


DEFAULT_CLASSES: tuple[type[HashType], ...] = (SHA256, MD5, PDQ, VPDQ)


def build_registry(classes: Iterable[type[HashType] | str]) -> dict[str, HashType]:
    """name -> instance, from classes or dotted paths (``package.module:Class``, what a manifest lists)."""
    out: dict[str, HashType] = {}
    for c in classes:
        if isinstance(c, str):
            mod, _, attr = c.partition(":")
            c = getattr(importlib.import_module(mod), attr)
        inst = c()
        if inst.name in out:
            raise ValueError(f"hash type {inst.name!r} registered twice")
        out[inst.name] = inst
    return out


REGISTRY: dict[str, HashType] = build_registry(DEFAULT_CLASSES)


def names() -> list[str]:
    return list(REGISTRY)


def resolve(name: str) -> HashType | None:
    """The type called ``name`` or by one of its aliases (case-insensitive), else None."""
    n = str(name).strip().lower()
    if n in REGISTRY:
        return REGISTRY[n]
    for ht in REGISTRY.values():
        if n in ht.aliases:
            return ht
    return None


def exact_types() -> list[HashType]:
    return [t for t in REGISTRY.values() if t.exact]


def media_link_value(media: dict[str, Any]) -> str | None:
    """The value that identifies a stored media item for graph links (SHA-256 first, then MD5, PDQ, vPDQ)."""
    ranked = sorted((t for t in REGISTRY.values() if t.link_priority is not None), key=lambda t: t.link_priority)
    for t in ranked:
        v = media.get(t.name)
        if v:
            return v
    return None
