"""birch command line: ``python -m csewatch.synth.authors.birch OUT [--posts N] [--seed S]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from csewatch.synth.authors.birch.generator import generate


def main(argv: list[str] | None = None) -> dict:
    """Parse arguments, write the stream, print and return the counts."""
    ap = argparse.ArgumentParser(prog="python -m csewatch.synth.authors.birch", description=__doc__)
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    counts = generate(args.out, posts=args.posts, seed=args.seed)
    print(json.dumps(counts, ensure_ascii=False))
    return counts


if __name__ == "__main__":
    main()
