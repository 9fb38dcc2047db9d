"""The start-up work of ``maillage serve``'s processes (core.warmup), in a process of its own:
freezing objects in the test process would keep them for the rest of the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import gc, json, sys
import maillage.asgi
frozen_on_import = gc.get_freeze_count()
views_on_import = "maillage.cowriting.views" in sys.modules
app = maillage.asgi.serving_application()
print(json.dumps({
    "frozen_on_import": frozen_on_import,
    "views_on_import": views_on_import,
    "frozen": gc.get_freeze_count(),
    "views": "maillage.cowriting.views" in sys.modules,
    "same_app": app is maillage.asgi.application,
}))
"""


def _probe() -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "maillage.test_settings"}
    done = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_serving_process_loads_every_view_and_keeps_its_start_out_of_the_collector() -> None:
    result = _probe()
    assert result["same_app"]
    # Importing the application alone changes nothing (tests import it).
    assert result["frozen_on_import"] == 0
    assert not result["views_on_import"]
    assert result["views"]
    # Django and every app: a few hundred thousand objects (measured about 290,000).
    assert result["frozen"] > 100_000
