"""The pooling nightly job end to end on PostgreSQL: read, index, score, store the suggestions.

``bench/matching.py`` times the matching engine on arrays in memory; this bench times what the
scheduler actually runs, ``maillage.pooling.jobs.recompute``: read every active offer and need
from PostgreSQL, build the index, score every need, and replace the stored suggestions in one
transaction. It creates a database (``maillage_bench_pooling``), migrates it and fills it with
COPY: 2,000 territories, 5,000 organizations, ``--size`` offers and ``--size`` needs drawn by
``bench/matching.py``'s generator (texts, dates, places), 20,000 past exchanges.

Side by side, on the same rows, the store step is done twice:

* OURS: the service's store, ``suggestion_store`` (COPY on PostgreSQL, in one transaction);
* PEER: what a Django developer would write first, ``Suggestion.objects.bulk_create`` of model
  instances in batches of 2,000 (the previous implementation of this service).

Each run is a child process; its wall time, CPU time and peak RSS (``ru_maxrss``) are reported.

    .venv/bin/python bench/pooling_nightly.py               # 100,000 offers x 100,000 needs
    .venv/bin/python bench/pooling_nightly.py --quick       # 10,000 x 10,000

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

PG = "postgres://postgres@127.0.0.1:5432"
DB = "maillage_bench_pooling"
TERRITORIES, ORGANIZATIONS, EXCHANGES = 2_000, 5_000, 20_000
CATEGORIES = ("skills", "equipment", "spaces", "methods")
TARGET_S = 300


def _env(data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{DB}",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106
        DEBUG="0",
        MAILLAGE_DATA_DIR=data_dir,
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    return env


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: Any) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def child_fill(size: int) -> dict[str, Any]:
    """Migrate and COPY the synthetic region into the bench database."""
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from matching import make_exchanges, make_listings, region_places

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    lat, lon, org_territory, _ = region_places(ORGANIZATIONS, TERRITORIES)
    now = dt.datetime.now(dt.UTC)
    epoch = dt.date(1970, 1, 1)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        _copy(
            raw,
            "territories_territory",
            ("id", "name", "slug", "kind", "path", "depth", "official_code", "description")
            + ("centroid_lat", "centroid_lon", "created_at"),
            (
                (t + 1, f"Commune {t}", f"commune-{t}", "commune", f"/{t + 1}/", 0, "", "")
                + (float(lat[t]), float(lon[t]), now)
                for t in range(TERRITORIES)
            ),
        )
        _copy(
            raw,
            "organizations_organization",
            ("id", "name", "slug", "kind", "mission", "description", "is_mission_company")
            + ("website", "created_at"),
            (
                (o + 1, f"Organisation {o}", f"organisation-{o}", "association", "", "", False)
                + ("", now)
                for o in range(ORGANIZATIONS)
            ),
        )
        columns = ("organization_id", "category", "title", "description", "available_from")
        columns += ("available_until", "conditions", "territory_id", "is_active")
        columns += ("created_at", "updated_at")
        for table, seed in (("pooling_offer", 1), ("pooling_need", 2)):
            listings = make_listings(size, seed, ORGANIZATIONS, TERRITORIES)
            category = np.random.default_rng(seed + 100).integers(0, len(CATEGORIES), size)
            _copy(
                raw,
                table,
                columns,
                (
                    (int(org) + 1, CATEGORIES[category[i]], text[:80], text)
                    + (epoch + dt.timedelta(days=int(listings.start_day[i])),)
                    + (epoch + dt.timedelta(days=int(listings.end_day[i])), "free")
                    + (int(org_territory[org]) + 1, True, now, now)
                    for i, (org, text) in enumerate(
                        zip(listings.organizations, listings.texts, strict=True)
                    )
                ),
            )
        _copy(
            raw,
            "pooling_exchange",
            ("giver_id", "receiver_id", "what", "happened_on", "giver_feedback")
            + ("receiver_feedback", "created_at"),
            (
                (g + 1, r + 1, "échange", dt.date(2025, 3, 1), "", "", now)
                for g, r in make_exchanges(EXCHANGES, ORGANIZATIONS)
                if g != r
            ),
        )
        cursor.execute("ANALYZE")
    return {"fill_s": time.perf_counter() - start}


def child_nightly() -> dict[str, Any]:
    """Run the nightly job as the scheduler does; time it and its phases."""
    from maillage.pooling import jobs
    from maillage.pooling.models import Suggestion

    done: list[int] = []
    wall, cpu = time.perf_counter(), time.process_time()
    stored = jobs.recompute(progress=lambda n, total: done.append(n))
    return {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "stored": stored,
        "rows_in_db": Suggestion.objects.count(),
        "peak_mb": _peak_mb(),
    }


def child_store(side: str) -> dict[str, Any]:
    """Store the current suggestions again, our way or the bulk_create way; time the store."""
    from django.db import connection, transaction
    from django.utils import timezone

    from maillage.pooling.models import Suggestion
    from maillage.pooling.services import suggestion_store

    with connection.cursor() as cursor:
        cursor.execute("SELECT need_id, offer_id, rank, score FROM pooling_suggestion")
        rows = np.array(cursor.fetchall(), dtype=np.float64)
    need, offer, rank, score = (rows[:, i] for i in range(4))
    before = _peak_mb()
    now = timezone.now()
    wall, cpu = time.perf_counter(), time.process_time()
    if side == "ours":
        stored = suggestion_store(
            need.astype(np.int64), offer.astype(np.int64), rank.astype(np.int64), score, now
        )
    else:
        instances = [
            Suggestion(
                need_id=int(n), offer_id=int(o), rank=int(r), score=float(s), computed_at=now
            )
            for n, o, r, s in zip(need, offer, rank, score, strict=True)
        ]
        with transaction.atomic():
            Suggestion.objects.all().delete()
            Suggestion.objects.bulk_create(instances, batch_size=2000)
        stored = len(instances)
    return {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "stored": stored,
        "peak_mb": _peak_mb(),
        "peak_before_mb": before,
    }


def run_child(task: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", task, *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"the {task} step failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="offers, and as many needs")
    parser.add_argument("--quick", action="store_true", help="10,000 offers x 10,000 needs")
    parser.add_argument("--repeats", type=int, default=1, help="runs of the nightly job")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.size = 10_000
    if args.child:
        from maillage.core.cli import _setup_django

        _setup_django()
        result: dict[str, Any]
        if args.child == "fill":
            result = child_fill(args.size)
        elif args.child == "nightly":
            result = child_nightly()
        else:
            result = child_store(args.child)
        print(json.dumps(result))
        return 0
    import tempfile

    with tempfile.TemporaryDirectory() as data_dir:
        env = _env(data_dir)
        _psql(f"DROP DATABASE IF EXISTS {DB}")
        _psql(f"CREATE DATABASE {DB}")
        try:
            fill = run_child("fill", env, "--size", str(args.size))
            print(f"filled {args.size:,} offers and {args.size:,} needs in {fill['fill_s']:.1f} s")
            runs = [run_child("nightly", env) for _ in range(args.repeats)]
            nightly = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
            print(
                f"ours  nightly job   {nightly['wall_s']:.1f} s wall (median of {len(runs)}), "
                f"{nightly['cpu_s']:.1f} s CPU, {nightly['stored']:,} suggestions stored, "
                f"peak {nightly['peak_mb']:.0f} MB; target < {TARGET_S} s"
            )
            ours = run_child("ours", env)
            peer = run_child("peer", env)
            ratio = peer["wall_s"] / max(ours["wall_s"], 1e-9)
            for name, side in (("ours  store (COPY)", ours), ("peer  bulk_create ", peer)):
                print(
                    f"{name}  {side['wall_s']:.1f} s wall, {side['cpu_s']:.1f} s CPU, "
                    f"{side['stored']:,} rows, peak {side['peak_mb']:.0f} MB "
                    f"({side['peak_mb'] - side['peak_before_mb']:+.0f} MB while storing)"
                )
            print(f"store ratio peer/ours: {ratio:.1f}x; load average {os.getloadavg()[0]:.1f}")
        finally:
            if not args.keep:
                _psql(f"DROP DATABASE IF EXISTS {DB}")
    summary = {
        "bench": "pooling_nightly",
        "size": args.size,
        "fill_s": fill["fill_s"],
        "nightly": nightly,
        "store_ours": ours,
        "store_peer": peer,
        "store_ratio": ratio,
        "target_s": TARGET_S,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
