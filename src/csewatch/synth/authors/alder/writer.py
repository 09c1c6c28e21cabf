"""alder's output: stream.jsonl (native csewatch, time-ordered), labels.jsonl and accounts.jsonl."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from csewatch.synth.authors.alder.model import T0, WINDOW

_URL = re.compile(r"https?://[^\s<>\"]+")
_TAG = re.compile(r"(?<![\w&/])#(\w+)")
_MENTION = re.compile(r"(?<![\w/])@([A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_])")


class WriterMixin:
    """Writes what ``Author`` built."""

    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        first: dict[int, int] = {}
        for p in self.posts:
            k = id(p.author)
            first[k] = min(first.get(k, p.t), p.t)
        recs: list[tuple[int, int, bytes]] = []
        seq = 0
        emitted: dict[str, int] = {}
        for a in self.accounts:
            t_emit = a.created_at if a.created_at >= T0 else min(first.get(id(a), T0 + 1) - 1, T0 + WINDOW)
            t_emit = max(t_emit, a.created_at)
            emitted[f"{a.platform}:{a.id}"] = t_emit
            obj = {"type": "account", "id": a.id, "platform": a.platform, "handle": a.handle,
                   "display_name": a.display_name, "bio": a.bio, "created_at": a.created_at,
                   "followers": a.followers, "following": a.following}
            recs.append((t_emit, seq, orjson.dumps(obj)))
            seq += 1
            if a.suspended_at is not None:
                obj = {"type": "account", "id": a.id, "platform": a.platform, "status": "suspended",
                       "status_at": a.suspended_at}
                recs.append((a.suspended_at, seq, orjson.dumps(obj)))
                seq += 1
        for p in self.posts:
            obj = {"type": "post", "id": p.id, "platform": p.platform, "author_id": p.author.id, "text": p.text,
                   "created_at": p.t, "hashtags": [m.group(1) for m in _TAG.finditer(p.text)],
                   "urls": [u.rstrip(".,;:!?)]}'\"") for u in _URL.findall(p.text)],
                   "mentions": [m.group(1) for m in _MENTION.finditer(p.text)],
                   "media": [{"id": self._media_id(), "kind": "image"} for _ in range(p.media)]}
            for k in ("reply_to", "reply_root", "quote_of", "repost_of", "group_id"):
                v = getattr(p, k)
                if v is not None:
                    obj[k] = v
            if p.tag_lang:
                obj["lang"] = p.lang
            recs.append((p.t, seq, orjson.dumps(obj)))
            seq += 1
        for t, plat, s, d in self.edges:
            t = max(t, emitted.get(f"{plat}:{s}", T0), emitted.get(f"{plat}:{d}", T0)) + 1
            recs.append((t, seq, orjson.dumps({"type": "edge", "platform": plat, "kind": "follow", "src": s,
                                               "dst": d, "created_at": t})))
            seq += 1
        recs.sort(key=lambda r: (r[0], r[1]))
        with open(out / "stream.jsonl", "wb") as fh:
            for _, _, b in recs:
                fh.write(b + b"\n")
        counts: dict[str, int] = {}
        fam_counts: dict[str, int] = {}
        with open(out / "labels.jsonl", "wb") as fh:
            for p in sorted(self.posts, key=lambda q: q.t):
                fh.write(orjson.dumps({"platform": p.platform, "id": p.id, "label": p.label, "family": p.family,
                                       "subfamily": p.subfamily, "lang": p.lang, "obfuscation": p.obfuscation,
                                       "link_style": p.link_style}) + b"\n")
                counts[p.label] = counts.get(p.label, 0) + 1
                fam_counts[f"{p.label}/{p.family}"] = fam_counts.get(f"{p.label}/{p.family}", 0) + 1
        roles: dict[str, int] = {}
        with open(out / "accounts.jsonl", "wb") as fh:
            for a in self.accounts:
                role = a.role if a.role != "benign" else "benign"
                row = {"platform": a.platform, "id": a.id, "role": role}
                if a.predecessor:
                    row["predecessor"] = a.predecessor
                fh.write(orjson.dumps(row) + b"\n")
                roles[role] = roles.get(role, 0) + 1
        return {"posts": len(self.posts), "accounts": len(self.accounts), "edges": len(self.edges),
                "labels": dict(sorted(counts.items())), "families": dict(sorted(fam_counts.items())),
                "roles": dict(sorted(roles.items()))}

    def _media_id(self) -> str:
        self._media += 1
        return f"alder-m{self._media:07d}"
