"""cedar's output: stream.jsonl (native csewatch, time-ordered), labels.jsonl and accounts.jsonl."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import orjson

_URL = re.compile(r"https?://[^\s<>\"]+")
_TAG = re.compile(r"(?<![\w&#])#(\w+)")


class WriterMixin:
    """Writes what ``Author`` built."""

    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        rows: list[tuple[float, int, int, dict]] = []
        seq = 0
        for a in self.accounts:
            rows.append((a.created_at, 0, seq, {
                "type": "account", "id": a.id, "platform": a.platform, "handle": a.handle,
                "display_name": a.display_name, "bio": a.bio, "created_at": a.created_at,
                "followers": a.followers, "following": a.following}))
            seq += 1
            if a.suspended_at is not None:
                rows.append((a.suspended_at, 0, seq, {"type": "account", "id": a.id, "platform": a.platform,
                                                      "status": "suspended", "status_at": a.suspended_at}))
                seq += 1
        labels: list[tuple[float, int, dict]] = []
        for p in self.posts:
            t = round(p.created_at)
            text = p.text
            obj: dict[str, Any] = {"type": "post", "id": p.id, "platform": p.platform, "author_id": p.author.id,
                                   "text": text, "created_at": t,
                                   "hashtags": _TAG.findall(text),
                                   "urls": [u.rstrip(".,!?)\"'") for u in _URL.findall(text)],
                                   "media": [{"id": "m" + hashlib.sha1(p.id.encode()).hexdigest()[:20],
                                              "kind": "image"}] if p.media else []}
            for k in ("reply_to", "reply_root", "quote_of", "repost_of", "group_id"):
                v = getattr(p, k)
                if v:
                    obj[k] = v
            obj["lang"] = p.lang
            rows.append((t, 1, seq, obj))
            labels.append((t, seq, {"platform": p.platform, "id": p.id, "label": p.label, "family": p.family,
                                    "subfamily": p.subfamily, "lang": p.lang, "obfuscation": p.obfuscation,
                                    "link_style": p.link_style}))
            seq += 1
        for plat, src, dst, t in self.edges:
            rows.append((round(t), 2, seq, {"type": "edge", "platform": plat, "kind": "follow", "src": src,
                                            "dst": dst, "created_at": round(t)}))
            seq += 1
        rows.sort(key=lambda x: (x[0], x[1], x[2]))
        with (out / "stream.jsonl").open("wb") as f:
            f.writelines(orjson.dumps(row[3]) + b"\n" for row in rows)
        labels.sort(key=lambda x: (x[0], x[1]))
        with (out / "labels.jsonl").open("wb") as f:
            f.writelines(orjson.dumps(row[2]) + b"\n" for row in labels)
        with (out / "accounts.jsonl").open("wb") as f:
            for a in self.accounts:
                row = {"platform": a.platform, "id": a.id, "role": a.role}
                if a.predecessor:
                    row["predecessor"] = a.predecessor
                f.write(orjson.dumps(row) + b"\n")
        counts: dict[str, int] = {}
        for p in self.posts:
            counts[p.label] = counts.get(p.label, 0) + 1
        counts = dict(sorted(counts.items()))
        counts["posts"] = len(self.posts)
        counts["accounts"] = len(self.accounts)
        counts["edges"] = len(self.edges)
        counts["suspensions"] = sum(1 for a in self.accounts if a.suspended_at is not None)
        return counts
