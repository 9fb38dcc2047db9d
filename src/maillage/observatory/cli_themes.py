"""``maillage themes``: themes and weak signals of any CSV of contributions, without a database."""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys
import time
from pathlib import Path

_SAMPLE_BYTES = 1 << 20


class InputError(Exception):
    """A problem with the user's input, reported as one line and exit code 2."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``themes`` group and its ``analyze`` command."""
    group = subparsers.add_parser("themes", help="themes and weak signals of contributions")
    commands = group.add_subparsers(dest="themes_command", metavar="COMMAND", required=True)
    analyze = commands.add_parser("analyze", help="analyse a CSV file of contributions")
    analyze.add_argument("file", type=Path, help="CSV file, possibly gzipped")
    analyze.add_argument("--text-column", required=True)
    analyze.add_argument("--date-column")
    analyze.add_argument("--territory-column")
    analyze.add_argument("--profile-column")
    analyze.add_argument("--out", type=Path, default=Path("themes-report"))
    analyze.add_argument(
        "--themes", type=int, help="number of themes (default: chosen automatically)"
    )
    analyze.add_argument(
        "--embeddings", action="store_true", help="refine with sentence embeddings"
    )
    analyze.add_argument("--seed", type=int, default=0)
    analyze.set_defaults(func=analyze_command)


def read_table(path: Path) -> tuple[list[str], list[list[str]], str]:
    """Return the header, the data rows and the encoding of a CSV file (gzip accepted).

    The encoding is detected with charset-normalizer; the delimiter is sniffed among , ; and
    tab. Raise InputError naming the file or the first line that cannot be decoded.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except OSError as error:
            raise InputError(f"{path} is not a valid gzip file") from error
    encoding = _detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line} is not valid {encoding}") from error
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[: _SAMPLE_BYTES // 16], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise InputError(f"{path}: line {reader.line_num}: {error}") from error
    if not rows:
        raise InputError(f"{path} is empty")
    return rows[0], rows[1:], encoding


def _detect_encoding(raw: bytes) -> str:
    """Return the encoding of ``raw``: UTF-8 when it decodes, else charset-normalizer's guess."""
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 4 * _SAMPLE_BYTES]).best()
    return best.encoding if best is not None else "utf-8"


def _column(header: list[str], name: str | None, rows: list[list[str]]) -> list[str] | None:
    """Return the values of column ``name`` (None when not asked); InputError when missing."""
    if name is None:
        return None
    if name not in header:
        found = ", ".join(header)
        raise InputError(f"column {name!r} not found; columns found: {found}")
    index = header.index(name)
    return [row[index] if index < len(row) else "" for row in rows]


def _parse_dates(values: list[str]) -> tuple[list[object], int]:
    """Return dates (None where unparseable or blank) and how many non-blank ones failed."""
    import pandas as pd

    parsed = pd.to_datetime(
        pd.Series(values, dtype="string"), errors="coerce", utc=True, format="mixed"
    )
    failed = int((parsed.isna() & pd.Series([bool(v.strip()) for v in values])).sum())
    days = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[D]")
    return list(days), failed


def analyze_command(args: argparse.Namespace) -> int:
    """Run ``themes analyze``: write report.html and themes.json; return the exit code."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from maillage.analysis.themes import TooFewTextsError, analyze_themes, sentence_encoder
    from maillage.analysis.themes.report import analysis_document, render_html

    console = Console(stderr=True)
    started = time.perf_counter()
    try:
        header, rows, encoding = read_table(args.file)
        texts = _column(header, args.text_column, rows) or []
        date_values = _column(header, args.date_column, rows)
        territories = _column(header, args.territory_column, rows)
        profiles = _column(header, args.profile_column, rows)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.themes is not None and args.themes < 1:
        print(f"error: --themes must be at least 1, not {args.themes}", file=sys.stderr)
        return 2
    dates, failed_dates = (None, 0) if date_values is None else _parse_dates(date_values)
    if failed_dates:
        console.print(f"{failed_dates} date(s) could not be parsed; those rows have no period.")
    embedder = None
    if args.embeddings:
        try:
            embedder = sentence_encoder()
        except ImportError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2

    stages = [
        "tokenize",
        "features",
        "choose_k",
        "fit",
        "embeddings",
        "labels",
        "duplicates",
        "shares",
        "weak_signals",
    ]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"{len(texts)} contributions ({encoding})", total=len(stages))

        def advance(stage: str) -> None:
            name = stage.split(":")[0]
            done = stages.index(name) if name in stages else 0
            progress.update(task, completed=done, description=f"{stage}")

        try:
            analysis = analyze_themes(
                texts,
                dates=dates,
                territories=territories,
                profiles=profiles,
                n_themes=args.themes,
                embedder=embedder,
                seed=args.seed,
                progress=advance,
            )
        except TooFewTextsError as error:
            progress.stop()
            print(f"error: {error}", file=sys.stderr)
            return 2
        progress.update(task, completed=len(stages), description="done")

    clock = time.perf_counter()
    document = analysis_document(analysis, texts)
    document["input"] = {
        "file": str(args.file),
        "encoding": encoding,
        "rows": len(texts),
        "unparsed_dates": failed_dates,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.html").write_text(
        render_html(document, f"Thèmes — {args.file.name}"), encoding="utf-8"
    )
    document["timings"]["write"] = round(time.perf_counter() - clock, 3)
    document["timings"]["total"] = round(time.perf_counter() - started, 3)
    with (args.out / "themes.json").open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False)
    skipped = (
        ", ".join(f"{reason}: {count}" for reason, count in analysis.skipped.items()) or "none"
    )
    console.print(
        f"{len(analysis.themes)} themes, skipped rows ({skipped}), languages {analysis.languages}; "
        f"wrote {args.out / 'report.html'} and {args.out / 'themes.json'}"
    )
    return 0
