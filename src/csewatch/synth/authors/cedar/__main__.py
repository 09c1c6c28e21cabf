"""Command line: ``python -m csewatch.synth.authors.cedar OUT [--posts N] [--seed S]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from csewatch.synth.authors.cedar.generator import generate


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, write the stream and print the counts."""
    ap = argparse.ArgumentParser(prog="python -m csewatch.synth.authors.cedar", description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    counts = generate(args.out, posts=args.posts, seed=args.seed)
    for k, v in counts.items():
        print(f"{k}\t{v}")


if __name__ == "__main__":
    main()
