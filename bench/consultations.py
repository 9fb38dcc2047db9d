"""Field consultations at scale: 1,000,000 contributions in PostgreSQL, a real server under load.

The bench creates a PostgreSQL database (``maillage_bench``), loads the demo territory with the
consultations capability only, and adds ``--rows`` contributions (the demo's French wishes
resampled: opening, feeling, moment, request, extra; twelve sites; anonymous profiles; closed
answers; dates over the campaign's three months) to the answered demo campaign with COPY. Then,
against ``maillage serve --workers 2`` on loopback, driven by locust in headless mode:

1. pages: 50 users (think time 0.5-1.5 s) read the campaign page, its filtered and later pages,
   and the public contribution API; p95 per page, target < 150 ms; plus the SQL queries of each
   page, counted in a child process on the 1,000,000-row campaign and on a 60-row one, on an
   empty cache and for the next visitor. The server sends Server-Timing headers, so each name
   also gets the server's own time (and its SQL time) beside the client's latency;
2. sync ingest: the 8 demo field agents, each with an API token, post batches of 50 records at
   independent Poisson paces (1.5 batches/s each on average, 600 contributions/s offered) for
   ``--duration`` seconds;
   target >= 500 contributions/s sustained, p95 < 200 ms;
3. open data: ``maillage export consultation_contributions --format csv`` in a child process,
   wall time and ``ru_maxrss`` (os.wait4), target < 60 s and < 250 MB; then the same download
   over HTTP from the server, with the worker processes' peak RSS read from /proc.

The peers are published anchors, not runs: a Decidim proposals page took 7.4 s with 900
proposals (decidim/decidim#13701); Decidim's open-data export took 907 s before a rewrite; the
2019 Grand Débat received ~250,000 contributions in its first two days (1.45 per second).

Run: ``.venv/bin/python bench/consultations.py`` (``--rows 100000 --duration 20`` for a short
run, ``--reuse`` to keep an already filled database, ``--keep`` not to drop it at the end).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PG = "postgres://postgres@127.0.0.1:5432"
CAMPAIGN = "espaces-publics-2025"  # the demo's answered campaign: it receives the rows
OPEN_CAMPAIGN = "berges-et-friche-2026"  # the demo's open campaign: it receives the syncs
AGENTS = 8
BATCH = 50
PEER = {
    "decidim_proposals_page_s": 7.4,  # 900 proposals, decidim/decidim#13701
    "decidim_open_data_export_s": 907.0,  # before the rewrite
    "grand_debat_contributions_per_s": 250_000 / (2 * 86_400),  # first two days
}
TARGETS = {"page_p95_ms": 150, "ingest_per_s": 500, "ingest_p95_ms": 200, "export_s": 60}
TARGETS["export_rss_mb"] = 250


def bench_env(db: str, data_dir: str) -> dict[str, str]:
    """Return the environment of every child: the bench database, Redis db 13, production mode."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        REDIS_URL="redis://127.0.0.1:6379/13",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106
        DEBUG="0",
        MAILLAGE_HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        MAILLAGE_DATA_DIR=data_dir,
        # The bench measures this capability alone, whatever else the tree holds.
        MAILLAGE_CAPABILITIES="consultations",
        # Server-Timing headers let the bench split the server's time from the client's.
        MAILLAGE_SERVER_TIMING="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def child(task: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    """Run ``task`` of this script in a child process with Django; return its last JSON line."""
    out = subprocess.run(
        [str(VENV_BIN / "python"), __file__, "--child", task, *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(f"child {task} failed ({out.returncode})")
    for line in out.stdout.splitlines():
        if not line.startswith("{"):
            print(line)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Children: each runs with DJANGO_SETTINGS_MODULE on the bench database.


def _django() -> None:
    from maillage.core.cli import _setup_django

    _setup_django()


def child_generate(rows: int, seed: int) -> dict[str, Any]:
    """COPY ``rows`` contributions into the answered demo campaign; return timings."""
    import datetime as dt
    import hashlib
    import uuid

    from django.db import connection

    from maillage.consultations.models import Campaign, Contribution
    from maillage.demo import consultations as demo
    from maillage.people.models import Person

    campaign = Campaign.objects.get(slug=CAMPAIGN)
    sites = list(campaign.sites.values_list("pk", "name"))
    agents = list(
        Person.objects.filter(email__startswith="agent").values_list("pk", flat=True)[:AGENTS]
    )
    rng = random.Random(seed)  # noqa: S311 — synthetic data
    start = dt.datetime(2025, 4, 1, 7, tzinfo=dt.UTC)
    span = 90 * 24 * 3600
    table = Contribution._meta.db_table
    columns = (
        "client_uuid, campaign_id, site_id, text, answers, photo, age_band, relation, "
        "consent_publication, source, agent_id, contact_email, status, hidden_reason, "
        "payload_hash, captured_at, created_at"
    )
    ages = ["", *demo.AGE_BANDS]
    relations = ["", *demo.RELATIONS]
    now = dt.datetime.now(dt.UTC)
    began = time.perf_counter()
    raw = connection.cursor().connection  # psycopg 3 connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for _ in range(rows):
            site_id, site_name = rng.choice(sites)
            text, _key = demo._text(rng, site_name)
            consent = rng.random() < 0.88
            draw = rng.random()
            if not consent:
                status, reason = "private", ""
            elif draw < 0.93:
                status, reason = "published", ""
            elif draw < 0.99:
                status, reason = "pending", ""
            else:
                status, reason = "hidden", "off_topic"
            source = rng.choices(("field", "online", "paper"), weights=(80, 15, 5))[0]
            copy.write_row(
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    campaign.pk,
                    site_id,
                    text,
                    json.dumps(demo._answers(rng), ensure_ascii=False),
                    "",
                    rng.choice(ages),
                    rng.choice(relations),
                    consent,
                    source,
                    rng.choice(agents) if source != "online" else None,
                    "",
                    status,
                    reason,
                    hashlib.sha256(text.encode()).hexdigest(),
                    start + dt.timedelta(seconds=rng.randrange(span)),
                    now,
                )
            )
    raw.commit()
    copied = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
    return {"rows": rows, "copy_s": copied, "total_s": time.perf_counter() - began}


def child_prepare() -> dict[str, Any]:
    """Create one API token per field agent; return them with the open campaign's sites."""
    from maillage.consultations.models import Campaign
    from maillage.people.models import Person
    from maillage.people.services import api_token_create

    campaign = Campaign.objects.get(slug=OPEN_CAMPAIGN)
    # The small campaign's list must hold rows too, for its query count to compare.
    campaign.contributions.filter(consent_publication=True, status="pending").update(
        status="published"
    )
    tokens = []
    for person in Person.objects.filter(email__startswith="agent").order_by("email")[:AGENTS]:
        _token, key = api_token_create(person=person, actor=person, name="bench")
        tokens.append(key)
    big = Campaign.objects.get(slug=CAMPAIGN)
    from maillage.demo.consultations import ASKS, SHORT

    return {
        "texts": [ask for _key, ask in ASKS] + SHORT,
        "tokens": tokens,
        "open_sites": list(campaign.sites.values_list("pk", flat=True)),
        "big_sites": list(big.sites.values_list("pk", flat=True)),
        "published": big.contributions.filter(status="published").count(),
    }


def page_paths(slug: str, site: int) -> dict[str, str]:
    """Return the page and API reads measured, by name."""
    base = f"/concertations/{slug}/"
    api = f"/api/consultations/campaigns/{slug}/contributions"
    return {
        "campaign page": base,
        "campaign page, page 7": base + "?page=7",
        "campaign page, site + age filter": base + f"?site={site}&age_band=30_44",
        "campaign page, closed answer filter": base + "?answer_moment=Le+soir&page=2",
        "contribution API, limit 50": api + "?limit=50",
        "contribution API, offset 500": api + "?limit=50&offset=500",
    }


def child_queries(site_big: int, site_small: int) -> dict[str, Any]:
    """Count the SQL queries and time each page once, on the 1M campaign and on a small one."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from maillage.consultations.models import Campaign

    client = Client()
    result: dict[str, Any] = {}
    for slug, site in ((CAMPAIGN, site_big), (OPEN_CAMPAIGN, site_small)):
        rows = Campaign.objects.get(slug=slug).contributions.count()
        per_page = {}
        for name, path in page_paths(slug, site).items():
            # Cold: an empty cache (counts and rendered parts computed); warm: the next visitor.
            cache.clear()
            with CaptureQueriesContext(connection) as cold:
                began = time.perf_counter()
                response = client.get(path)
                cold_ms = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, (path, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - began
            per_page[name] = {
                "queries": len(queries),
                "ms": elapsed * 1000,
                "cold_queries": len(cold),
                "cold_ms": cold_ms,
            }
        result[slug] = {"rows": rows, "pages": per_page}
    return result


def child_explain() -> dict[str, Any]:
    """Return the plans of the list's heavy queries (for the profile section)."""
    from django.db import connection

    from maillage.consultations import selectors

    campaign = selectors.campaign_get(CAMPAIGN)
    qs = selectors.contribution_public_list(campaign)
    plans = {}
    with connection.cursor() as cursor:
        for name, query in (
            ("page 1", qs[:20]),
            ("count", qs.values("pk")),
        ):
            sql, params = query.query.sql_with_params()
            if name == "count":
                sql = f"SELECT COUNT(*) FROM ({sql}) AS q"  # noqa: S608 — Django's own SQL
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans[name] = [row[0] for row in cursor.fetchall()]
    return plans


LOCUSTFILE = """
import json, os, random, time, uuid, datetime as dt
from locust import FastHttpUser, task, between

from locust import events

CONFIG = json.loads(os.environ["BENCH_CONFIG"])
PATHS = CONFIG["paths"]
TIMINGS = []  # (name, client ms, server entries) of every answered request


@events.request.add_listener
def server_timing(name, response_time, response=None, exception=None, **kwargs):
    header = response.headers.get("server-timing") if response is not None else None
    if header and exception is None:
        entries = {}
        for entry in header.split(","):
            key, _, rest = entry.strip().partition(";dur=")
            entries[key] = float(rest.split(";")[0]) if rest else 0.0
        TIMINGS.append((name, response_time, entries, time.time() - response_time / 1000))


@events.quitting.add_listener
def dump_timings(environment, **kwargs):
    with open(CONFIG["timings_file"], "w") as handle:
        json.dump(TIMINGS, handle)


class Reader(FastHttpUser):
    wait_time = between(0.5, 1.5)
    weight = 1 if CONFIG["mode"] == "pages" else 0

    @task(4)
    def campaign(self):
        self.client.get(PATHS["campaign page"], name="campaign page")

    @task(2)
    def later_page(self):
        page = random.randint(2, 50)
        self.client.get(PATHS["campaign page"] + f"?page={page}", name="campaign page ?page=2..50")

    @task(2)
    def filtered(self):
        site = random.choice(CONFIG["big_sites"])
        band = random.choice(["18_29", "30_44", "45_59", "60_74"])
        self.client.get(
            PATHS["campaign page"] + f"?site={site}&age_band={band}",
            name="campaign page ?site&age_band",
        )

    @task(2)
    def api(self):
        offset = random.choice([0, 50, 100, 500, 1000])
        self.client.get(
            PATHS["contribution API, limit 50"] + f"&offset={offset}",
            name="contribution API ?limit=50&offset",
        )


class Agent(FastHttpUser):
    weight = 1 if CONFIG["mode"] == "ingest" else 0

    started = 0

    def on_start(self):
        # One agent, one token: each simulated user is one of the field agents.
        self.token = CONFIG["tokens"][Agent.started % len(CONFIG["tokens"])]
        Agent.started += 1
        self.words = CONFIG["texts"]
        # Each agent's phone syncs on its own: a Poisson process of batches_per_s_per_agent,
        # paced from the previous send (not from the answer), so the rate offered does not
        # depend on the server's speed. Locust's constant_throughput starts every agent at the
        # same instant and keeps them in step: all 8 batches would land within 10 ms, every
        # 0.67 s, a burst no real team of agents produces.
        self.rate = CONFIG.get("batches_per_s_per_agent", 1.5)
        self.next_send = time.monotonic() + random.expovariate(self.rate)

    def wait_time(self):
        wait = max(0.0, self.next_send - time.monotonic())
        self.next_send += random.expovariate(self.rate)
        return wait

    @task
    def sync(self):
        now = dt.datetime.now(dt.timezone.utc)
        records = [
            {
                "uuid": str(uuid.uuid4()),
                "campaign": CONFIG["open_campaign"],
                "site": random.choice(CONFIG["open_sites"]),
                "text": random.choice(self.words),
                "answers": {"bien": random.randint(1, 5), "moment": "Le soir"},
                "age_band": random.choice(["", "18_29", "30_44", "60_74"]),
                "relation": random.choice(["", "lives", "passes_by"]),
                "consent": random.random() < 0.9,
                "captured_at": (now - dt.timedelta(minutes=random.randint(0, 600))).isoformat(),
            }
            for _ in range(CONFIG["batch"])
        ]
        with self.client.post(
            "/api/consultations/sync",
            data=json.dumps({"records": records}),
            headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"},
            name="sync batch of 50",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif response.json()["created"] != CONFIG["batch"]:
                response.failure("not every record was created: " + response.text[:200])
            else:
                response.success()
"""


def run_locust(
    workdir: Path, host: str, config: dict[str, Any], users: int, rate: int, seconds: int
) -> dict[str, dict[str, float]]:
    """Run locust headless; return per-request-name stats from its CSV."""
    locustfile = workdir / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    prefix = workdir / f"locust_{config['mode']}"
    timings_file = workdir / f"server_timing_{config['mode']}.json"
    config = {**config, "timings_file": str(timings_file)}
    env = dict(os.environ, BENCH_CONFIG=json.dumps(config))
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(locustfile),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        f"{seconds}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    subprocess.run(command, env=env, check=False, capture_output=True, timeout=seconds + 120)
    stats = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "rps": float(row["Requests/s"]),
            }
    add_server_timing(stats, timings_file)
    return stats


def print_server_timing(stats: dict[str, dict[str, float]]) -> None:
    """Print, per request name, the server's share of the latency and the rest."""
    print("  server side (Server-Timing, median / p95) vs the rest (client latency minus app):")
    for name, row in stats.items():
        if "server_app_median_ms" not in row:
            continue
        print(
            f"    {name:36} app {row['server_app_median_ms']:4.0f} / "
            f"{row['server_app_p95_ms']:4.0f} ms (wait {row['server_wait_median_ms']:4.0f} / "
            f"{row['server_wait_p95_ms']:4.0f}, django {row['server_django_median_ms']:4.0f} / "
            f"{row['server_django_p95_ms']:4.0f}, SQL {row['server_db_median_ms']:4.0f} / "
            f"{row['server_db_p95_ms']:4.0f}); outside {row['outside_median_ms']:4.0f} / "
            f"{row['outside_p95_ms']:4.0f} ms"
        )


def add_server_timing(stats: dict[str, dict[str, float]], timings_file: Path) -> None:
    """Add the server's own times (Server-Timing) to each request name's client-side stats.

    ``app`` is the time in the server's application (from uvicorn's hand-over to the response
    headers), ``db`` the time inside SQL, and ``outside`` the client's latency minus ``app``:
    the socket, uvicorn's parsing, and the load generator's own delays.
    """
    if not timings_file.exists():
        return
    import statistics

    by_name: dict[str, list[tuple[float, dict[str, float]]]] = {}
    for name, client_ms, entries, _sent_at in json.loads(timings_file.read_text()):
        by_name.setdefault(name, []).append((client_ms, entries))
        by_name.setdefault("Aggregated", []).append((client_ms, entries))
    for name, rows in by_name.items():
        if name not in stats or len(rows) < 20:
            continue
        for key in ("app", "wait", "django", "db"):
            values = [entries.get(key, 0.0) for _client, entries in rows]
            cuts = statistics.quantiles(values, n=100)
            stats[name][f"server_{key}_median_ms"] = statistics.median(values)
            stats[name][f"server_{key}_p95_ms"] = cuts[94]
        outside = [client - entries.get("app", 0.0) for client, entries in rows]
        stats[name]["outside_median_ms"] = statistics.median(outside)
        stats[name]["outside_p95_ms"] = statistics.quantiles(outside, n=100)[94]


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "maillage"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-migrate",
        ],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            # A static answer: the readiness probe must not wait on the database.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/concertations/sw.js", timeout=5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped: see {log}") from None
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"the server did not answer within 300 s: see {log}")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def process_tree(pid: int) -> list[int]:
    """Return ``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def rss_mb(pid: int) -> tuple[float, float]:
    """Return (VmRSS, VmHWM) of ``pid`` in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    return rss / 1024, hwm / 1024


# ---------------------------------------------------------------------------------------------
# Export


def export_cli(env: dict[str, str], out: Path) -> dict[str, float]:
    """Run ``maillage export`` in a child; return its wall time, peak RSS and output size."""
    began = time.perf_counter()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "maillage"),
            "export",
            "consultation_contributions",
            "--format",
            "csv",
            "-o",
            str(out),
            "--quiet",
        ],
        env=env,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("maillage export failed")
    with out.open("rb") as handle:
        lines = sum(chunk.count(b"\r\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return {
        "seconds": elapsed,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "mb": out.stat().st_size / 1e6,
        "rows": lines - 1,
    }


def export_http(port: int, server: subprocess.Popen) -> dict[str, float]:
    """Download the CSV from the server; sample the workers' RSS while it streams."""
    import threading

    workers = [p for p in process_tree(server.pid) if p != server.pid]
    before = {p: rss_mb(p)[0] for p in workers}
    peak = dict(before)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for p in workers:
                with contextlib.suppress(OSError, AttributeError):
                    peak[p] = max(peak[p], rss_mb(p)[0])
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    first_byte = None
    size = 0
    url = f"http://127.0.0.1:{port}/open-data/consultation_contributions.csv"
    with urllib.request.urlopen(url, timeout=600) as response:
        while chunk := response.read(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - began
            size += len(chunk)
    elapsed = time.perf_counter() - began
    done.set()
    sampler.join()
    grown = {p: peak[p] - before[p] for p in workers}
    busiest = max(grown, key=grown.get)
    return {
        "seconds": elapsed,
        "first_byte_s": first_byte or elapsed,
        "mb": size / 1e6,
        "worker_rss_before_mb": before[busiest],
        "worker_peak_rss_mb": peak[busiest],
    }


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=60, help="seconds of each load phase")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep a filled bench database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--db", default="maillage_bench")
    parser.add_argument("--seed", type=int, default=20260314)
    parser.add_argument("--skip-http-export", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        _django()
        task, *rest = args.child
        if task == "generate":
            result = child_generate(int(rest[0]), int(rest[1]))
        elif task == "prepare":
            result = child_prepare()
        elif task == "queries":
            result = child_queries(int(rest[0]), int(rest[1]))
        else:
            result = child_explain()
        print(json.dumps(result, default=str))
        return 0

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db):
        print(f"bad database name {args.db!r}", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="maillage-bench-"))
    env = bench_env(args.db, str(workdir / "data"))
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")

    # The name was checked against [a-z_][a-z0-9_]* above.
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'") == "1"  # noqa: S608
    generation: dict[str, Any] = {"reused": False}
    filled = False
    if exists and args.reuse:
        count = psql("SELECT count(*) FROM consultations_contribution", args.db)
        filled = int(count or 0) >= args.rows
    if filled:
        generation["reused"] = True
        print(f"reusing {args.db}: {count} contributions")
    else:
        psql(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
        psql(f"CREATE DATABASE {args.db}")
        began = time.perf_counter()
        subprocess.run([str(VENV_BIN / "maillage"), "demo", "--quiet"], env=env, check=True)
        generation["demo_s"] = time.perf_counter() - began
        print(f"demo territory loaded in {generation['demo_s']:.1f} s")
        generation.update(child("generate", env, str(args.rows), str(args.seed)))
        print(
            f"{args.rows:,} contributions copied in {generation['copy_s']:.1f} s "
            f"({args.rows / generation['copy_s']:,.0f} rows/s), with VACUUM ANALYZE "
            f"{generation['total_s']:.1f} s"
        )
    # DEBUG=0 serves hashed static files: the pages need the manifest before the first request.
    subprocess.run(
        [str(VENV_BIN / "maillage"), "manage", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
    )
    prepared = child("prepare", env)
    print(f"published contributions in {CAMPAIGN}: {prepared['published']:,}")

    queries = child("queries", env, str(prepared["big_sites"][0]), str(prepared["open_sites"][0]))
    print(
        "SQL queries and time per page, 1M-row campaign vs small campaign, on an empty cache "
        "(cold) and for the next visitor (warm):"
    )
    for name, big in queries[CAMPAIGN]["pages"].items():
        small = queries[OPEN_CAMPAIGN]["pages"][name]
        print(
            f"  {name:36} cold {big['cold_queries']:2d} vs {small['cold_queries']:2d} queries, "
            f"{big['cold_ms']:6.1f} vs {small['cold_ms']:5.1f} ms; warm {big['queries']:2d} vs "
            f"{small['queries']:2d}, {big['ms']:5.1f} vs {small['ms']:5.1f} ms"
        )
    queries_flat = all(
        queries[CAMPAIGN]["pages"][n][key] <= queries[OPEN_CAMPAIGN]["pages"][n][key]
        for n in queries[CAMPAIGN]["pages"]
        for key in ("queries", "cold_queries")
    )

    port = free_port()
    server = start_server(env, port, workdir / "server.log")
    host = f"http://127.0.0.1:{port}"
    base_config = {
        "paths": page_paths(CAMPAIGN, prepared["big_sites"][0]),
        "big_sites": prepared["big_sites"],
        "open_sites": prepared["open_sites"],
        "tokens": prepared["tokens"],
        "open_campaign": OPEN_CAMPAIGN,
        "batch": BATCH,
        "texts": prepared["texts"],
    }
    try:
        print(f"pages: {args.users} users for {args.duration} s ...", flush=True)
        load_pages = os.getloadavg()
        pages = run_locust(
            workdir, host, {**base_config, "mode": "pages"}, args.users, 10, args.duration
        )
        load_pages_end = os.getloadavg()
        for name, row in pages.items():
            print(
                f"  {name:38} n={row['requests']:6d} fail={row['failures']:3d} "
                f"median {row['median_ms']:6.0f} ms  p95 {row['p95_ms']:6.0f} ms  "
                f"p99 {row['p99_ms']:6.0f} ms  {row['rps']:6.1f} req/s"
            )
        print_server_timing(pages)
        print(f"  load average during: {load_pages_end[0]:.2f} (before {load_pages[0]:.2f})")

        print(f"ingest: {AGENTS} agents x 1.5 batches/s of {BATCH} for {args.duration} s ...")
        before_rows = int(psql("SELECT count(*) FROM consultations_contribution", args.db))
        ingest = run_locust(
            workdir, host, {**base_config, "mode": "ingest"}, AGENTS, AGENTS, args.duration
        )
        after_rows = int(psql("SELECT count(*) FROM consultations_contribution", args.db))
        load_ingest = os.getloadavg()
        sync = ingest["sync batch of 50"]
        rows_per_s = (after_rows - before_rows) / args.duration
        print(
            f"  {sync['requests']} batches, {sync['failures']} failed, "
            f"median {sync['median_ms']:.0f} ms, p95 {sync['p95_ms']:.0f} ms, "
            f"p99 {sync['p99_ms']:.0f} ms; {after_rows - before_rows:,} rows in the database "
            f"= {rows_per_s:,.0f} contributions/s; load average {load_ingest[0]:.2f}"
        )
        print_server_timing({"sync batch of 50": sync})

        print("open data: maillage export consultation_contributions --format csv ...")
        export = export_cli(env, workdir / "contributions.csv")
        print(
            f"  {export['rows']:,} rows, {export['mb']:.0f} MB in {export['seconds']:.1f} s, "
            f"peak RSS {export['peak_rss_mb']:.0f} MB"
        )
        http = None
        if not args.skip_http_export:
            print("open data over HTTP: GET /open-data/consultation_contributions.csv ...")
            http = export_http(port, server)
            print(
                f"  {http['mb']:.0f} MB in {http['seconds']:.1f} s (first byte after "
                f"{http['first_byte_s']:.1f} s); worker RSS {http['worker_rss_before_mb']:.0f} "
                f"-> peak {http['worker_peak_rss_mb']:.0f} MB"
            )
    finally:
        stop_server(server)
        (workdir / "contributions.csv").unlink(missing_ok=True)
        # Keep the server log and locust's CSVs; drop the collected static files.
        shutil.rmtree(workdir / "data", ignore_errors=True)
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
            print(f"database {args.db} dropped")

    page_names = [n for n in pages if n != "Aggregated"]
    worst_p95 = max(pages[n]["p95_ms"] for n in page_names)
    load_after = os.getloadavg()
    result = {
        "bench": "consultations",
        "rows": args.rows,
        "published_rows": prepared["published"],
        "db_pool_size": env.get("MAILLAGE_DB_POOL_SIZE", "8 (default)"),
        "load_average": {
            "before": load_before[0],
            "pages": load_pages_end[0],
            "ingest": load_ingest[0],
            "after": load_after[0],
        },
        "ours": {
            "page_p95_ms": {n: pages[n]["p95_ms"] for n in page_names},
            "page_worst_p95_ms": worst_p95,
            "page_failures": sum(pages[n]["failures"] for n in page_names),
            "page_rps": pages.get("Aggregated", {}).get("rps"),
            "queries_per_page_1m": {n: v["queries"] for n, v in queries[CAMPAIGN]["pages"].items()},
            "cold_queries_per_page_1m": {
                n: v["cold_queries"] for n, v in queries[CAMPAIGN]["pages"].items()
            },
            "queries_per_page_small": {
                n: v["queries"] for n, v in queries[OPEN_CAMPAIGN]["pages"].items()
            },
            "queries_do_not_grow": queries_flat,
            "ingest_per_s": rows_per_s,
            "ingest_p95_ms": sync["p95_ms"],
            "ingest_failures": sync["failures"],
            "export_cli_s": export["seconds"],
            "export_http_s": http["seconds"] if http else None,
            "export_rows": export["rows"],
        },
        "peer": PEER,
        "ratio": {
            "page_p95_peer_over_ours": PEER["decidim_proposals_page_s"] * 1000 / worst_p95,
            "export_peer_over_ours": PEER["decidim_open_data_export_s"] / export["seconds"],
            "ingest_ours_over_grand_debat": rows_per_s / PEER["grand_debat_contributions_per_s"],
        },
        "peak_memory_mb": {
            "export_cli_ru_maxrss": export["peak_rss_mb"],
            "export_http_worker_peak_rss": http["worker_peak_rss_mb"] if http else None,
        },
        "targets": TARGETS,
        "meets": {
            "pages": worst_p95 < TARGETS["page_p95_ms"] and queries_flat,
            "ingest": rows_per_s >= TARGETS["ingest_per_s"]
            and sync["p95_ms"] < TARGETS["ingest_p95_ms"],
            "export": export["seconds"] < TARGETS["export_s"]
            and export["peak_rss_mb"] < TARGETS["export_rss_mb"],
        },
        "generation": generation,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
