"""Two writers in two real browsers on a real server: typing at once, one offline, converging.

The server is a ``maillage serve`` process on PostgreSQL and Redis (see ``live.py``); each
browser runs the shipped editor (CodeMirror + Yjs + y-websocket + y-indexeddb). The editors'
states are compared, not the page text, which also holds the other writer's cursor label.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from maillage.core.tests.browser import chromium
from maillage.cowriting.tests.live import LiveServer, LiveStack, services_missing

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDITOR_TEXT = "window.maillageCowriting.view.state.doc.toString()"
CONNECTED = "window.maillageCowriting && window.maillageCowriting.provider.wsconnected"
SYNCED = "window.maillageCowriting && window.maillageCowriting.provider.synced"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveStack, LiveServer, Any]]:
    missing = services_missing()
    if missing:
        pytest.fail(f"{missing}: start them with `make services`", pytrace=False)
    stack = LiveStack(tmp_path_factory.mktemp("editor"))
    stack.create()
    server = stack.serve()
    try:
        stack.migrate()
        server.wait_ready()
        yield stack, server, stack.seed(2, works=1)
    finally:
        stack.drop()


def _writer(browser: Any, server: LiveServer, cookie: str, work_id: int) -> tuple[Any, Any]:
    name, value = cookie.split("=", 1)
    context = browser.new_context(bypass_csp=True, locale="fr-FR")
    context.add_cookies([{"name": name, "value": value, "url": server.origin}])
    page = context.new_page()
    page.goto(f"{server.origin}/co-ecriture/{work_id}/")
    page.wait_for_function(SYNCED, timeout=20_000)
    page.click(".cm-content")
    return context, page


def _same_text(first: Any, second: Any, length: int) -> None:
    first.wait_for_function(f"{EDITOR_TEXT}.length === {length}", timeout=20_000)
    second.wait_for_function(f"{EDITOR_TEXT}.length === {length}", timeout=20_000)
    assert first.evaluate(EDITOR_TEXT) == second.evaluate(EDITOR_TEXT)


def test_two_browsers_type_at_once_and_one_types_offline_then_both_editors_hold_the_same_text(
    live: tuple[LiveStack, LiveServer, Any],
) -> None:
    stack, server, seed = live
    work_id = seed["works"][0]
    alice_cookie, bob_cookie = (writer["cookie"] for writer in seed["writers"])
    with chromium() as browser:
        alice_context, alice = _writer(browser, server, alice_cookie, work_id)
        bob_context, bob = _writer(browser, server, bob_cookie, work_id)

        # Keystrokes interleaved, each sent before the other's arrives.
        for lower, upper in zip("abcdefghij", "ABCDEFGHIJ", strict=True):
            alice.keyboard.type(lower)
            bob.keyboard.type(upper)
        _same_text(alice, bob, 20)
        assert sorted(alice.evaluate(EDITOR_TEXT)) == sorted("abcdefghijABCDEFGHIJ")

        # Bob loses the network, keeps typing; Alice types meanwhile; Bob comes back.
        # Chromium's offline emulation blocks new requests but leaves an open websocket alone,
        # so the provider is also dropped, as a lost network drops it.
        bob_context.set_offline(True)
        bob.evaluate("window.maillageCowriting.provider.disconnect()")
        bob.wait_for_function(f"!({CONNECTED})")
        bob.keyboard.press("End")
        bob.keyboard.type(" hors ligne")
        alice.keyboard.press("Home")
        alice.keyboard.type("En ligne ")
        alice.wait_for_timeout(500)
        assert "hors ligne" not in alice.evaluate(EDITOR_TEXT)
        bob_context.set_offline(False)
        bob.evaluate("window.maillageCowriting.provider.connect()")
        bob.wait_for_function(SYNCED, timeout=20_000)
        _same_text(alice, bob, 20 + len(" hors ligne") + len("En ligne "))
        final = alice.evaluate(EDITOR_TEXT)
        assert "hors ligne" in final and "En ligne " in final

        # What the server stored rebuilds the same text on its own.
        alice_context.close()
        bob_context.close()
        assert stack.stored_text(work_id) == final


def test_the_editor_is_a_prose_editor_that_continues_numbered_lists(
    live: tuple[LiveStack, LiveServer, Any],
) -> None:
    _stack, server, seed = live
    with chromium() as browser:
        context, page = _writer(browser, server, seed["writers"][0]["cookie"], seed["works"][0])
        assert page.locator(".cm-gutters, .cm-lineNumbers").count() == 0
        font = page.eval_on_selector(".cm-content", "e => getComputedStyle(e).fontFamily")
        assert "mono" not in font.lower()
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.type("1. bancs")
        page.keyboard.press("Enter")
        page.keyboard.type("ombre")
        page.keyboard.press("Enter")
        page.keyboard.type("fontaines")
        assert page.evaluate(EDITOR_TEXT).endswith("\n1. bancs\n2. ombre\n3. fontaines")
        context.close()
