"""elm author CLI: ``python -m csewatch.synth.authors.elm OUT [--posts N] [--seed S]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from csewatch.synth.authors.elm.generator import generate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m csewatch.synth.authors.elm")
    ap.add_argument("out", type=Path)
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(json.dumps(generate(args.out, posts=args.posts, seed=args.seed), sort_keys=True))


if __name__ == "__main__":
    main()
