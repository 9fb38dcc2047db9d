"""The operator's colour and logo are refused at start-up when they would break the pages:
a colour too pale for white text (WCAG AA), a logo the content security policy would block."""

from __future__ import annotations

from maillage.core.env import contrast_ratio
from maillage.core.tests.test_settings import IMPORT_SETTINGS, _run


def test_contrast_ratio_matches_the_wcag_reference_values() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#1e40af", "#ffffff"), 2) == 8.72
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48


def test_a_colour_too_pale_for_white_text_stops_startup_naming_its_contrast() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", "MAILLAGE_COLOUR": "#777777"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1
    assert "MAILLAGE_COLOUR='#777777' has a contrast of 4.48:1" in lines[0]


def test_a_colour_not_written_rrggbb_is_refused() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", "MAILLAGE_COLOUR": "navy"})
    assert result.returncode == 1
    assert "MAILLAGE_COLOUR='navy' is not a colour written #rrggbb" in result.stderr


def test_a_logo_on_another_site_is_refused_because_the_pages_would_not_load_it() -> None:
    result = _run(IMPORT_SETTINGS, {"DEBUG": "1", "MAILLAGE_LOGO_URL": "https://cdn.example/l.png"})
    assert result.returncode == 1
    assert "MAILLAGE_LOGO_URL" in result.stderr and "starting with /" in result.stderr


def test_a_dark_colour_and_a_logo_on_this_site_are_accepted() -> None:
    code = (
        IMPORT_SETTINGS + "; print(maillage.settings.SITE_COLOUR, maillage.settings.SITE_LOGO_URL)"
    )
    result = _run(code, {"DEBUG": "1", "MAILLAGE_COLOUR": "#7C2D12", "MAILLAGE_LOGO_URL": "/l.svg"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["#7c2d12", "/l.svg"]
