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


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def env_colour(name: str, default: str) -> str:
    """Return the variable as a ``#rrggbb`` colour that white text on it reads at WCAG AA.

    The operator's colour fills buttons with white text and colours links on white: below 4.5:1
    either would fail the accessibility the platform promises, so start-up refuses it.
    """
    raw = os.environ.get(name, "") or default
    value = raw.strip().lower()
    if len(value) != 7 or value[0] != "#" or any(c not in "0123456789abcdef" for c in value[1:]):
        raise ConfigurationError(f"{name}={raw!r} is not a colour written #rrggbb")
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < 4.5:
        raise ConfigurationError(
            f"{name}={raw!r} has a contrast of {ratio:.2f}:1 with white, below the 4.5:1 "
            "of WCAG AA: choose a darker colour"
        )
    return value


def env_site_path(name: str) -> str:
    """Return the variable as an address on this site (``/…``), or an empty string.

    The content security policy lets pages load images from this site only.
    """
    raw = os.environ.get(name, "").strip()
    if raw and (not raw.startswith("/") or raw.startswith("//")):
        raise ConfigurationError(
            f"{name}={raw!r} must be an address on this site starting with / "
            "(e.g. /static/logo.svg): pages load images from this site only"
        )
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
        config: dict[str, Any] = dict(dj_database_url.parse(raw))
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
            options = config.setdefault("OPTIONS", {})
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


def s3_storage_options() -> dict[str, Any] | None:
    """Return the options of ``PrivateS3Storage`` from ``MAILLAGE_S3_*``, or None (local disk).

    Objects get no ACL (the bucket's private default) and every URL the store gives is signed.
    Without an access key pair, boto3 looks for credentials itself (AWS_* variables, a role).
    """
    bucket = os.environ.get("MAILLAGE_S3_BUCKET", "").strip()
    if not bucket:
        return None
    endpoint = os.environ.get("MAILLAGE_S3_ENDPOINT_URL", "").strip()
    if endpoint and (
        urlparse(endpoint).scheme not in {"http", "https"} or not urlparse(endpoint).netloc
    ):
        raise ConfigurationError(
            f"MAILLAGE_S3_ENDPOINT_URL={endpoint!r} is not an http:// or https:// address"
        )
    access_key = os.environ.get("MAILLAGE_S3_ACCESS_KEY_ID", "").strip()
    secret_key = os.environ.get("MAILLAGE_S3_SECRET_ACCESS_KEY", "").strip()
    if bool(access_key) != bool(secret_key):
        raise ConfigurationError(
            "set both MAILLAGE_S3_ACCESS_KEY_ID and MAILLAGE_S3_SECRET_ACCESS_KEY, or neither"
        )
    timeout = env_int("MAILLAGE_S3_TIMEOUT", 10)
    expire = env_int("MAILLAGE_MEDIA_URL_SECONDS", 60)
    if timeout < 1 or expire < 1:
        raise ConfigurationError(
            "MAILLAGE_S3_TIMEOUT and MAILLAGE_MEDIA_URL_SECONDS must be 1 or more"
        )
    from botocore.config import Config

    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": os.environ.get("MAILLAGE_S3_REGION", "").strip() or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "location": os.environ.get("MAILLAGE_S3_PREFIX", "").strip().strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": expire,
        # Random names never collide; refusing to overwrite costs one HEAD and rules it out.
        "file_overwrite": False,
        "client_config": Config(
            s3={
                "addressing_style": env_choice(
                    "MAILLAGE_S3_ADDRESSING_STYLE", ("auto", "path", "virtual"), "auto"
                )
            },
            signature_version="s3v4",
            # botocore waits 60 s by default: an upload would hang that long on a dead store.
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    }


FRANCECONNECT_DISCOVERY = (
    "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration"
)
PROCONNECT_DISCOVERY = "https://auth.proconnect.gouv.fr/api/v2/.well-known/openid-configuration"
# FranceConnect: the identity "pivot" (names, birth) and the address; ProConnect: the agent's
# names, address and organization (SIRET). Only the address and names are kept.
FRANCECONNECT_SCOPES = "openid identite_pivot email"
PROCONNECT_SCOPES = "openid email given_name usual_name siret uid"
GENERIC_OIDC_SCOPES = "openid email profile"


def _https_url(name: str, raw: str) -> str:
    parsed = urlparse(raw)
    local = parsed.hostname in ("localhost", "127.0.0.1", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and local) or not parsed.netloc:
        raise ConfigurationError(f"{name}={raw!r} is not an https:// discovery address")
    return raw


def _oidc_provider(prefix: str, slug: str, kind: str, name: str, discovery: str, scopes: str):
    """Return one provider's settings if ``{prefix}_CLIENT_ID`` is set, else None."""
    client_id = env_str(f"{prefix}_CLIENT_ID").strip()
    if not client_id:
        return None
    secret = env_str(f"{prefix}_CLIENT_SECRET").strip()
    if not secret:
        raise ConfigurationError(f"{prefix}_CLIENT_SECRET is required with {prefix}_CLIENT_ID")
    discovery = env_str(f"{prefix}_DISCOVERY_URL").strip() or discovery
    if not discovery:
        raise ConfigurationError(f"{prefix}_DISCOVERY_URL is required with {prefix}_CLIENT_ID")
    return {
        "slug": slug,
        "kind": kind,
        "name": env_str(f"{prefix}_NAME").strip() or name,
        "discovery_url": _https_url(f"{prefix}_DISCOVERY_URL", discovery),
        "client_id": client_id,
        "client_secret": secret,
        "scopes": env_str(f"{prefix}_SCOPES").strip() or scopes,
    }


def env_oidc_providers() -> list[dict[str, str]]:
    """Return the OpenID Connect providers configured in the environment (none by default).

    FranceConnect and ProConnect are on with their ``*_CLIENT_ID``; other providers (a city's
    Keycloak…) are named in ``OIDC_PROVIDERS`` (``ville,metropole``), each with its
    ``OIDC_<NAME>_*`` variables.
    """
    providers = [
        _oidc_provider(
            "FRANCECONNECT",
            "franceconnect",
            "franceconnect",
            "FranceConnect",
            FRANCECONNECT_DISCOVERY,
            FRANCECONNECT_SCOPES,
        ),
        _oidc_provider(
            "PROCONNECT",
            "proconnect",
            "proconnect",
            "ProConnect",
            PROCONNECT_DISCOVERY,
            PROCONNECT_SCOPES,
        ),
    ]
    for raw in env_list("OIDC_PROVIDERS", []):
        slug = raw.lower()
        if not slug.isascii() or not slug.replace("_", "").isalnum():
            raise ConfigurationError(f"OIDC_PROVIDERS: {raw!r} is not a name of letters and digits")
        if slug in ("franceconnect", "proconnect"):
            raise ConfigurationError(
                f"OIDC_PROVIDERS: {raw!r} has its own FRANCECONNECT_/PROCONNECT_ variables"
            )
        prefix = f"OIDC_{slug.upper()}"
        provider = _oidc_provider(prefix, slug, "oidc", slug.capitalize(), "", GENERIC_OIDC_SCOPES)
        if provider is None:
            raise ConfigurationError(
                f"{prefix}_CLIENT_ID is required: {raw!r} is in OIDC_PROVIDERS"
            )
        providers.append(provider)
    return [p for p in providers if p is not None]
