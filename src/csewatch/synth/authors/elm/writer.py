"""elm's output: stream.jsonl (native csewatch, time-ordered), labels.jsonl and accounts.jsonl."""

from __future__ import annotations

import json
from pathlib import Path


class WriterMixin:
    """Writes what ``Author`` built."""

    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        self.events.sort(key=lambda e: (e[0], e[1]))
        with (out / "stream.jsonl").open("w", encoding="utf-8") as fh:
            for _, _, obj in self.events:
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        with (out / "labels.jsonl").open("w", encoding="utf-8") as fh:
            for row in self.labels:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        with (out / "accounts.jsonl").open("w", encoding="utf-8") as fh:
            for a in self.accounts:
                row = {"platform": a.platform, "id": a.id, "role": a.role}
                if a.predecessor:
                    row["predecessor"] = a.predecessor
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts: dict[str, int] = {}
        for row in self.labels:
            counts[row["label"]] = counts.get(row["label"], 0) + 1
        counts["posts"] = len(self.labels)
        counts["accounts"] = len(self.accounts)
        counts["edges"] = sum(1 for _, _, o in self.events if o["type"] == "edge")
        return counts
