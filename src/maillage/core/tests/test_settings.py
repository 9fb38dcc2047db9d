"""Start-up configuration: loud, one-line failures and a clean deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=base,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


IMPORT_SETTINGS = "import maillage.settings"


def test_wrong_database_url_stops_startup_with_one_line_naming_the_variable() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", "DATABASE_URL": "mysqlx://nowhere/db"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]


def test_database_url_without_a_database_name_is_refused() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", "DATABASE_URL": "postgres://localhost"})
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr


def test_development_secret_key_is_refused_when_debug_is_off() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "0", "SECRET_KEY_FILE": "/nonexistent/secret"})
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr


def test_debug_must_be_a_boolean() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "maybe"})
    assert result.returncode == 1
    assert "DEBUG" in result.stderr


def test_postgres_url_configures_postgresql() -> None:
    code = "import maillage.settings as s; print(s.DATABASES['default']['ENGINE'])"
    result = _run(code, {"DEBUG": "1", "DATABASE_URL": "postgres://u@127.0.0.1:5432/maillage"})
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_postgresql_connections_come_from_a_bounded_pool_not_one_per_thread() -> None:
    code = (
        "import maillage.settings as s; d = s.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'])"
    )
    url = "postgres://u@127.0.0.1:5432/maillage"
    result = _run(code, {"DEBUG": "1", "DATABASE_URL": url, "MAILLAGE_DB_POOL_SIZE": "5"})
    assert result.stdout.split() == ["0", "5"], result.stderr
    code = (
        "import maillage.settings as s; print('pool' in s.DATABASES['default'].get('OPTIONS', {}))"
    )
    result = _run(code, {"DEBUG": "1", "DATABASE_URL": url, "MAILLAGE_DB_POOL_SIZE": "0"})
    assert result.stdout.strip() == "False", result.stderr
    result = _run(code, {"DEBUG": "1", "DATABASE_URL": url, "MAILLAGE_DB_POOL_SIZE": "many"})
    assert result.returncode == 1
    assert "MAILLAGE_DB_POOL_SIZE" in result.stderr


def test_sqlite_is_the_default_in_wal_mode() -> None:
    code = "import maillage.settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['OPTIONS']['init_command'])"
    result = _run(code, {"DEBUG": "1"})
    assert "sqlite3" in result.stdout
    assert "journal_mode=WAL" in result.stdout


def test_redis_url_switches_cache_and_channel_layer_to_redis() -> None:
    code = "import maillage.settings as s; print(s.CACHES['default']['BACKEND'], s.CHANNEL_LAYERS['default']['BACKEND'])"
    result = _run(code, {"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert "RedisCache" in result.stdout
    assert "channels_redis.pubsub.RedisPubSubChannelLayer" in result.stdout


@pytest.mark.slow
def test_deploy_check_is_clean_with_production_settings() -> None:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "q9!Zr#7Lp@2Xv$5Nb&8Mc*4Hd(1Jf)6Gs_0Kt+3Wy=",
        "ALLOWED_HOSTS": "maillage.example.org",
        "MAILLAGE_HTTPS": "1",
    }
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "MAILLAGE_HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    base.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=base,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_SITE_URL = "import maillage.settings as s; print(s.SITE_URL)"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8091"}, "http://127.0.0.1:8091"),
        ({"HOST": "0.0.0.0", "PORT": "8091"}, "http://127.0.0.1:8091"),  # noqa: S104
        ({"HOST": "::1"}, "http://[::1]:8000"),
        ({"PORT": "8091", "SITE_URL": "https://maillage.example/"}, "https://maillage.example"),
    ],
)
def test_links_in_emails_point_where_the_server_listens_unless_site_url_says_otherwise(
    env: dict[str, str], expected: str
) -> None:
    base = {"DEBUG": "1", "PORT": "", "HOST": "", "SITE_URL": ""}
    result = _run(PRINT_SITE_URL, {**base, **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MAILLAGE_CATALOG_FREQUENCY": "SOMETIMES"}, "MAILLAGE_CATALOG_FREQUENCY"),
        ({"MAILLAGE_CATALOG_START": "2024-13-01"}, "MAILLAGE_CATALOG_START"),
        ({"MAILLAGE_ACCESSIBILITY_AUDIT_DATE": "07/12/2026"}, "MAILLAGE_ACCESSIBILITY_AUDIT_DATE"),
        (
            {"MAILLAGE_CATALOG_START": "2025-01-01", "MAILLAGE_CATALOG_END": "2024-01-01"},
            "MAILLAGE_CATALOG_END",
        ),
        ({"MAILLAGE_CONTACT_EMAIL": "participation at bramont"}, "MAILLAGE_CONTACT_EMAIL"),
        ({"MAILLAGE_PUBLISHER_URI": "bramont.example"}, "MAILLAGE_PUBLISHER_URI"),
        ({"MAILLAGE_PUBLISHER_TYPE": "Municipality"}, "MAILLAGE_PUBLISHER_TYPE"),
    ],
)
def test_a_wrong_catalogue_setting_stops_startup_with_one_line_naming_it(env, named) -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", **env})
    assert result.returncode == 1
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1
    assert named in lines[0]


def test_the_frequency_error_lists_the_valid_codes() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", "MAILLAGE_CATALOG_FREQUENCY": "weekly"})
    assert "WEEKLY" in result.stderr and "UPDATE_CONT" in result.stderr


def test_catalogue_settings_are_read_from_the_environment() -> None:
    code = (
        "import maillage.settings as s; "
        "print(s.CATALOG_FREQUENCY, s.CATALOG_START, s.CATALOG_CONTACT_EMAIL, s.CATALOG_CONTACT_NAME)"
    )
    env = {
        "DEBUG": "1",
        "MAILLAGE_CATALOG_FREQUENCY": "MONTHLY",
        "MAILLAGE_CATALOG_START": "2024-03-01",
        "MAILLAGE_CONTACT_EMAIL": "participation@bramont.example",
        "MAILLAGE_PUBLISHER": "Ville de Bramont",
    }
    result = _run(code, env)
    assert result.stdout.split() == [
        "MONTHLY", "2024-03-01", "participation@bramont.example", "Ville", "de", "Bramont"
    ]  # fmt: skip


PRINT_PROVIDERS = (
    "import maillage.settings as s; "
    "print(','.join(p['slug'] + ':' + p['kind'] + ':' + p['discovery_url'] for p in s.OIDC_PROVIDERS))"
)


def test_no_sign_in_provider_is_configured_by_default() -> None:
    result = _run(PRINT_PROVIDERS, {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_franceconnect_proconnect_and_a_city_provider_at_once() -> None:
    env = {
        "DEBUG": "1",
        "FRANCECONNECT_CLIENT_ID": "fc",
        "FRANCECONNECT_CLIENT_SECRET": "fc-secret",
        "PROCONNECT_CLIENT_ID": "pc",
        "PROCONNECT_CLIENT_SECRET": "pc-secret",
        "OIDC_PROVIDERS": "ville",
        "OIDC_VILLE_CLIENT_ID": "maillage",
        "OIDC_VILLE_CLIENT_SECRET": "s",
        "OIDC_VILLE_DISCOVERY_URL": "https://sso.ville.example/realms/agents/.well-known/openid-configuration",
    }
    result = _run(PRINT_PROVIDERS, env)
    assert result.returncode == 0, result.stderr
    slugs = [item.split(":")[0] for item in result.stdout.strip().split(",")]
    assert slugs == ["franceconnect", "proconnect", "ville"]
    assert "oidc.franceconnect.gouv.fr" in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FRANCECONNECT_CLIENT_ID": "fc"}, "FRANCECONNECT_CLIENT_SECRET"),
        ({"OIDC_PROVIDERS": "ville"}, "OIDC_VILLE_CLIENT_ID"),
        (
            {
                "OIDC_PROVIDERS": "ville",
                "OIDC_VILLE_CLIENT_ID": "c",
                "OIDC_VILLE_CLIENT_SECRET": "s",
            },
            "OIDC_VILLE_DISCOVERY_URL",
        ),
        (
            {
                "OIDC_PROVIDERS": "ville",
                "OIDC_VILLE_CLIENT_ID": "c",
                "OIDC_VILLE_CLIENT_SECRET": "s",
                "OIDC_VILLE_DISCOVERY_URL": "http://sso.ville.example/.well-known/openid-configuration",
            },
            "OIDC_VILLE_DISCOVERY_URL",
        ),
        ({"OIDC_PROVIDERS": "ville/../x"}, "OIDC_PROVIDERS"),
    ],
)
def test_an_incomplete_provider_stops_startup_naming_the_variable(env, named) -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", **env})
    assert result.returncode == 1
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and named in lines[0]


def test_behind_pgbouncer_django_uses_no_named_cursor_and_psycopg_prepares_nothing() -> None:
    url = os.environ.get("PG_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PG_URL or DATABASE_URL on PostgreSQL")
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'maillage.settings';"
        "django.setup(); from django.db import connection;"
        "connection.cursor().execute('SELECT 1');"
        "print(connection.settings_dict['DISABLE_SERVER_SIDE_CURSORS'],"
        " connection.connection.prepare_threshold)"
    )
    env = {"DEBUG": "1", "DATABASE_URL": url, "MAILLAGE_PGBOUNCER": "1"}
    result = _run(code, env)
    assert result.stdout.split() == ["True", "None"], result.stderr


def test_an_unknown_log_format_stops_startup_naming_the_variable() -> None:
    result = _run("import maillage.settings", {"DEBUG": "1", "MAILLAGE_LOG_FORMAT": "xml"})
    assert result.returncode == 1
    assert "MAILLAGE_LOG_FORMAT" in result.stderr.strip().splitlines()[-1]
