"""Settings for the test suite: the real settings, with test-only environment defaults.

Environment variables still win, so `make test` runs the same file on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("MAILLAGE_HTTPS", "0")
os.environ.setdefault("MAILLAGE_DATA_DIR", tempfile.mkdtemp(prefix="maillage-test-"))

from maillage.settings import *  # noqa: E402, F403
