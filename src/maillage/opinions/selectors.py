"""Reads on conversations: what to show next, where a participant stands, the map."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from maillage.opinions.charts import opinion_map_chart
from maillage.opinions.models import Analysis, Conversation, Participant, Statement, Vote

GROUP_LETTERS = "ABCDEFGH"


def public_statement_q(prefix: str = "") -> Q:
    """Return the condition making a statement public, seen from ``prefix`` (e.g. "statements__").

    The one rule of visibility, used by pages, the map, the API and open data: accepted
    statements, and unmoderated ones where the conversation does not moderate first. Rejected
    statements are never public.
    """
    return Q(**{f"{prefix}moderation": Statement.Moderation.ACCEPTED}) | Q(
        **{
            f"{prefix}moderation": Statement.Moderation.UNMODERATED,
            f"{prefix}conversation__statements_need_moderation": False,
        }
    )


def conversation_list() -> QuerySet[Conversation]:
    return Conversation.objects.select_related("territory").annotate(
        participant_count=Count("participants", distinct=True),
        statement_count=Count(
            "statements", filter=public_statement_q("statements__"), distinct=True
        ),
    )


def visible_statements(conversation: Conversation) -> QuerySet[Statement]:
    """Return the public statements of ``conversation``: those participants see and vote on."""
    return conversation.statements.filter(public_statement_q())


def public_analysis(conversation: Conversation) -> dict[str, Any] | None:
    """Return the stored opinion map without any trace of a statement that is not public."""
    result = analysis_of(conversation)
    if not result:
        return result
    public = set(visible_statements(conversation).values_list("pk", flat=True))
    return {
        **result,
        "groups": [
            {
                **g,
                "representative": [r for r in g["representative"] if r["statement_id"] in public],
                "votes": {sid: v for sid, v in g["votes"].items() if int(sid) in public},
            }
            for g in result["groups"]
        ],
        "statements": [s for s in result["statements"] if s["id"] in public],
        "consensus": {
            k: [c for c in items if c["statement_id"] in public]
            for k, items in result["consensus"].items()
        },
    }


def analysis_of(conversation: Conversation) -> dict[str, Any] | None:
    analysis = Analysis.objects.filter(conversation=conversation).first()
    return analysis.result if analysis else None


def next_statement(
    conversation: Conversation,
    participant: Participant | None,
    skipped: list[int],
    result: dict | None,
) -> Statement | None:
    """Return the unvoted statement of highest priority (Polis's priority, else oldest first)."""
    candidates = visible_statements(conversation).exclude(pk__in=skipped)
    if participant is not None:
        candidates = candidates.exclude(votes__participant=participant)
    ids = list(candidates.values_list("pk", flat=True))
    if not ids:
        return None
    if result:
        priority = {s["id"]: s["priority"] for s in result["statements"]}
        # Statements not yet voted on by anyone come first: Polis gives them the top priority.
        ids.sort(key=lambda sid: (-priority.get(sid, float("inf")), sid))
    return Statement.objects.get(pk=ids[0])


def participant_vote_count(participant: Participant | None) -> int:
    return Vote.objects.filter(participant=participant).count() if participant else 0


def opinion_map(
    conversation: Conversation, result: dict | None, participant: Participant | None
) -> dict | None:
    """Return what the map, the group cards and the tables show (statement texts included)."""
    if not result or not result["groups"]:
        return None
    # Only public statements are named; the others are left out of every list below.
    texts = dict(visible_statements(conversation).values_list("pk", "text"))
    points = result["participants"]
    letter = {
        g["id"]: GROUP_LETTERS[i % len(GROUP_LETTERS)] for i, g in enumerate(result["groups"])
    }
    mine = next(
        (i for i, p in enumerate(points) if participant is not None and p["id"] == participant.pk),
        None,
    )
    my_group = points[mine]["group"] if mine is not None else None
    groups = []
    for g in result["groups"]:
        representative = []
        for r in g["representative"]:
            if r["statement_id"] not in texts:
                continue
            agree, disagree, seen = g["votes"].get(str(r["statement_id"]), [0, 0, 0])
            representative.append(
                {
                    "text": texts.get(r["statement_id"], ""),
                    "direction": r["repful_for"],
                    "agree_pct": round(100 * agree / seen) if seen else 0,
                    "disagree_pct": round(100 * disagree / seen) if seen else 0,
                    "pass_pct": round(100 * (seen - agree - disagree) / seen) if seen else 0,
                }
            )
        groups.append(
            {
                "letter": letter[g["id"]],
                "size": g["size"],
                "representative": representative,
            }
        )
    consensus = [
        {
            "text": texts.get(c["statement_id"], ""),
            "direction": direction,
            "pct": round(100 * c["p_success"]),
        }
        for direction, items in result["consensus"].items()
        for c in items
        if c["statement_id"] in texts
    ]
    gic = sorted(
        (s for s in result["statements"] if s["id"] in texts),
        key=lambda s: -s["group_informed_consensus"],
    )[:5]
    return {
        "chart": opinion_map_chart(points, letter, mine),
        "my_group": letter.get(my_group) if my_group is not None else None,
        "groups": groups,
        "consensus": consensus,
        "top_consensus": [
            {"text": texts.get(s["id"], ""), "score": round(s["group_informed_consensus"], 3)}
            for s in gic
        ],
        "blocs": result.get("blocs", []),
        "participant_count": len(points),
        "clustered_count": sum(1 for p in points if p["group"] is not None),
    }


def participation_of(person: Any) -> dict[str, Any] | None:
    """Return the "my participation" section of ``person``: per conversation, her votes and
    the statements she proposed."""
    participants = list(
        Participant.objects.filter(person=person)
        .select_related("conversation")
        .annotate(
            agree=Count("votes", filter=Q(votes__value=1)),
            disagree=Count("votes", filter=Q(votes__value=-1)),
            passed=Count("votes", filter=Q(votes__value=0)),
        )
        .order_by("-created_at")
    )
    if not participants:
        return None
    statements: dict[int | None, list[Statement]] = {}
    for statement in Statement.objects.filter(author__in=participants).order_by("created_at"):
        statements.setdefault(statement.author_id, []).append(statement)
    for participant in participants:
        participant.proposed = statements.get(participant.pk, [])
    return {
        "title": "opinions",
        "template": "opinions/my_participation.html",
        "context": {"participants": participants},
    }
