"""Read configuration from the environment, failing loudly with one line naming the variable.

Django-free on purpose: settings.py imports it before Django is configured.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any
from urllib.parse import urlparse


def browsable_url(host: str, port: int) -> str:
    """Return the address a person opens to reach a server listening on ``host:port``.

    A wildcard address (all interfaces) is not one a browser can open: it reads as the loopback
    address. An IPv6 address gets its brackets.
    """
    host = host or "127.0.0.1"
    host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ConfigurationError(SystemExit):
    """Stop start-up with one line naming the faulty variable (Python prints it; exit code 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"maillage: configuration error: {message}")


def env_str(name: str, default: str = "") -> str:
    """Return the variable as a string, or ``default``."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; accept 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of stripped, non-empty strings."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """Return the variable if it is one of ``choices`` (the message lists them)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigurationError(f"{name}={raw!r} is not one of: {', '.join(choices)}")
    return raw


def env_date(name: str) -> date | None:
    """Return the variable as a date (ISO 8601, YYYY-MM-DD), or None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a date (use YYYY-MM-DD)") from None


def env_email(name: str, default: str = "") -> str:
    """Return the variable as an email address (one @, no spaces), or ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    local, _, domain = raw.partition("@")
    if not local or "." not in domain or "@" in domain or any(c.isspace() for c in raw):
        raise ConfigurationError(f"{name}={raw!r} is not an email address")
    return raw


def database_config(name: str, sqlite_path: str) -> dict:
    """Return Django's DATABASES['default'] from ``name`` (a URL) or an SQLite file.

    Only ``postgres://``/``postgresql://`` and ``sqlite://`` URLs are accepted, so that a typo
    stops start-up with a message naming the variable instead of a driver traceback later.
    """
    import dj_database_url

    raw = os.environ.get(name, "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    parsed = urlparse(raw)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigurationError(
            f"{name} must be a postgres:// or sqlite:// URL (got scheme {parsed.scheme!r})"
        )
    if parsed.scheme != "sqlite" and not (parsed.path or "").strip("/"):
        raise ConfigurationError(f"{name} names no database (expected postgres://host/dbname)")
    try:
        config = dict(dj_database_url.parse(raw))
    except Exception as error:  # the library raises several types for malformed URLs
        raise ConfigurationError(f"{name} is not a valid database URL: {error}") from None
    if parsed.scheme != "sqlite":
        # Under ASGI every request runs its synchronous code in a new thread, so Django's
        # persistent connections (one per thread) would pile up until PostgreSQL refuses more;
        # a process-wide psycopg pool reuses a bounded set instead (CONN_MAX_AGE must be 0).
        pool_size = env_int("MAILLAGE_DB_POOL_SIZE", 8)
        if pool_size < 0:
            raise ConfigurationError("MAILLAGE_DB_POOL_SIZE must be 0 (no pool) or more")
        config["CONN_MAX_AGE"] = 0
        if pool_size:
            options: dict[str, Any] = config.setdefault("OPTIONS", {})
            options["pool"] = {
                "min_size": min(2, pool_size),
                "max_size": pool_size,
                "timeout": env_int("MAILLAGE_DB_POOL_TIMEOUT", 10),
            }
        if env_bool("MAILLAGE_PGBOUNCER"):
            # PgBouncer in transaction pooling gives each transaction any server connection: a
            # cursor named in one transaction, or a statement prepared in one, is gone in the
            # next. Django then fetches without named cursors, and psycopg prepares nothing.
            config["DISABLE_SERVER_SIDE_CURSORS"] = True
            pg_options: dict[str, Any] = config.setdefault("OPTIONS", {})
            pg_options["prepare_threshold"] = None
    return config


def redis_url(name: str) -> str | None:
    """Return a Redis URL from ``name`` or None; reject anything that is not redis://."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if urlparse(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigurationError(f"{name} must be a redis:// URL")
    return raw


def ensure_secret_key_file(path: str) -> None:
    """Create ``path`` with a random secret key unless SECRET_KEY is set or the file exists."""
    import secrets
    from pathlib import Path

    if os.environ.get("SECRET_KEY"):
        return
    target = Path(path)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(secrets.token_urlsafe(50))
    target.chmod(0o600)
