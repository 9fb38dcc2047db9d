"""Start-up work of a serving process, done once before its first request.

A server process holds a few hundred thousand objects once Django and every app are imported.
Python's cyclic garbage collector walks all of them at each full collection: measured at
300 to 500 ms on the 2-core test machine (``bench/cowriting_abuse.py``), during which no thread
of the process runs, so a ``/healthz`` that takes 3 ms waited half a second. Those objects live
as long as the process: once the lazy parts of the start are done (the URL configuration and
every view it imports, the translation catalogues), they are moved out of the collector's reach
with ``gc.freeze()``, and a full collection only walks what requests and rooms allocated since.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def load_lazy_parts() -> None:
    """Import every view and load every language's catalogue, as the first requests would."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports the URL modules of every app, and their views
    resolver.reverse_dict  # noqa: B018 — builds the lookup tables of ``reverse``
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Maillage")


def prepare_for_serving() -> None:
    """Load the lazy parts, then keep the objects of the start out of the garbage collector."""
    load_lazy_parts()
    gc.collect()
    gc.freeze()
