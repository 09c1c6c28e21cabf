"""Scan throughput on ONE core: parse -> normalize -> detect -> triage, without and with SQLite.

Prints posts/s, per-post latency percentiles, peak RSS, the batched scan's posts/s before and after
the learned model (ratio, with the model's size and training time from its card), and in the same run
the ratio against a naive baseline: parse the same lines, lowercase the text and loop ``re.search`` over every term of
the policy pack (word-bounded), which is what a first attempt at a lexicon looks like.

    python benchmarks/bench_scan.py --posts 50000 --prevalence 0.01
    python benchmarks/bench_scan.py --posts 50000 --prevalence eval   # the eval mix (~25% flagged)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

from csewatch.detect import StreamState
from csewatch.ingest import expand_sources, parse_line
from csewatch.normalize import segment
from csewatch.pipeline import DetectionEngine, Scanner
from csewatch.policy import load_policy
from csewatch.store import Store
from csewatch.synth import generate
from csewatch.triage import CaseBook


def model_stage_size(policy) -> int:
    from csewatch.detect.classifier import bundled_model_path

    conf = policy.pack.model
    path = Path(policy.directory) / conf.path if conf.path else bundled_model_path()
    return path.stat().st_size if path.is_file() else 0


def load_lines(stream: Path) -> list[tuple[str, int, bytes]]:
    out = []
    for src in expand_sources([str(stream)]):
        for n, _pos, raw in src.lines():
            out.append((src.key, n, raw))
    return out


def run_engine(lines, policy) -> tuple[float, int, list[float], int]:
    engine = DetectionEngine(policy)
    engine.model = None  # per-post latency of the rule path; the model scores batches (run_batched)
    state = StreamState()
    book = CaseBook(engine.triage)
    accounts = {}
    lat: list[float] = []
    posts = flagged = 0
    pc = time.perf_counter
    t0 = pc()
    for key, n, raw in lines:
        t1 = pc()
        rec, _fmt = parse_line(raw, key, n, None)
        for acc in rec.accounts:
            accounts[(acc.platform, acc.id)] = acc
        for post in rec.posts:
            account = accounts.get((post.platform, post.author_id))
            _signals, verdict = engine.process(post, account, state)
            posts += 1
            if verdict is not None:
                flagged += 1
                book.add(verdict, post, account)
        lat.append(pc() - t1)
    elapsed = pc() - t0
    book.finalize()
    return elapsed, posts, lat, flagged


def run_baseline(lines, policy) -> tuple[float, int, int]:
    patterns = [re.compile(rf"\b{re.escape(term.lower())}\b") for _ind, term, _amb in policy.term_entries()]
    posts = hits = 0
    t0 = time.perf_counter()
    for key, n, raw in lines:
        rec, _fmt = parse_line(raw, key, n, None)
        for post in rec.posts:
            text = post.text.lower()
            posts += 1
            for p in patterns:
                if p.search(text):
                    hits += 1
    return time.perf_counter() - t0, posts, hits


def run_sqlite(stream: Path, policy, workdir: Path) -> tuple[float, int]:
    store = Store(str(workdir / "bench.db"), policy.version)
    scanner = Scanner(policy, store, batch_size=2000)
    t0 = time.perf_counter()
    summary = scanner.scan([str(stream)], restart=True)
    return time.perf_counter() - t0, summary.posts


def run_batched(stream: Path, policy, with_model: bool) -> tuple[float, int, int]:
    """The scanner's own batched path without a store (the learned model scores whole batches)."""
    scanner = Scanner(policy, None, batch_size=2000)
    if not with_model:
        scanner.engine.model = None
    t0 = time.perf_counter()
    summary = scanner.scan([str(stream)])
    return time.perf_counter() - t0, summary.posts, summary.verdicts


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 10 else max(values)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--prevalence", default="0.01", help="share of violating posts, or 'eval' for the eval mix")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    policy = load_policy()
    segment("warmup")  # load the word-segmentation model outside the timed region
    prevalence = None if args.prevalence == "eval" else float(args.prevalence)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generate(work / "data", args.posts, args.seed, "mixed", prevalence)
        stream = work / "data" / "stream"
        lines = load_lines(stream)
        size = sum(len(r or b"") for _k, _n, r in lines)
        print(
            f"stream: {args.posts:,} posts in {len(lines):,} lines ({size / 1e6:.1f} MB), "
            f"formats x/bluesky/mastodon/native, prevalence={args.prevalence}, one core"
        )

        el, n, lat, flagged = run_engine(lines, policy)
        engine_rate = n / el
        print(
            f"pipeline (parse+normalize+rule detectors+triage, post by post, no DB): {engine_rate:,.0f} posts/s "
            f"({flagged:,} flagged); per line p50={pct(lat, 50) * 1e6:.0f}us p99={pct(lat, 99) * 1e6:.0f}us "
            f"max={max(lat) * 1e3:.1f}ms"
        )

        bl, bn, _hits = run_baseline(lines, policy)
        base_rate = bn / bl
        print(
            f"baseline (parse + lowercase + re.search per term, {len(policy.term_entries())} terms, no folding): "
            f"{base_rate:,.0f} posts/s"
        )
        print(f"ratio: full pipeline is {engine_rate / base_rate:.2f}x the naive lexicon baseline's throughput")

        stage = DetectionEngine(policy).model
        if stage is not None:
            ml, mn, mf = run_batched(stream, policy, True)
            nl, nn, nf = run_batched(stream, policy, False)
            card = stage.model.card
            size = model_stage_size(policy)
            print(
                f"batched scan, no DB: {nn / nl:,.0f} posts/s without the learned model ({nf:,} flagged), "
                f"{mn / ml:,.0f} posts/s with it ({mf:,} flagged): ratio after/before {(mn / ml) / (nn / nl):.2f}"
            )
            secs = card.get("seconds", {})
            print(
                f"model {card.get('version')}: {size / 1e6:.1f} MB on disk, {stage.model.n_features:,} weights per "
                f"label; trained in {secs.get('fit', '?')} s (+{secs.get('data', '?')} s making and scanning "
                f"{card.get('data', {}).get('examples', '?'):,} examples)"
            )
        if not args.no_sqlite:
            sl, sn = run_sqlite(stream, policy, work)
            print(f"with SQLite (WAL, batch commits with checkpoints): {sn / sl:,.0f} posts/s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
