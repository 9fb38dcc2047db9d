"""Status badges: every status has its own style, distinct from the other statuses of its kind,
readable (4.5:1), and the badge always carries the status's words."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pytest
from django.db import models

from maillage.consultations.models import Campaign, Contribution, Response
from maillage.core.env import contrast_ratio
from maillage.opinions.models import Statement
from maillage.workshops.models import Registration

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"
KINDS: dict[str, type[models.Choices]] = {
    "campaign": Campaign.Status,
    "contribution": Contribution.Status,
    "response": Response.Status,
    "registration": Registration.Status,
    "statement": Statement.Moderation,
}


def _badge_styles() -> dict[str, dict[str, str]]:
    """Return each status's resolved colour, background and border style from site.css; the
    plain badge's style under ""."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    tokens = dict(re.findall(r"--([\w-]+):\s*([^;]+);", css.split("}", 1)[0]))
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)

    def declarations(body: str) -> dict[str, str]:
        pairs = (d.split(":", 1) for d in body.split(";") if ":" in d)
        return {
            k.strip(): re.sub(r"var\(--([\w-]+)\)", lambda m: tokens[m[1]].strip(), v.strip())
            for k, v in pairs
        }

    base = {"color": "", "background": "", "border-style": "solid"}
    styles: dict[str, dict[str, str]] = {}
    for selectors, body in rules:
        for selector in selectors.split(","):
            selector = selector.strip()
            if selector == ".status-pill":
                base.update({k: v for k, v in declarations(body).items() if k in base})
            elif match := re.fullmatch(r"\.status-pill\.status-([\w-]+)", selector):
                styles.setdefault(match[1], {}).update(declarations(body))
    return {"": base} | {status: {**base, **style} for status, style in styles.items()}


def _name(kind: str, value: object) -> str:
    # A statement's moderation is a number; its badge is named by the choice (see moderation_name).
    return KINDS[kind](value).name.lower() if kind == "statement" else str(value)


@pytest.mark.parametrize("kind", KINDS)
def test_each_status_has_its_own_badge_style_within_its_kind(kind: str) -> None:
    styles = _badge_styles()
    names = [_name(kind, value) for value in KINDS[kind].values]
    # At most one status of a kind may keep the plain badge: the others differ from it.
    resolved = {n: tuple(sorted(styles.get(n, styles[""]).items())) for n in names}
    for first, second in combinations(names, 2):
        assert resolved[first] != resolved[second], f"{first} and {second} look the same"


def test_every_badge_text_reaches_four_and_a_half_to_one_on_its_background() -> None:
    def long_form(colour: str) -> str:
        return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour

    for status, style in _badge_styles().items():
        ratio = contrast_ratio(long_form(style["color"]), long_form(style["background"]))
        assert ratio >= 4.5, f"{status}: {ratio:.2f}:1"
