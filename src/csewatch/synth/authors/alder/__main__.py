"""Command line: ``python -m csewatch.synth.authors.alder OUT [--posts N] [--seed S]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from csewatch.synth.authors.alder.generator import generate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m csewatch.synth.authors.alder", description=__doc__)
    ap.add_argument("out", type=Path, help="output directory (stream.jsonl, labels.jsonl, accounts.jsonl)")
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    counts = generate(args.out, posts=args.posts, seed=args.seed)
    print(json.dumps(counts, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
