"""Settings for the test suite: the real settings, with test-only environment defaults.

Environment variables still win, so `make test` runs the same file on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("MAILLAGE_HTTPS", "0")
# Tests never need the network: no background tiles unless a test sets MAP_TILE_URL itself.
os.environ.setdefault("MAP_TILE_URL", "")
os.environ.setdefault("MAILLAGE_DATA_DIR", tempfile.mkdtemp(prefix="maillage-test-"))

from maillage.settings import *  # noqa: E402, F403

# Concurrency tests run threads: SQLite's shared in-memory test database answers "table is
# locked" at once instead of waiting (busy_timeout does not apply to shared-cache locks), so
# the SQLite test database is a file (WAL, IMMEDIATE transactions as in production).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(os.environ["MAILLAGE_DATA_DIR"], "test.sqlite3")
    }
