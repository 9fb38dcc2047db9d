"""Top-level platform commands of ``maillage``: serve, worker, migrate, export, jobs, manage.

The demo (``maillage.demo.cli``) and the apps (``commands`` in their AppConfig) add theirs.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def setup_django() -> None:
    """Set Django up for a command that needs the database (creating the data folder and key)."""
    import django

    from maillage.core.env import ensure_secret_key_file

    data_dir = os.environ.get("MAILLAGE_DATA_DIR") or str(
        Path(__file__).resolve().parents[3] / "var"
    )
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    ensure_secret_key_file(os.environ.get("SECRET_KEY_FILE") or str(Path(data_dir) / "secret_key"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    django.setup()


def migrate(verbosity: int = 0) -> None:
    """Apply the migrations and create the cache table."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=0)


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    migrate(verbosity=1)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from maillage.core.env import browsable_url

    # An app whose AppConfig names code that does not exist stops the start, loudly.
    try:
        call_command("check", tags=["capabilities"], stdout=io.StringIO())
    except SystemCheckError as error:
        print(f"maillage serve: {error}", file=sys.stderr)
        return 2
    if not args.no_migrate:
        migrate()
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    port = args.port or settings.PORT
    schedule = settings.MAILLAGE_JOBS and not args.no_jobs
    if schedule:
        from maillage.core.queue import start_scheduler

        # The web process only enqueues the periodic jobs; a worker runs them.
        start_scheduler()
    worker = None
    if embedded_worker_wanted() and not args.no_worker:
        worker = EmbeddedWorker(schedule=schedule)
    _prepare_metrics_dir(args.workers, settings.DATA_DIR)
    print(f"Maillage: {browsable_url(args.host, port)}/", flush=True)
    try:
        _run_uvicorn(args, port)
    finally:
        if worker is not None:
            worker.stop()
    return 0


def embedded_worker_wanted() -> bool:
    """Whether ``maillage serve`` starts a worker: on SQLite, or when asked."""
    from django.conf import settings
    from django.db import connection

    return connection.vendor == "sqlite" or settings.MAILLAGE_EMBEDDED_WORKER


class EmbeddedWorker:
    """One ``maillage worker`` process beside the server: restarted if it stops on an error
    (a database that went away), stopped with the server (even killed: it watches its parent).
    """

    RESTART_SECONDS = 5.0

    def __init__(self, *, schedule: bool = True) -> None:
        import threading

        self.command = [sys.executable, "-m", "maillage.cli", "worker"]
        self.command += ["--exit-with", str(os.getpid())]
        if not schedule:
            self.command.append("--no-schedule")
        self.stopping = threading.Event()
        self.process = self._start()
        threading.Thread(target=self._supervise, name="maillage-worker-watch", daemon=True).start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(self.command)  # noqa: S603 — our own command, no shell

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            code = self.process.wait()
            if self.stopping.wait(self.RESTART_SECONDS):
                return
            print(
                f"maillage serve: the worker stopped (exit {code}); restarting it", file=sys.stderr
            )
            self.process = self._start()

    def stop(self) -> None:
        self.stopping.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    import signal
    import socket
    import threading
    import time

    from django.conf import settings
    from django.core.management import call_command

    from maillage.core.queue import start_scheduler

    if settings.MAILLAGE_JOBS and not args.no_schedule and not args.batch:
        start_scheduler(args.tick)
    if args.exit_with:
        parent = args.exit_with

        def watch() -> None:
            # The embedded worker of `maillage serve` stops with it, even after a SIGKILL.
            while os.getppid() == parent:
                time.sleep(1.0)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, name="maillage-parent-watch", daemon=True).start()
    worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}"
    print(f"maillage worker {worker_id}: running the queue", flush=True)
    # db_worker stops on SIGINT/SIGTERM after the task it is running (a second signal: at once).
    call_command(
        "db_worker",
        queue_name="*",
        interval=args.interval,
        batch=args.batch,
        reload=False,
        startup_delay=not args.batch,
        max_tasks=args.max_tasks,
        worker_id=worker_id,
        verbosity=0 if args.quiet else 1,
    )
    return 0


def _run_uvicorn(args: argparse.Namespace, port: int) -> None:
    import uvicorn
    from django.conf import settings

    uvicorn.run(
        "maillage.asgi:serving_application",
        factory=True,
        host=args.host,
        port=port,
        workers=args.workers,
        log_level="info",
        proxy_headers=bool(settings.SECURE_PROXY_SSL_HEADER),
        # The same proxies as core.ratelimit.client_ip trusts (uvicorn's default: 127.0.0.1).
        forwarded_allow_ips=settings.MAILLAGE_TRUSTED_PROXIES or None,
        ws_max_size=1024 * 1024,
        # Yjs frames are small and binary: compressing each one, for every connection of a
        # fan-out, costs more CPU than it saves bytes (y-websocket's own server, on the ws
        # package, does not compress either).
        ws_per_message_deflate=False,
        # Django's ASGI handler has no start-up or shut-down hooks: don't ask for them (uvicorn
        # would print that the protocol "appears unsupported" at every start).
        lifespan="off",
        # uvicorn's own lines (access log, start-up) go through Django's handler, in plain text
        # or JSON lines, without the client's address or the query string (settings.LOGGING).
        log_config=None,
    )


def _prepare_metrics_dir(workers: int, data_dir: Path) -> None:
    """Give several workers one fresh folder for their Prometheus numbers (multiprocess mode).

    Set before the workers start, so that each of them imports prometheus_client in that mode;
    emptied, because numbers left by a previous run would be added to this one's.
    """
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(Path(data_dir) / "prometheus")
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def cmd_export(args: argparse.Namespace) -> int:
    setup_django()
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from maillage.core.exports import stream
    from maillage.core.opendata import UnknownDataset, get_dataset

    try:
        dataset = get_dataset(args.dataset, args.format)
    except UnknownDataset as error:
        print(f"maillage export: {error}", file=sys.stderr)
        return 2
    if args.output in (None, "-"):
        for chunk in stream(dataset, args.format):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return 0
    columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    with (
        open(args.output, "w", encoding="utf-8", newline="") as out,
        Progress(*columns, transient=False, disable=args.quiet) as progress,
    ):
        task = progress.add_task(f"{dataset.name} → {args.output}", total=None)
        written = 0
        for chunk in stream(dataset, args.format):
            out.write(chunk)
            written += len(chunk)
            progress.update(
                task, description=f"{dataset.name} → {args.output} ({written / 1e6:.1f} MB)"
            )
    return 0


def cmd_jobs_list(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from maillage.core.jobs import is_due, jobs, last_run

    now = timezone.now()
    for job_ in jobs():
        previous = last_run(job_.name)
        when = previous.isoformat(timespec="seconds") if previous else "never"
        due = "due" if is_due(job_, now) else "not due"
        print(f"{job_.name:<24} every {job_.every}  last run: {when}  ({due})  {job_.description}")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    setup_django()
    from rich.progress import Progress

    from maillage.core.jobs import UnknownJob, get_job, jobs, run_job
    from maillage.core.queue import run_periodic, schedule_due

    try:
        selected = [get_job(name) for name in args.names] if args.names else jobs()
    except UnknownJob as error:
        print(f"maillage jobs: {error}", file=sys.stderr)
        return 2
    if args.due:
        # Through the queue: each period is enqueued once, whoever else asks at the same time.
        wanted = {j.name for j in selected}
        enqueued = [name for name in schedule_due() if name in wanted or not args.names]
        for name in enqueued:
            print(f"{name}: enqueued")
        if not enqueued:
            print("no job is due")
        return 0
    if args.enqueue:
        for job_ in selected:
            print(f"{job_.name}: enqueued (task {run_periodic.enqueue(job_.name).id})")
        return 0
    failed = 0
    with Progress(transient=True, disable=args.quiet) as bar:
        for job_ in selected:
            task = bar.add_task(job_.name, total=None)
            result = run_job(
                job_,
                progress=functools.partial(_show_progress, bar, task),
            )
            bar.remove_task(task)
            failed += result.status == "failed"
            detail = f": {result.error}" if result.error else ""
            print(
                f"{result.name}: {result.status}, {result.count} item(s), {result.seconds:.1f} s{detail}"
            )
    return 1 if failed else 0


def cmd_jobs_status(args: argparse.Namespace) -> int:
    setup_django()
    from maillage.core.queue import error_line, failed_tasks, queue_counts, queue_lag_seconds

    counts = queue_counts()
    print(
        "queue: {ready} ready, {scheduled} waiting for their time, {running} running, "
        "{failed} failed, {retried} retried, {succeeded} succeeded".format(**counts)
    )
    print(f"oldest ready task waits for {queue_lag_seconds():.1f} s")
    for row in failed_tasks()[: args.limit]:
        finished = row.finished_at.isoformat(timespec="seconds") if row.finished_at else "?"
        print(f"failed {row.pk} {row.task_name} at {finished}: {error_line(row)}")
    return 0


def cmd_jobs_retry(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django_tasks_db.models import DBTaskResult

    from maillage.core.queue import failed_tasks, task_retry

    ids = list(failed_tasks().values_list("pk", flat=True)) if args.all else args.ids
    if not ids:
        print(
            "maillage jobs retry: give task ids (see `maillage jobs status`) or --all",
            file=sys.stderr,
        )
        return 2
    for task_id in ids:
        try:
            row = task_retry(actor=None, task_id=task_id)
        except (DBTaskResult.DoesNotExist, ValidationError):
            print(f"maillage jobs retry: no task {task_id}", file=sys.stderr)
            return 2
        except ValueError as error:
            print(f"maillage jobs retry: {error}", file=sys.stderr)
            return 2
        print(f"{task_id}: enqueued again as {row.pk}")
    return 0


def _show_progress(bar: Any, task: Any, done: int, total: int | None) -> None:
    """Move ``task``'s bar to ``done`` of ``total`` (a job's progress callback)."""
    bar.update(task, completed=done, total=total)


def _run_command(prog: str, name: str, *arguments: str) -> int:
    """Run a management command; its refusal is one line naming the reason, exit code 1."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(name, *arguments)
    except CommandError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    setup_django()
    return _run_command("maillage backup", "backup", args.file, *(["--quiet"] * args.quiet))


def cmd_restore(args: argparse.Namespace) -> int:
    setup_django()
    options = ["--force"] * args.force + ["--quiet"] * args.quiet
    return _run_command("maillage restore", "restore", args.file, *options)


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["maillage manage", *args.rest])
    return 0


def register(subparsers: Any) -> None:
    """Add the platform commands at the top level of ``maillage``."""
    serve = subparsers.add_parser(
        "serve", help="migrate and serve the platform (HTTP + websockets)"
    )
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    serve.add_argument("--no-migrate", action="store_true")
    serve.add_argument(
        "--no-jobs", action="store_true", help="do not enqueue the periodic jobs from here"
    )
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a worker process (started on SQLite or MAILLAGE_EMBEDDED_WORKER=1)",
    )
    serve.set_defaults(func=cmd_serve)

    worker = subparsers.add_parser(
        "worker", help="run the task queue: analyses and periodic jobs (several may run)"
    )
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
    )
    worker.add_argument("--tick", type=float, default=60.0, help="seconds between scheduler ticks")
    worker.add_argument("--batch", action="store_true", help="run the ready tasks, then exit")
    worker.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
    worker.add_argument(
        "--no-schedule", action="store_true", help="do not enqueue the periodic jobs from here"
    )
    worker.add_argument("--exit-with", type=int, default=None, help=argparse.SUPPRESS)
    worker.add_argument("--quiet", action="store_true")
    worker.set_defaults(func=cmd_worker)

    migrate_parser = subparsers.add_parser("migrate", help="apply database migrations")
    migrate_parser.set_defaults(func=cmd_migrate)

    export = subparsers.add_parser("export", help="export an open-data dataset, streamed")
    export.add_argument("dataset")
    export.add_argument("--format", default="csv", help="csv, json or geojson")
    export.add_argument("--output", "-o", default=None, help="file (default: standard output)")
    export.add_argument("--quiet", action="store_true")
    export.set_defaults(func=cmd_export)

    jobs = subparsers.add_parser("jobs", help="periodic jobs: reminders, closings, recomputations")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    jobs_list = jobs_commands.add_parser("list", help="list the jobs and when they last ran")
    jobs_list.set_defaults(func=cmd_jobs_list)
    jobs_run = jobs_commands.add_parser(
        "run", help="run jobs now here (all, or those named); --enqueue / --due: via the queue"
    )
    jobs_run.add_argument("names", nargs="*", metavar="NAME")
    jobs_run.add_argument(
        "--due", action="store_true", help="enqueue those whose period has not been enqueued"
    )
    jobs_run.add_argument("--enqueue", action="store_true", help="hand them to the workers")
    jobs_run.add_argument("--quiet", action="store_true")
    jobs_run.set_defaults(func=cmd_jobs_run)
    jobs_status = jobs_commands.add_parser(
        "status", help="the task queue: counts, lag, and the failed tasks with their error"
    )
    jobs_status.add_argument("--limit", type=int, default=20, help="failed tasks listed")
    jobs_status.set_defaults(func=cmd_jobs_status)
    jobs_retry = jobs_commands.add_parser("retry", help="enqueue failed tasks again")
    jobs_retry.add_argument("ids", nargs="*", metavar="TASK_ID")
    jobs_retry.add_argument("--all", action="store_true", help="every failed task")
    jobs_retry.set_defaults(func=cmd_jobs_retry)

    backup = subparsers.add_parser(
        "backup", help="write a backup archive: database, media files, secret key, manifest"
    )
    backup.add_argument("file", metavar="FILE", help="the archive to write (.tar.gz)")
    backup.add_argument("--quiet", action="store_true")
    backup.set_defaults(func=cmd_backup)

    restore = subparsers.add_parser(
        "restore", help="rebuild an empty install from a backup archive"
    )
    restore.add_argument("file", metavar="FILE", help="an archive written by `maillage backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace the data of a non-empty install"
    )
    restore.add_argument("--quiet", action="store_true")
    restore.set_defaults(func=cmd_restore)

    manage = subparsers.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
