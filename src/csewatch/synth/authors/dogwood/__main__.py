"""Command line: ``python -m csewatch.synth.authors.dogwood OUT [--posts N] [--seed S]``."""

from __future__ import annotations

import argparse
import json
import pathlib

from csewatch.synth.authors.dogwood.generator import generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m csewatch.synth.authors.dogwood")
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    print(json.dumps(generate(args.out, posts=args.posts, seed=args.seed), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
