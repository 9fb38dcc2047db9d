"""A small Maillage cluster on loopback: the proof that several web hosts share one platform.

``Cluster`` starts, on free loopback ports: an S3-compatible server (moto's server mode) with a
private bucket, a PostgreSQL database of its own (created, then dropped), a Redis database
(a key prefix of its own), migrates once, then **two ``maillage serve`` hosts** with separate
data directories (no shared disk: uploads go to the bucket), **one ``maillage worker``** and
**HAProxy** in front (round-robin, health checks on ``/healthz``, websockets tunnelled, a
failed connection retried on the other host). ``bash scripts/cluster.sh`` starts one and prints
its addresses until Ctrl-C; the cluster tests (``core/tests/test_cluster.py``) and
``bench/cluster.py`` drive it from Python.

Django-free: it only starts processes and talks to them over the network, like an operator.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess  # noqa: S404 (our own commands, never a shell)
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POSTGRES_URL = os.environ.get(
    "MAILLAGE_CLUSTER_POSTGRES_URL",
    os.environ.get("MAILLAGE_LIVE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
)
REDIS_URL = os.environ.get(
    "MAILLAGE_CLUSTER_REDIS_URL",
    os.environ.get("MAILLAGE_LIVE_REDIS_URL", "redis://127.0.0.1:6379/14"),
)
HAPROXY = os.environ.get("MAILLAGE_HAPROXY", "/usr/sbin/haproxy")
BIN = Path(sys.executable).parent
BUCKET = "maillage-cluster"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def missing() -> str | None:
    """Return why a cluster cannot start here (a missing program or service), or None."""
    if not os.access(HAPROXY, os.X_OK):
        return f"HAProxy is not installed at {HAPROXY} (make haproxy-deps)"
    if not (BIN / "moto_server").exists():
        return "moto's server is not installed (pip install -e '.[test]')"
    return services_missing(POSTGRES_URL, REDIS_URL)


def services_missing(postgres_url: str, redis_url: str) -> str | None:
    """Return why the PostgreSQL server or Redis cannot be used, or None when both answer."""
    import psycopg
    import redis

    try:
        psycopg.connect(f"{postgres_url}/postgres", connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - any failure means the same thing here
        return f"PostgreSQL does not answer at {postgres_url} ({type(error).__name__})"
    try:
        redis.Redis.from_url(redis_url, socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        return f"Redis does not answer at {redis_url} ({type(error).__name__})"
    return None


def http_status(url: str, timeout: float = 2.0) -> int:
    """Return the status of a GET on ``url``; 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (loopback)
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return 0


def _ticks() -> float:
    return float(os.sysconf("SC_CLK_TCK"))


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) used by ``pid`` and its live descendants, from /proc.

    Children that have exited and were waited for are counted too (``cutime``/``cstime``).
    """
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            # utime, stime, cutime, cstime are fields 14-17 (1-based), 11-14 after the name.
            total += sum(int(value) for value in fields[11:15]) / _ticks()
        todo.extend(parents.get(current, []))
    return total


@dataclass
class Process:
    """One process of the cluster, in a session of its own (killed with its children)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 (our own command)
                self.command,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid) if self.alive else 0.0

    def signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, number)

    def kill(self) -> None:
        """Kill the process and its children at once (SIGKILL), as a lost machine would."""
        if self.popen is None:
            return
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive:
            return
        self.signal(signal.SIGTERM)
        assert self.popen is not None
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def wait_until(self, ready: Any, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} stopped while starting:\n{self.tail()}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not {what} within {timeout:.0f} s:\n{self.tail()}")


HAPROXY_CONFIG = """\
global
    maxconn 4096
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # Websockets: once upgraded, a connection is a tunnel left open while people write.
    timeout tunnel 1h
    timeout http-request 10s
    option forwardfor
    # A request that could not reach a host goes to the other one.
    option redispatch 1
    retries 2
    retry-on conn-failure empty-response

frontend www
    bind 127.0.0.1:{port}
    default_backend maillage

backend maillage
    balance roundrobin
    # Which host answered: the tests and the bench read it (a real deployment may drop it).
    http-response set-header X-Maillage-Host %s
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect status 200
    default-server check inter 500ms fall 2 rise 2
{servers}
"""


@dataclass
class Cluster:
    """The cluster's processes and the addresses of its parts."""

    folder: Path
    hosts: int = 2
    web_workers: int = 1
    debug: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    name: str = field(default_factory=lambda: f"maillage_cluster_{secrets.token_hex(4)}")
    processes: dict[str, Process] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    created_database: bool = False
    balancer_port: int = 0

    # -- addresses -----------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"{POSTGRES_URL}/{self.name}"

    @property
    def balancer(self) -> Process:
        return self.processes["haproxy"]

    @property
    def url(self) -> str:
        """The balancer's address: what clients use."""
        return self.balancer.origin

    def host(self, letter: str) -> Process:
        return self.processes[f"host-{letter.lower()}"]

    @property
    def web_hosts(self) -> list[Process]:
        return [p for name, p in self.processes.items() if name.startswith("host-")]

    @property
    def worker(self) -> Process:
        return self.processes["worker"]

    # -- life ----------------------------------------------------------------------------------

    def start(self) -> Cluster:
        """Start every part and return when the balancer serves through every host."""
        try:
            self._start_s3()
            self._environment()
            self._create_database()
            self._migrate()
            for index in range(self.hosts):
                self.start_host(chr(ord("a") + index))
            self._start_worker()
            for host in self.web_hosts:
                host.wait_until(
                    lambda h=host: http_status(f"{h.origin}/readyz") == 200, "become ready", 90
                )
            self._start_haproxy()
            self.wait_balanced()
        except BaseException:
            self.stop()
            raise
        return self

    def _process(
        self, name: str, command: list[str], env: dict[str, str], port: int | None
    ) -> Process:
        process = Process(name, command, env, self.folder / f"{name}.log", port)
        self.processes[name] = process
        process.start()
        return process

    def _start_s3(self) -> None:
        port = free_port()
        moto = self._process(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            {**os.environ},
            port,
        )
        moto.wait_until(lambda: http_status(f"{moto.origin}/moto-api/") == 200, "listen", 30)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=moto.origin,
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",  # noqa: S106 (moto accepts any)
        ).create_bucket(Bucket=BUCKET)

    def _environment(self) -> None:
        self.balancer_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        for variable in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "SECRET_KEY_FILE", "PORT"):
            env.pop(variable, None)
        env.update(
            DJANGO_SETTINGS_MODULE="maillage.settings",
            DATABASE_URL=self.database_url,
            REDIS_URL=REDIS_URL,
            # Every host signs sessions and URLs with the same key (an operator's secret).
            SECRET_KEY="cluster-" + secrets.token_hex(32),
            MAILLAGE_CACHE_PREFIX=self.name,
            # The public address is the balancer's (links in mails, trusted origins).
            SITE_URL=f"http://127.0.0.1:{self.balancer_port}",
            MAILLAGE_HTTPS="0",
            MAILLAGE_BEHIND_PROXY="1",
            MAILLAGE_TRUSTED_PROXIES="127.0.0.1",
            DEBUG="1" if self.debug else "0",
            MAILLAGE_S3_BUCKET=BUCKET,
            MAILLAGE_S3_ENDPOINT_URL=self.processes["s3"].origin,
            MAILLAGE_S3_REGION="us-east-1",
            MAILLAGE_S3_ACCESS_KEY_ID="cluster",
            MAILLAGE_S3_SECRET_ACCESS_KEY="cluster-secret",  # noqa: S106 (moto accepts any)
            MAILLAGE_S3_ADDRESSING_STYLE="path",
            MAILLAGE_METRICS_ALLOWED="127.0.0.1",
            # Loads from one agent: the per-person write limit is not what is measured here.
            RATE_LIMIT_WRITE="100000/m",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        self.env = env

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self.created_database = True

    def _migrate(self) -> None:
        done = subprocess.run(  # noqa: S603 (our own command)
            [str(BIN / "maillage"), "migrate"],
            env={**self.env, "MAILLAGE_DATA_DIR": str(self.folder / "migrate")},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(
                f"maillage migrate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        # Co-writing rooms are Redis channel groups named after the work id: an offset keeps
        # this cluster's rooms apart from other stacks sharing the Redis database.
        offset = secrets.randbelow(10**9) + 10**6
        self.execute(
            "SELECT setval(pg_get_serial_sequence('cowriting_sharedwork', 'id'), %s)", (offset,)
        )

    def host_env(self, letter: str) -> dict[str, str]:
        data_dir = self.folder / f"host-{letter}"
        data_dir.mkdir(exist_ok=True)
        return {**self.env, "MAILLAGE_DATA_DIR": str(data_dir)}

    def start_host(self, letter: str) -> Process:
        """Start (or start again) the web host ``letter``, on its own data directory."""
        name = f"host-{letter}"
        old = self.processes.get(name)
        port = old.port if old is not None else free_port()
        command = [str(BIN / "maillage"), "serve", "--port", str(port), "--no-migrate"]
        command += ["--workers", str(self.web_workers)]
        return self._process(name, command, self.host_env(letter), port)

    def _start_worker(self) -> None:
        data_dir = self.folder / "worker"
        data_dir.mkdir(exist_ok=True)
        self._process(
            "worker",
            # Niced, as its systemd unit is (docs/production.md): on a machine it shares with
            # a web host, a heavy analysis yields the cores to the web requests.
            [
                "nice",
                "-n",
                "10",
                str(BIN / "maillage"),
                "worker",
                "--tick",
                "2",
                "--interval",
                "0.5",
            ],
            {**self.env, "MAILLAGE_DATA_DIR": str(data_dir)},
            None,
        )

    def _start_haproxy(self) -> None:
        port = self.balancer_port
        servers = "\n".join(
            f"    server {name[-1]} 127.0.0.1:{p.port}"
            for name, p in self.processes.items()
            if name.startswith("host-")
        )
        config = self.folder / "haproxy.cfg"
        config.write_text(
            HAPROXY_CONFIG.format(port=port, socket=self.folder / "haproxy.sock", servers=servers)
        )
        check = subprocess.run(  # noqa: S603 (our own command)
            [HAPROXY, "-c", "-q", "-f", str(config)], capture_output=True, text=True
        )
        if check.returncode:
            raise RuntimeError(f"HAProxy refuses its configuration:\n{check.stdout}{check.stderr}")
        self._process("haproxy", [HAPROXY, "-db", "-f", str(config)], {**os.environ}, port)

    def balancer_stats(self) -> dict[str, dict[str, str]]:
        """Return HAProxy's counters of each host (``status``, ``wretr`` retries, ``wredis``
        redispatches, ``hrsp_5xx``…), read from its stats socket; empty before it listens."""
        data = b""
        with socket.socket(socket.AF_UNIX) as unix:
            unix.settimeout(2)
            try:
                unix.connect(str(self.folder / "haproxy.sock"))
            except OSError:
                return {}  # not listening yet
            unix.sendall(b"show stat\n")
            while chunk := unix.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        stats = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "maillage" and row.get("svname") != "FRONTEND":
                stats[row["svname"]] = row
        return stats

    def server_states(self) -> dict[str, str]:
        """Return HAProxy's view of each host: ``UP``, ``DOWN``…"""
        return {
            name: row["status"].split()[0]
            for name, row in self.balancer_stats().items()
            if name != "BACKEND"
        }

    def wait_balanced(self, timeout: float = 30) -> None:
        """Return when HAProxy sees every live host up."""
        wanted = {
            name[-1] for name, p in self.processes.items() if name.startswith("host-") and p.alive
        }
        self.balancer.wait_until(
            lambda: {k for k, v in self.server_states().items() if v == "UP"} >= wanted,
            "see every host up",
            timeout,
        )

    def stop(self) -> None:
        """Stop everything (balancer first, store last) and drop the database."""
        for name in [
            "haproxy",
            *[n for n in self.processes if n.startswith("host-")],
            "worker",
            "s3",
        ]:
            process = self.processes.get(name)
            if process is not None:
                process.stop()
        if self.created_database:
            import psycopg

            with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created_database = False
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(REDIS_URL, socket_timeout=3)
            keys = list(client.scan_iter(f"{self.name}*", count=1000))
            if keys:
                client.delete(*keys)

    # -- data ----------------------------------------------------------------------------------

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def seed(self, published: int = 0) -> dict[str, Any]:
        """Create a campaign, its people, tokens and sessions (``core.tests.cluster_seed``)."""
        command = [sys.executable, "-m", "maillage.core.tests.cluster_seed"]
        command += ["--published", str(published)]
        done = subprocess.run(  # noqa: S603 (our own command)
            command,
            env={**self.env, "MAILLAGE_DATA_DIR": str(self.folder / "migrate")},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise RuntimeError(f"seeding failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def describe(self) -> str:
        lines = [f"balancer  {self.url}/  (HAProxy stats: {self.folder / 'haproxy.sock'})"]
        lines += [f"{p.name:9} {p.origin}/" for p in self.web_hosts]
        lines += [f"worker    pid {self.worker.pid}"]
        lines += [f"s3        {self.processes['s3'].origin}/ bucket {BUCKET}"]
        lines += [f"database  {self.database_url}", f"redis     {REDIS_URL} prefix {self.name}"]
        lines += [f"logs      {self.folder}/"]
        return "\n".join(lines)


@contextlib.contextmanager
def running_cluster(**options: Any) -> Iterator[Cluster]:
    """Start a cluster in a temporary folder; stop it and remove everything on exit."""
    folder = Path(tempfile.mkdtemp(prefix="maillage-cluster-"))
    cluster = Cluster(folder, **options)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="cluster.sh", description="Start a Maillage cluster on loopback until Ctrl-C."
    )
    parser.add_argument("--hosts", type=int, default=2, help="web hosts (default 2)")
    parser.add_argument("--seed", action="store_true", help="create a campaign and its people")
    args = parser.parse_args(argv)
    reason = missing()
    if reason:
        print(f"cluster: {reason}", file=sys.stderr)
        return 1
    stop = {"now": False}

    def on_signal(number: int, frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    began = time.monotonic()
    try:
        with running_cluster(hosts=args.hosts) as cluster:
            print(f"cluster ready in {time.monotonic() - began:.1f} s", flush=True)
            print(cluster.describe(), flush=True)
            if args.seed:
                print(json.dumps(cluster.seed()), flush=True)
            print("Ctrl-C stops it.", flush=True)
            while not stop["now"]:
                for process in cluster.processes.values():
                    if not process.alive:
                        print(
                            f"cluster: {process.name} stopped:\n{process.tail()}", file=sys.stderr
                        )
                        return 1
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    print("cluster: stopped, database dropped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
