"""``maillage opinions``: opinion mapping of Polis-format conversations, without a database.

``analyze DIR`` reads an openData folder and prints the groups, their representative statements
and the consensus statements; ``--json OUT`` writes everything computed. The module imports no
Django, so the command works on a machine without the platform's database.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from maillage.analysis.opinions import (
    MODES,
    OpenDataConversation,
    OpenDataError,
    OpinionAnalysis,
    analyze,
    read_opendata,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``opinions`` command group and its subcommands."""
    parser = subparsers.add_parser("opinions", help="opinion mapping (Polis-style conversations)")
    commands = parser.add_subparsers(dest="opinions_command", metavar="SUBCOMMAND")
    commands.required = True
    analyze_parser = commands.add_parser(
        "analyze", help="analyse an openData folder: groups, representative and consensus"
    )
    analyze_parser.add_argument("folder", metavar="DIR", type=Path, help="openData folder")
    analyze_parser.add_argument("--json", metavar="OUT", type=Path, help="write results as JSON")
    analyze_parser.add_argument(
        "--groups-from-export",
        action="store_true",
        help="take the groups from participants-votes.csv instead of computing them",
    )
    analyze_parser.add_argument("--mode", choices=MODES, default="cold", help="default: cold")
    analyze_parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    analyze_parser.set_defaults(func=analyze_command)

    import_parser = commands.add_parser(
        "import", help="load an openData folder into a conversation"
    )
    import_parser.add_argument("folder", metavar="DIR", type=Path, help="openData folder")
    import_parser.add_argument("--territory", required=True, help="slug of the territory")
    import_parser.add_argument("--slug", required=True, help="slug of the new conversation")
    import_parser.add_argument("--topic", default=None, help="default: the summary's topic")
    import_parser.set_defaults(func=import_command)

    export_parser = commands.add_parser("export", help="write a conversation as an openData folder")
    export_parser.add_argument("slug", help="slug of the conversation")
    export_parser.add_argument("folder", metavar="DIR", type=Path, help="folder to write")
    export_parser.set_defaults(func=export_command)


def import_command(args: argparse.Namespace) -> int:
    """Run ``opinions import``: validate the folder, then load it in one transaction."""
    from maillage.core.cli import setup_django

    setup_django()
    from maillage.opinions.interchange import conversation_import
    from maillage.opinions.models import Conversation
    from maillage.opinions.services import analysis_compute
    from maillage.territories.models import Territory

    territory = Territory.objects.filter(slug=args.territory).first()
    if territory is None:
        print(f"maillage opinions import: no territory {args.territory!r}", file=sys.stderr)
        return 2
    if Conversation.objects.filter(slug=args.slug).exists():
        print(
            f"maillage opinions import: a conversation {args.slug!r} exists already",
            file=sys.stderr,
        )
        return 2
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("Importing", total=None)
        try:
            conversation = conversation_import(
                args.folder,
                territory=territory,
                slug=args.slug,
                topic=args.topic,
                progress=lambda step: progress.update(task, description=f"Importing: {step}"),
            )
        except (OpenDataError, ValueError, KeyError) as error:
            print(f"maillage opinions import: {error}", file=sys.stderr)
            return 2
        progress.update(task, description="Computing the opinion map")
        analysis_compute(conversation)
    print(f"Imported into {conversation.get_absolute_url()}")
    return 0


def export_command(args: argparse.Namespace) -> int:
    """Run ``opinions export``."""
    from maillage.core.cli import setup_django

    setup_django()
    from maillage.opinions.interchange import conversation_export
    from maillage.opinions.models import Conversation

    conversation = Conversation.objects.filter(slug=args.slug).first()
    if conversation is None:
        print(f"maillage opinions export: no conversation {args.slug!r}", file=sys.stderr)
        return 2
    conversation_export(conversation, args.folder)
    print(f"Wrote {args.folder}")
    return 0


def analyze_command(args: argparse.Namespace) -> int:
    """Run ``opinions analyze`` and return the exit code."""
    console = Console()
    timings: dict[str, float] = {}
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as progress:
            task = progress.add_task("Reading the export", total=2)
            started = time.perf_counter()
            conversation = read_opendata(args.folder)
            timings["read"] = time.perf_counter() - started
            progress.update(task, advance=1, description=f"Analysing ({args.mode})")
            result = analyze(
                conversation.events if args.mode == "replay" else conversation.votes,
                mod_out_ids=conversation.statements.mod_out_ids,
                meta_ids=conversation.statements.meta_ids,
                mode=args.mode,
                seed=args.seed,
                groups=conversation.export_groups if args.groups_from_export else None,
            )
            progress.update(task, advance=1)
    except (OpenDataError, ValueError) as error:
        print(f"maillage opinions analyze: {error}", file=sys.stderr)
        return 2
    timings.update(result.timings)
    _print_report(console, conversation, result)
    if args.json:
        try:
            args.json.write_text(
                json.dumps(analysis_to_json(conversation, result, timings), ensure_ascii=False),
                encoding="utf-8",
            )
        except OSError as error:
            print(f"maillage opinions analyze: cannot write {args.json}: {error}", file=sys.stderr)
            return 2
    return 0


def analysis_to_json(
    conversation: OpenDataConversation, result: OpinionAnalysis, timings: dict[str, float]
) -> dict[str, Any]:
    """Return the JSON document of an analysis (ids as in the export, group null if unclustered)."""
    group_ids = result.group_ids
    participants = [
        {
            "id": int(pid),
            "group": None if result.group[i] < 0 else group_ids[int(result.group[i])],
            "x": float(result.pca.participant_projection[i, 0]),
            "y": float(result.pca.participant_projection[i, 1]),
            "n_votes": int(result.n_votes[i]),
            "in_conv": bool(result.in_conv[i]),
        }
        for i, pid in enumerate(result.participant_ids)
    ]
    counts = result.group_votes
    statements = [
        {
            "id": int(sid),
            "group_informed_consensus": float(result.group_informed_consensus[j]),
            "priority": float(result.priority[j]),
            "x": float(result.pca.statement_projection[j, 0]),
            "y": float(result.pca.statement_projection[j, 1]),
            "extremity": float(result.pca.statement_extremity[j]),
            "mod_out": bool(result.mod_out[j]),
            "is_meta": bool(result.is_meta[j]),
            "groups": {
                str(gid): {
                    "agree": int(counts.agree[g, j]),
                    "disagree": int(counts.disagree[g, j]),
                    "seen": int(counts.seen[g, j]),
                }
                for g, gid in enumerate(group_ids)
            },
        }
        for j, sid in enumerate(result.statement_ids)
    ]
    sizes = result.group_sizes()
    groups = [
        {
            "id": gid,
            "size": sizes[gid],
            "representative": [_entry(entry) for entry in result.representative[gid]],
        }
        for gid in group_ids
    ]
    consensus = [
        _entry(entry)
        for direction in ("agree", "disagree")
        for entry in result.consensus[direction]
    ]
    return {
        "folder": str(conversation.folder),
        "mode": result.mode,
        "seed": result.seed,
        "participants": participants,
        "statements": statements,
        "groups": groups,
        "consensus": consensus,
        "silhouettes": {str(k): v for k, v in result.silhouettes.items()},
        "pca": {
            "center": result.pca.center.tolist(),
            "components": result.pca.components.tolist(),
        },
        "timings": timings,
    }


def _entry(entry: object) -> dict[str, Any]:
    fields = dict(vars(entry))
    fields["id"] = fields.pop("statement_id")
    return fields


def _print_report(
    console: Console, conversation: OpenDataConversation, result: OpinionAnalysis
) -> None:
    bodies = dict(
        zip(conversation.statements.ids.tolist(), conversation.statements.bodies, strict=True)
    )
    sizes = result.group_sizes()
    clustered = int(result.in_conv.sum())
    console.print(
        f"{len(result.participant_ids)} participants ({clustered} clustered), "
        f"{len(result.statement_ids)} statements, {len(result.group_ids)} groups ({result.mode})"
    )
    for gid in result.group_ids:
        table = Table(title=f"Group {gid} — {sizes[gid]} participants", title_justify="left")
        table.add_column("Statement", justify="right")
        table.add_column("For")
        table.add_column("Share", justify="right")
        table.add_column("Text", overflow="fold")
        for entry in result.representative[gid]:
            table.add_row(
                str(entry.statement_id),
                entry.repful_for,
                f"{entry.n_success}/{entry.n_trials}",
                _short(bodies.get(entry.statement_id, "")),
            )
        console.print(table)
    table = Table(title="Consensus", title_justify="left")
    table.add_column("Statement", justify="right")
    table.add_column("Direction")
    table.add_column("Share", justify="right")
    table.add_column("Text", overflow="fold")
    for direction in ("agree", "disagree"):
        for consensus in result.consensus[direction]:
            table.add_row(
                str(consensus.statement_id),
                direction,
                f"{consensus.n_success}/{consensus.n_trials}",
                _short(bodies.get(consensus.statement_id, "")),
            )
    console.print(table)


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
