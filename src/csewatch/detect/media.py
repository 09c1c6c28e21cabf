"""Media detector: fetch each media item of a post (and the author's avatar) from the media store,
hash it (images: PDQ; videos: vPDQ; any file: MD5, SHA-256), and match it against the hash banks.
A match is the highest-severity signal, ``known_material``, with bank, bank version, distance and
quality (videos: query- and compare-match percentages) as evidence; never the media.
Low-quality hashes are not matched and are counted, as are items the store does not have and
items that cannot be decoded (with the reason).

The detector asks only for a ``Matcher`` (declared here): whoever assembles the scan passes the real one
(``csewatch.media.matcher.MediaMatcher`` over the store's banks), so this layer never imports the store."""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from csewatch.detect import Prepared, StreamState, make_signal
from csewatch.media.hashing import MediaError, MediaHashes, hash_bytes, hash_file
from csewatch.media.index import MediaMatch
from csewatch.media.store import MediaStore
from csewatch.model import Evidence, MediaRef, Signal


class Matcher(Protocol):
    """What the detector needs of a matcher: the quality floor, and the banked hashes a media item matches."""

    quality_floor: int

    def match_hashes(self, h: MediaHashes) -> list[MediaMatch]: ...


class MediaDetector:
    name = "media"
    version = "1"

    def __init__(self, store: MediaStore, matcher: Matcher, dihedral: bool = False):
        self.store = store
        self.matcher = matcher
        self.dihedral = dihedral
        self.counts: Counter[str] = Counter()
        self._cache: dict[str, tuple[MediaHashes | None, list[MediaMatch]]] = {}

    def _check(self, ref: MediaRef) -> tuple[MediaHashes | None, list[MediaMatch]]:
        key = ref.sha256 or ref.id
        if key in self._cache:
            self.counts["cached"] += 1
            return self._cache[key]
        locate = getattr(self.store, "locate", None)
        path = locate(ref) if locate is not None else None
        data = None if path is not None else self.store.get(ref)
        if path is None and data is None:
            self.counts["missing"] += 1
            return None, []
        try:
            # a local file: size checked first, digests streamed, decoded only under the cap
            if path is not None:
                h = hash_file(path, dihedral=self.dihedral)
            else:
                h = hash_bytes(data, dihedral=self.dihedral)
        except MediaError as exc:
            reason = "over the byte cap" if "over the cap" in str(exc) else str(exc).split(":")[0][:60]
            self.counts[f"rejected: {reason}"] += 1
            # over the byte cap (or an undecodable video): the streamed MD5/SHA-256 still meet the exact-hash banks
            matches = self.matcher.match_hashes(exc.hashes) if exc.hashes is not None else []
            if matches:
                self.counts["matched"] += 1
            result: tuple[MediaHashes | None, list[MediaMatch]] = (exc.hashes, matches)
        else:
            self.counts["hashed"] += 1
            if (h.quality or 0) < self.matcher.quality_floor:
                self.counts["low_quality"] += 1
            matches = self.matcher.match_hashes(h)
            if matches:
                self.counts["matched"] += 1
            result = (h, matches)
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[key] = result
        return result

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        items = [(f"media[{i}]", ref) for i, ref in enumerate(p.post.media)]
        if p.account is not None and p.account.avatar_hash:
            items.append(("account.avatar", MediaRef(id=p.account.avatar_hash)))
        out: list[Signal] = []
        for field, ref in items:
            _h, matches = self._check(ref)
            if not matches:
                continue
            evs = [
                Evidence(
                    field,
                    0,
                    0,
                    f"{m.bank}@v{m.bank_version} {m.hash_type} d={m.distance} q={m.quality} {m.variant}"
                    + (
                        f" query={m.query_match:.0f}% compared={m.compare_match:.0f}%"
                        if m.query_match is not None
                        else ""
                    ),
                    f"bank:{m.bank}:{m.category}",
                )
                for m in matches
            ]
            best = matches[0]
            out.append(
                make_signal(
                    self,
                    p,
                    "known_material",
                    0.99,
                    f"{field} matches {len(matches)} banked hash(es); best: bank {best.bank} v{best.bank_version}, "
                    f"{best.hash_type} distance {best.distance}, category {best.category}",
                    evs,
                    subject_type="media",
                    subject_id=ref.sha256 or ref.id,
                )
            )
        return out
