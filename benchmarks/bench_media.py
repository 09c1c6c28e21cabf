"""Known-media matching: robustness, hashing throughput and index speed, each with a baseline
measured in the same run. Every image here is generated (shapes, gradients, text): benign only.

    python benchmarks/bench_media.py                       # everything, full sizes
    python benchmarks/bench_media.py --images 200 --unrelated 10000 --sizes 100000   # quick

1. robustness: generated images, each transformed (JPEG quality 30-90, resize 0.5-2x, crop 5-10%,
   grayscale, small rotation, overlaid text, mirror with and without the dihedral variants); recall
   at the threshold, and false matches of unrelated generated images against the same bank.
2. hashing throughput: 1-megapixel JPEGs, decode included, one core; baseline: decode alone. The
   default mode against bare ``pdqhash`` on the full decoded image (must be 0 bits), and the opt-in
   fast mode (reduced-scale decode, thumbnail): its drift (median/max bits) and images/s.
3. matching: random banks of the given sizes with planted near neighbours; queries/s and latency
   percentiles, memory per hash, equality with brute force (must be 100%), speed-up over brute
   force; the default multi-index hashing tables, and faiss's multi-hash index for comparison.
4. video: vPDQ hashing of generated clips (ffmpeg's mandelbrot source), with the vpdq bindings and
   with the ffmpeg-subprocess fallback: decoded video frames/s and hashed (sampled) frames/s.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import tempfile
import time

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageOps

from csewatch.media import mih
from csewatch.media import video as V
from csewatch.media.hashing import bits_to_hex, hamming, hash_bytes
from csewatch.media.index import PDQIndex, brute_force, to_array

RADIUS = 31


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def generate_image(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = size
    # a smooth two-colour gradient background
    c1, c2 = rng.integers(0, 255, 3), rng.integers(0, 255, 3)
    t = np.linspace(0, 1, w)[None, :, None] if rng.random() < 0.5 else np.linspace(0, 1, h)[:, None, None]
    bg = (c1 * (1 - t) + c2 * t) * np.ones((h, w, 1))
    img = Image.fromarray(bg.astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(6, 18))):
        x0, y0 = int(rng.integers(-40, w)), int(rng.integers(-40, h))
        x1, y1 = x0 + int(rng.integers(20, w // 2)), y0 + int(rng.integers(20, h // 2))
        colour = tuple(int(x) for x in rng.integers(0, 255, 3))
        shape = rng.integers(0, 3)
        if shape == 0:
            d.ellipse([x0, y0, x1, y1], fill=colour)
        elif shape == 1:
            d.rectangle([x0, y0, x1, y1], fill=colour)
        else:
            d.line([x0, y0, x1, y1], fill=colour, width=int(rng.integers(3, 20)))
    return img


def jpeg(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def transforms(rng: np.random.Generator) -> dict:
    def crop(img):
        f = rng.uniform(0.05, 0.10)
        w, h = img.size
        return img.crop((int(w * f / 2), int(h * f / 2), int(w * (1 - f / 2)), int(h * (1 - f / 2))))

    def text(img):
        img = img.copy()
        ImageDraw.Draw(img).text((10, img.size[1] - 30), "sample caption 123", fill=(255, 255, 255))
        return img

    return {
        "jpeg q30-90": lambda img: (img, int(rng.integers(30, 91))),
        "resize 0.5-2x": lambda img: (
            img.resize((max(8, int(img.size[0] * s)), max(8, int(img.size[1] * s))))
            if (s := rng.uniform(0.5, 2.0))
            else img,
            85,
        ),
        "crop 5-10%": lambda img: (crop(img), 85),
        "grayscale": lambda img: (ImageOps.grayscale(img).convert("RGB"), 85),
        "rotate 1-3deg": lambda img: (
            img.rotate(rng.uniform(1, 3) * rng.choice([-1, 1]), expand=False, fillcolor=(0, 0, 0)),
            85,
        ),
        "overlaid text": lambda img: (text(img), 85),
        "mirror": lambda img: (ImageOps.mirror(img), 85),
    }


def bench_robustness(n_images: int, n_unrelated: int) -> None:
    rng = np.random.default_rng(1)
    originals = [generate_image(i) for i in range(n_images)]
    bank_h = [hash_bytes(jpeg(img)) for img in originals]
    keep = [i for i, h in enumerate(bank_h) if h.quality >= 50]
    bank = to_array([bank_h[i].pdq for i in keep])
    index = PDQIndex(radius=RADIUS)
    index.add(bank)
    print(f"robustness: {n_images} generated images, {len(keep)} with PDQ quality >= 50 banked")
    for name, fn in transforms(rng).items():
        hits = hits_dih = 0
        for pos, i in enumerate(keep):
            img, q = fn(originals[i])
            data = jpeg(img, q)
            h = hash_bytes(data, dihedral=(name == "mirror"))
            found = [idx for idx, _d in index.search(to_array([h.pdq]))[0]]
            hits += pos in found
            if name == "mirror":
                found_d = {idx for r in index.search(to_array(h.dihedral)) for idx, _d in r}
                hits_dih += pos in found_d
        line = f"  {name:15s} recall@{RADIUS}: {hits / len(keep):.3f}"
        if name == "mirror":
            line += f"   with dihedral variants: {hits_dih / len(keep):.3f}"
        print(line)
    t0 = time.perf_counter()
    false = pairs = 0
    low = 0
    for j in range(n_unrelated):
        h = hash_bytes(jpeg(generate_image(10_000_000 + j, (256, 192)), 80))
        if h.quality < 50:
            low += 1
            continue
        res = index.search(to_array([h.pdq]))[0]
        false += len(res)
        pairs += len(keep)
    images = n_unrelated - low
    print(
        f"  false matches: {false} over {images:,} unrelated images x {len(keep)} banked "
        f"= {false / max(pairs, 1):.2e} per pair, {false / max(images, 1):.2e} per image "
        f"({low} low-quality skipped; {time.perf_counter() - t0:.0f}s)"
    )


def bench_hashing(n: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    files = [jpeg(generate_image(500 + i, (1155, 866)), 85) for i in range(n)]  # 1.0 megapixel
    t0 = time.perf_counter()
    for data in files:
        Image.open(io.BytesIO(data)).convert("RGB").load()
    decode = n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    ref = [bits_to_hex(pdqhash.compute(np.asarray(Image.open(io.BytesIO(d)).convert("RGB")))[0]) for d in files]
    bare = n / (time.perf_counter() - t0)
    rates, drift = {}, {}
    for mode, fast in (("default", False), ("fast", True)):
        t0 = time.perf_counter()
        got = [hash_bytes(data, fast=fast).pdq for data in files]
        rates[mode] = n / (time.perf_counter() - t0)
        drift[mode] = [hamming(a, b) for a, b in zip(got, ref, strict=True)]
    print(
        f"hashing: {n} 1-megapixel JPEGs, one core (baseline decode only: {decode:.0f} images/s; "
        f"bare pdqhash on the full decoded image, the reference: {bare:.0f} images/s)"
    )
    for mode in rates:
        d = drift[mode]
        print(
            f"  {mode:7s}: {rates[mode]:.0f} images/s decode+MD5+SHA-256+PDQ ({decode / rates[mode]:.1f}x decoding); "
            f"bits from the reference: median {np.median(d):.0f}, max {max(d)}, equal on {d.count(0)}/{n}"
        )
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))


def bench_video(seconds: int) -> None:
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        print("video: not measured (no ffmpeg)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        clip = os.path.join(tmp, "clip.mp4")
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=25", "-t", str(seconds),
             "-pix_fmt", "yuv420p", "-c:v", "libx264", clip],
            check=True,
        )
        decoded = seconds * 25
        backends = ["vpdq", "ffmpeg"] if V.backend() == "vpdq" else ["ffmpeg"]
        results = {}
        for which in backends:
            os.environ["CSEWATCH_VPDQ_BACKEND"] = "ffmpeg" if which == "ffmpeg" else ""
            t0 = time.perf_counter()
            results[which] = frames = V.hash_video(clip)
            dt = time.perf_counter() - t0
            print(
                f"video [{which}]: {seconds}s 640x360 25 fps clip, {decoded / dt:,.0f} video frames/s decoded, "
                f"{len(frames) / dt:.1f} sampled frames/s hashed ({len(frames)} frame hashes, {dt:.2f}s)"
            )
        os.environ.pop("CSEWATCH_VPDQ_BACKEND", None)
        if len(results) == 2:
            qm, cm = V.match_percent(results["ffmpeg"], results["vpdq"])
            print(f"  fallback vs bindings: query-match {qm:.0f}%, compare-match {cm:.0f}%")


def bench_matching(size: int, method: str, n_queries: int = 4000, brute_queries: int = 100) -> None:
    rng = np.random.default_rng(size)
    db = rng.integers(0, 256, size=(size, 32), dtype=np.uint8)
    # queries: half near neighbours of banked hashes (0..31 bits away), half random
    targets = rng.choice(size, n_queries // 2, replace=False)
    bits = np.unpackbits(db[targets], axis=1)
    for row in bits:
        row[rng.choice(256, size=int(rng.integers(0, RADIUS + 1)), replace=False)] ^= 1
    queries = np.concatenate(
        [np.packbits(bits, axis=1), rng.integers(0, 256, size=(n_queries - len(targets), 32), dtype=np.uint8)]
    )
    mih._FORCE_NUMPY = method == "mih-numpy"
    before = rss_mib()
    t0 = time.perf_counter()
    index = PDQIndex(radius=RADIUS, method="mih" if method == "mih-numpy" else method)
    index.add(db)
    index.search(queries[:1])  # tables are built by the first search at the latest
    build = time.perf_counter() - t0
    table = index._table
    if table is not None:  # the multi-index tables and hashes, exactly
        mem, sized = (table.nbytes() + index.hashes.nbytes) / size, "tables + hashes"
    else:  # faiss: the process's growth (+ the hashes, allocated before), which freed memory can blur
        mem, sized = (rss_mib() - before) * 2**20 / size + 32, "process growth"
    runs = []  # the batch three times: this shared machine's memory speed varies by a third between runs
    for _ in range(3):
        t0 = time.perf_counter()
        batch = index.search(queries)
        runs.append(n_queries / (time.perf_counter() - t0))
    qps = float(np.median(runs))
    lat = []
    for q in queries[:300]:
        t1 = time.perf_counter()
        index.search(q[None, :])
        lat.append(time.perf_counter() - t1)
    t0 = time.perf_counter()
    exact = brute_force(db, queries[:brute_queries], RADIUS)
    brute_qps = brute_queries / (time.perf_counter() - t0)
    same = sum(1 for e, b in zip(exact, batch[:brute_queries], strict=True) if e == b)
    found = sum(len(e) for e in exact)
    planted_found = sum(1 for k, t in enumerate(targets) if any(i == t for i, _d in batch[k]))
    print(
        f"matching {size:,} hashes [{method}]: build {build:.1f}s, {qps:,.0f} queries/s in batches "
        f"({os.cpu_count()} cores; median of {', '.join(f'{x:,.0f}' for x in runs)}), "
        f"one query at a time p50 {np.percentile(lat, 50) * 1e3:.2f}ms "
        f"p99 {np.percentile(lat, 99) * 1e3:.2f}ms, {mem:.0f} bytes/hash ({sized}); identical to brute force on "
        f"{same}/{brute_queries} queries ({found} matches), planted neighbours found "
        f"{planted_found}/{len(targets)}; brute force (NumPy, one core) {brute_qps:,.1f} queries/s, "
        f"speed-up {qps / brute_qps:,.0f}x"
    )
    if method == "mih":
        bench_reload(index, queries, batch, build)
    del index, db


def bench_reload(index: PDQIndex, queries: np.ndarray, expected: list, build: float) -> None:
    """Save, then load as a restarted service would: the saved tables against a rebuild."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        index.save(tmp)
        saved = time.perf_counter() - t0
        t0 = time.perf_counter()
        loaded, _info = PDQIndex.load(tmp)
        loaded.search(queries[:1])
        reload = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = loaded.search(queries)
        qps = len(queries) / (time.perf_counter() - t0)
    print(
        f"  saved in {saved:.1f}s, loaded with its tables and ready in {reload:.1f}s (build: {build:.1f}s); "
        f"{qps:,.0f} queries/s on the loaded tables (one batch), answers identical: {again == expected}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--unrelated", type=int, default=100_000)
    ap.add_argument("--hash-images", type=int, default=100)
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--faiss-sizes", default="1000000", help="sizes also measured with faiss multi-hash")
    ap.add_argument("--video-seconds", type=int, default=60)
    ap.add_argument("--skip", default="", help="comma list of robustness,hashing,video,matching")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    if "hashing" not in skip:
        bench_hashing(args.hash_images)
    if "video" not in skip:
        bench_video(args.video_seconds)
    if "robustness" not in skip:
        bench_robustness(args.images, args.unrelated)
    if "matching" not in skip:
        for size in (int(s) for s in args.sizes.split(",") if s and int(s) > 0):
            bench_matching(size, "mih")  # the compiled (Numba) kernel
            bench_matching(size, "mih-numpy")  # the same tables searched with NumPy gathers: the ratio
        for size in (int(s) for s in args.faiss_sizes.split(",") if s and int(s) > 0):  # 0: none
            bench_matching(size, "faiss")
    print("GPU: not measured (no GPU machine was lent to this task)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
