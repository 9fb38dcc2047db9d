"""``maillage demo``, as ``make run`` calls it: the logins are printed, no email leaves."""

from __future__ import annotations

from typing import Any

import pytest

from maillage.cli import main as cli_main


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_quiet_demo_prints_the_logins_and_emails_none_of_its_made_up_people(
    capsys: pytest.CaptureFixture[str], mailoutbox: Any, settings: Any
) -> None:
    from maillage.demo import DEMO_PASSWORD
    from maillage.demo.foundation import DEMO_LOGINS

    settings.SITE_URL = "http://127.0.0.1:8091"
    assert cli_main(["demo", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8091/connexion/" in printed
    for _role, email in DEMO_LOGINS:
        assert email in printed
    assert DEMO_PASSWORD in printed
    # The steps invite co-authors and propose versions: their notifications are not sent.
    assert mailoutbox == []

    assert cli_main(["demo", "--quiet"]) == 0  # a second run builds nothing, still tells
    again = capsys.readouterr().out
    assert "already loaded" in again and DEMO_LOGINS[0][1] in again
