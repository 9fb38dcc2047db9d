"""The participation loop counter: contribution → response → decision → action → consultation."""

from __future__ import annotations

import pytest

from maillage.analysis.graph import LoopEvent, participation_loops


def site_history() -> list[LoopEvent]:
    """Return one full loop on the square, one stopped at the decision, one on another site."""
    return [
        LoopEvent("c1", "contribution", "square", "summer", "2024-05-01"),
        LoopEvent("c2", "contribution", "square", "summer", "2024-05-02"),
        LoopEvent("c3", "contribution", "park", "summer", "2024-05-03"),
        LoopEvent("r1", "response", "square", "summer", "2024-05-10", ("c1",)),
        LoopEvent("r2", "response", "square", "summer", "2024-05-11", ("c2",)),
        LoopEvent("d1", "decision", "square", "summer", "2024-06-01", ("r1",)),
        LoopEvent("d2", "decision", "square", "summer", "2024-06-02", ("r2",)),
        LoopEvent("x1", "action", "square", "summer", "2024-09-01", ("d1",)),
        # A new consultation on the square: it follows every earlier action there.
        LoopEvent("k1", "consultation", "square", "spring", "2025-03-01"),
        # An action on the park never leads to a consultation.
        LoopEvent("r3", "response", "park", "summer", "2024-05-20"),
    ]


def test_a_full_loop_is_counted_once_with_its_chain() -> None:
    found = participation_loops(site_history())
    summer = found.campaigns[0]
    assert summer.campaign == "summer"
    assert summer.contributions == 3
    assert summer.completed == 1
    loop = summer.loops[0]
    assert loop.refs == ("c1", "r1", "d1", "x1", "k1")
    assert loop.new_campaign == "spring"
    assert loop.days == pytest.approx(304)


def test_the_funnel_shows_how_far_each_contribution_went() -> None:
    reached = participation_loops(site_history()).campaigns[0].reached
    assert reached == {
        "contribution": 3,
        "response": 3,
        "decision": 2,
        "action": 1,
        "consultation": 1,
    }


def test_a_consultation_of_the_same_campaign_does_not_close_the_loop() -> None:
    events = [e for e in site_history() if e.ref != "k1"]
    events.append(LoopEvent("k1", "consultation", "square", "summer", "2025-03-01"))
    assert participation_loops(events).completed == 0


def test_a_link_backwards_in_time_does_not_count() -> None:
    events = [e for e in site_history() if e.ref != "x1"]
    events.append(LoopEvent("x1", "action", "square", "summer", "2024-01-01", ("d1",)))
    assert participation_loops(events).completed == 0


def test_no_event_gives_an_explained_empty_counter() -> None:
    found = participation_loops([])
    assert found.campaigns == () and found.completed == 0
    assert found.explanation == "no contribution in these events"


def test_bad_events_are_named() -> None:
    with pytest.raises(ValueError, match="unknown loop stage 'vote'"):
        participation_loops([LoopEvent("a", "vote", "s", "c", "2024-01-01")])
    with pytest.raises(ValueError, match="duplicate event refs: a"):
        participation_loops([LoopEvent("a", "contribution", "s", "c", "2024-01-01")] * 2)
    with pytest.raises(ValueError, match="follows unknown refs: zz"):
        participation_loops([LoopEvent("a", "response", "s", "c", "2024-01-01", ("zz",))])
