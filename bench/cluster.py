"""The cluster bench (issue #22): the same loads through HAProxy with one web host, then two.

For each layout (``maillage.core.cluster``: moto S3, a PostgreSQL database and Redis prefix of
its own, N ``maillage serve`` hosts of one process each, one ``maillage worker``, HAProxy), a
closed loop of ``--clients`` client threads runs for ``--duration`` seconds in two phases:

1. sync: each client posts field-sync batches of ``--batch`` records (``/api/consultations/sync``,
   bearer token) through the balancer;
2. pages: each client reads the campaign's public page through the balancer.

It prints, per layout and phase, the throughput, p50/p95, the answers per host, and the CPU
time each process used (read from /proc: the hosts, the worker, HAProxy, the PostgreSQL
backends serving this database) as seconds and as a share of one core; then the throughput
ratio two hosts / one host, and the cost of one request of each kind (web CPU, database CPU).
It then times the observatory's theme analysis of ``--published`` texts in the worker, reads
the database's size per contribution, and turns those measured costs into a capacity estimate
for the Grand Débat's peak (written out with its reasoning in docs/production.md).

The load generator runs on the same 2 cores as the servers: the two-host ratio is capped by the
machine, not by the design (a second host adds no core here). The CPU costs per request are
what the estimate uses.

Run: ``.venv/bin/python bench/cluster.py`` (``--quick`` for a short run). Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from maillage.core.cluster import Cluster, cpu_seconds, missing  # noqa: E402
from maillage.core.tests.cluster_seed import make_record  # noqa: E402

# The Grand Débat national (2019): ~250,000 contributions in its first two days, 1.93 M in all.
PEAK_CONTRIBUTIONS = 250_000
PEAK_SECONDS = 2 * 86_400
TOTAL_CONTRIBUTIONS = 1_930_000


def postgres_backends(database: str) -> list[int]:
    """Return the pids of the PostgreSQL backends connected to ``database`` (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            pids.append(int(entry.name))
    return pids


def cpu_snapshot(cluster: Cluster) -> dict[str, float]:
    snapshot = {p.name: p.cpu_seconds() for p in cluster.processes.values() if p.name != "s3"}
    snapshot["postgres"] = sum(cpu_seconds(pid) for pid in postgres_backends(cluster.name))
    times = os.times()
    snapshot["load-generator"] = times.user + times.system  # this process: the clients
    return snapshot


def load(
    cluster: Cluster, seeded: dict[str, Any], kind: str, clients: int, seconds: float, batch: int
) -> dict[str, Any]:
    """Run ``clients`` closed-loop clients of ``kind`` for ``seconds``; return what they saw."""
    latencies: list[float] = []
    hosts: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    records = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    page = f"{cluster.url}/concertations/{seeded['campaign']}/"
    headers = {"Authorization": f"Bearer {seeded['agent_token']}"}

    def client() -> None:
        session = requests.Session()
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            try:
                if kind == "sync":
                    body = [make_record(seeded["campaign"], seeded["site"]) for _ in range(batch)]
                    answer = session.post(
                        f"{cluster.url}/api/consultations/sync",
                        json={"records": body},
                        headers=headers,
                        timeout=30,
                    )
                else:
                    answer = session.get(page, timeout=30)
            except requests.RequestException as error:
                with lock:
                    errors[type(error).__name__] += 1
                continue
            elapsed = time.perf_counter() - began
            with lock:
                if answer.status_code != 200:
                    errors[str(answer.status_code)] += 1
                    continue
                latencies.append(elapsed)
                hosts[answer.headers.get("X-Maillage-Host", "?")] += 1
                if kind == "sync":
                    records[0] += sum(r["status"] == 201 for r in answer.json()["results"])

    before = cpu_snapshot(cluster)
    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    after = cpu_snapshot(cluster)
    cpu = {name: round(after[name] - before.get(name, 0.0), 2) for name in after}
    web_cpu = sum(v for k, v in cpu.items() if k.startswith("host-"))
    count = len(latencies)
    ordered = sorted(latencies)
    return {
        "kind": kind,
        "requests": count,
        "records": records[0],
        "per_second": round(count / wall, 1),
        "records_per_second": round(records[0] / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(statistics.quantiles(ordered, n=20)[-1] * 1000, 1) if count > 1 else None,
        "errors": dict(errors),
        "hosts": dict(hosts),
        "wall_s": round(wall, 1),
        "cpu_s": cpu,
        "core_share": {name: round(value / wall, 2) for name, value in cpu.items()},
        "web_cpu_ms_per_request": round(1000 * web_cpu / count, 2) if count else None,
        "db_cpu_ms_per_request": round(1000 * cpu["postgres"] / count, 2) if count else None,
    }


def analysis_cost(cluster: Cluster, seeded: dict[str, Any], texts: int) -> dict[str, Any]:
    """Time the theme analysis of the campaign's published texts, run by the worker."""
    before = cluster.worker.cpu_seconds()
    began = time.monotonic()
    asked = requests.post(
        f"{cluster.url}/api/observatory/campaigns/{seeded['campaign']}",
        json={"n_themes": None},
        headers={"Authorization": f"Bearer {seeded['facilitator_token']}"},
        timeout=30,
    )
    asked.raise_for_status()
    run = asked.json()["id"]
    status = "queued"
    while time.monotonic() - began < 900:
        status = str(
            cluster.execute("SELECT status FROM observatory_analysisrun WHERE id = %s", (run,))[0][
                0
            ]
        )
        if status in ("done", "failed"):
            break
        time.sleep(0.5)
    return {
        "texts": texts,
        "status": status,
        "wall_s": round(time.monotonic() - began, 1),
        "worker_cpu_s": round(cluster.worker.cpu_seconds() - before, 1),
    }


def database_bytes_per_contribution(cluster: Cluster) -> float:
    (size, rows), *_ = cluster.execute(
        "SELECT pg_total_relation_size('consultations_contribution'), count(*)"
        " FROM consultations_contribution"
    )
    return float(size) / max(1, int(rows))


def estimate(results: dict[str, Any]) -> dict[str, Any]:
    """Turn the measured per-request costs into hosts, workers and a database size."""
    sync, pages = results["two_hosts"]["sync"], results["two_hosts"]["pages"]
    per_record_web = sync["web_cpu_ms_per_request"] / results["batch"]
    per_record_db = sync["db_cpu_ms_per_request"] / results["batch"]
    average = PEAK_CONTRIBUTIONS / PEAK_SECONDS
    # Assumptions, stated in docs/production.md: the busiest hour carries 10 times the
    # average rate; each contribution comes with 20 page views (reading, then writing); half
    # of the contributions come one by one from the site's form, which costs about one page
    # request each (so a record costs the more expensive of a page and a sync record).
    peak = 10 * average
    pages_per_second = 20 * peak
    per_contribution_web = max(per_record_web, pages["web_cpu_ms_per_request"])
    web_cores = (
        pages_per_second * pages["web_cpu_ms_per_request"] + peak * per_contribution_web
    ) / 1000
    db_cores = (pages_per_second * pages["db_cpu_ms_per_request"] + peak * per_record_db) / 1000
    # Hosts of 4 cores kept at half load (room for a lost host and for bursts), at least two.
    hosts = max(2, math.ceil(web_cores / (4 * 0.5)))
    analysis = results["analysis"]
    seconds_per_text = analysis["worker_cpu_s"] / max(1, analysis["texts"])
    full_analysis_hours = seconds_per_text * TOTAL_CONTRIBUTIONS / 3600
    database_gb = results["bytes_per_contribution"] * TOTAL_CONTRIBUTIONS / 1e9
    return {
        "peak_contributions_per_s": round(peak, 1),
        "peak_pages_per_s": round(pages_per_second, 1),
        "web_cores": round(web_cores, 2),
        "database_cores": round(db_cores, 2),
        "web_hosts_4_cores": hosts,
        "analysis_hours_1_93M_if_linear": round(full_analysis_hours, 1),
        "workers": 2,
        "contributions_table_gb_1_93M": round(database_gb, 2),
    }


def run_layout(
    hosts: int, args: argparse.Namespace, folder: Path, analyse: bool
) -> tuple[dict[str, Any], Any]:
    cluster = Cluster(folder / f"hosts-{hosts}", hosts=hosts)
    cluster.folder.mkdir(parents=True)
    try:
        cluster.start()
        seeded = cluster.seed(published=args.published if analyse else 0)
        # Warm both hosts (first requests pay one-time costs) before measuring.
        load(cluster, seeded, "pages", 2, 2, args.batch)
        result = {
            "sync": load(cluster, seeded, "sync", args.clients, args.duration, args.batch),
            "pages": load(cluster, seeded, "pages", args.clients, args.duration, args.batch),
        }
        extra: dict[str, Any] = {}
        if analyse:
            extra["bytes_per_contribution"] = database_bytes_per_contribution(cluster)
            extra["analysis"] = analysis_cost(cluster, seeded, args.published)
        return result, extra
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--published", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="10 s phases, 2,000 texts")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.published = 10.0, 2000
    reason = missing()
    if reason:
        print(f"bench cluster: {reason}", file=sys.stderr)
        return 1
    results: dict[str, Any] = {"batch": args.batch, "clients": args.clients}
    with tempfile.TemporaryDirectory(prefix="maillage-bench-cluster-") as tmp:
        for hosts, key in ((1, "one_host"), (2, "two_hosts")):
            print(f"== {hosts} web host(s)", flush=True)
            layout, extra = run_layout(hosts, args, Path(tmp), analyse=hosts == 2)
            results[key] = layout
            results.update(extra)
            for phase in layout.values():
                print(json.dumps(phase), flush=True)
    results["ratio"] = {
        kind: round(
            results["two_hosts"][kind]["per_second"] / results["one_host"][kind]["per_second"], 2
        )
        for kind in ("sync", "pages")
    }
    results["estimate"] = estimate(results)
    print(f"throughput two hosts / one host: {results['ratio']}")
    print(f"analysis: {results['analysis']}")
    print(
        f"bytes per stored contribution (table and indexes): {results['bytes_per_contribution']:.0f}"
    )
    print(f"estimate for the Grand Débat's peak: {results['estimate']}")
    print(json.dumps({"bench": "cluster", **results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
