"""Benchmark GPX import + Douglas–Peucker simplification against gpxpy's parse + simplify.

A deterministic walk of 1,000,000 points (1–4 m steps, GPS noise, elevation and time on every
point, ~98 MB) is written to a temporary file. OURS: ``maillage.analysis.gpx.import_gpx``
(parse + simplify at 10 m). PEER: ``gpxpy.parse`` then ``GPX.simplify(max_distance=10)`` (its
own Ramer–Douglas–Peucker). Each run is a child process reporting wall time, CPU time and peak
RSS (``ru_maxrss``); a peer run longer than ``--peer-timeout`` seconds is stopped and reported
as such.

    .venv/bin/python bench/gpx.py             # 1,000,000 points, 3 runs of ours, 1 of the peer
    .venv/bin/python bench/gpx.py --quick     # 100,000 points
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def write_walk(path: Path, n: int) -> None:
    """Write a GPX 1.1 walk of ``n`` points near Mulhouse (seeded)."""
    rng = np.random.default_rng(0)
    heading = np.cumsum(rng.normal(0, 0.05, n))
    step = rng.uniform(1, 4, n)
    y = np.cumsum(step * np.cos(heading)) + rng.normal(0, 2, n)
    x = np.cumsum(step * np.sin(heading)) + rng.normal(0, 2, n)
    lat = 47.75 + y / 111_195
    lon = 7.33 + x / (111_195 * np.cos(np.radians(47.75)))
    ele = 250 + np.cumsum(rng.normal(0, 0.2, n))
    times = (np.datetime64("2024-05-01T08:00:00") + np.arange(n)).astype(str)
    with path.open("w") as handle:
        handle.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="bench" '
            'xmlns="http://www.topografix.com/GPX/1/1">\n<trk><name>walk</name><trkseg>\n'
        )
        handle.writelines(
            f'<trkpt lat="{a:.7f}" lon="{b:.7f}"><ele>{e:.1f}</ele><time>{t}Z</time></trkpt>\n'
            for a, b, e, t in zip(lat, lon, ele, times, strict=True)
        )
        handle.write("</trkseg></trk>\n</gpx>\n")


def run_ours(path: str, out: mp.Queue) -> None:
    """Import and simplify with our module."""
    from maillage.analysis.gpx import import_gpx

    wall, cpu = time.perf_counter(), time.process_time()
    result = import_gpx(path, tolerance_m=10.0)
    out.put(
        {
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
            "kept": result.kept,
            "dropped": result.dropped,
            "length_km": result.length_km,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run_peer(path: str, out: mp.Queue) -> None:
    """Parse and simplify with gpxpy."""
    import gpxpy

    wall, cpu = time.perf_counter(), time.process_time()
    with open(path) as handle:
        document = gpxpy.parse(handle)
    before = document.get_track_points_no()
    document.simplify(max_distance=10)
    after = document.get_track_points_no()
    out.put(
        {
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
            "kept": after,
            "dropped": before - after,
            "length_km": document.length_2d() / 1000,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def child(target, path: str, timeout: float) -> dict | None:  # type: ignore[no-untyped-def]
    """Run ``target`` in a fresh process; return its report, or None after ``timeout``."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(path, queue))
    process.start()
    try:
        result = queue.get(timeout=timeout)
    except Exception:  # queue.Empty: the run took too long
        process.terminate()
        process.join()
        return None
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 points")
    parser.add_argument("--points", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-repeats", type=int, default=1)
    parser.add_argument("--peer-timeout", type=float, default=900.0)
    args = parser.parse_args()
    n = args.points or (100_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "walk.gpx"
        write_walk(path, n)
        size_mb = path.stat().st_size / 1e6
        ours = [child(run_ours, str(path), args.peer_timeout) for _ in range(args.repeats)]
        peer = [child(run_peer, str(path), args.peer_timeout) for _ in range(args.peer_repeats)]
    ours_ok = [r for r in ours if r]
    peer_ok = [r for r in peer if r]
    wall = statistics.median(r["wall_s"] for r in ours_ok)
    cpu = statistics.median(r["cpu_s"] for r in ours_ok)
    print(f"GPX of {n:,} points ({size_mb:.0f} MB), tolerance 10 m")
    print(
        f"ours  import+simplify  median wall {wall:.2f} s, CPU {cpu:.2f} s over {len(ours_ok)} runs;"
        f" kept {ours_ok[0]['kept']:,}, dropped {ours_ok[0]['dropped']:,},"
        f" {ours_ok[0]['length_km']:.1f} km; peak {max(r['peak_mb'] for r in ours_ok):.0f} MB"
    )
    figures = {
        "bench": "gpx",
        "points": n,
        "ours_wall_s": round(wall, 2),
        "ours_cpu_s": round(cpu, 2),
        "ours_kept": ours_ok[0]["kept"],
        "ours_dropped": ours_ok[0]["dropped"],
        "ours_peak_mb": round(max(r["peak_mb"] for r in ours_ok)),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_s": 10,
    }
    if peer_ok:
        peer_wall = statistics.median(r["wall_s"] for r in peer_ok)
        peer_cpu = statistics.median(r["cpu_s"] for r in peer_ok)
        print(
            f"peer  gpxpy parse+simplify median wall {peer_wall:.2f} s, CPU {peer_cpu:.2f} s;"
            f" kept {peer_ok[0]['kept']:,}; peak {max(r['peak_mb'] for r in peer_ok):.0f} MB"
        )
        print(f"ratio peer/ours: wall {peer_wall / wall:.1f}x, CPU {peer_cpu / cpu:.1f}x")
        figures |= {
            "peer_wall_s": round(peer_wall, 2),
            "peer_cpu_s": round(peer_cpu, 2),
            "peer_kept": peer_ok[0]["kept"],
            "peer_peak_mb": round(max(r["peak_mb"] for r in peer_ok)),
            "ratio_wall_peer_over_ours": round(peer_wall / wall, 2),
            "ratio_cpu_peer_over_ours": round(peer_cpu / cpu, 2),
        }
    else:
        print(f"peer  gpxpy did not finish within {args.peer_timeout:.0f} s")
        figures |= {"peer_wall_s": None, "peer_timeout_s": args.peer_timeout}
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
