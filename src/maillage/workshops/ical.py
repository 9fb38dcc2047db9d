"""iCalendar (RFC 5545) feeds of workshops, written by hand: a few properties suffice.

Lines end with CRLF and are folded at 75 octets (RFC 5545 §3.1) without splitting a UTF-8
character; TEXT values escape backslash, semicolon, comma and newlines (§3.3.11); times are
UTC (``Z``). ``UID`` is stable per workshop and ``SEQUENCE`` grows with each change, so
calendar clients update the event instead of duplicating it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from maillage.workshops.models import Workshop

PRODID = "-//Maillage//Workshops//FR"


def escape_text(value: str) -> str:
    """Return ``value`` escaped as an RFC 5545 TEXT value."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Return ``line`` folded into CRLF-separated chunks of at most 75 octets."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    chunks: list[str] = []
    start, limit = 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        # Step back to a character boundary (a UTF-8 continuation byte is 10xxxxxx).
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        chunks.append(encoded[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with one space
    return "\r\n ".join(chunks)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(workshop: Workshop, stamp: dt.datetime) -> list[str]:
    url = settings.SITE_URL + workshop.get_absolute_url()
    description = f"{workshop.theme} — {workshop.method}"
    if workshop.description:
        description += f"\n\n{workshop.description}"
    if workshop.video_url:
        description += f"\n\n{workshop.video_url}"
    location = workshop.place or workshop.video_url
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return [
        "BEGIN:VEVENT",
        f"UID:workshop-{workshop.pk}@{host}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(workshop.starts_at)}",
        f"DTEND:{_utc(workshop.ends_at)}",
        f"SEQUENCE:{workshop.sequence}",
        f"SUMMARY:{escape_text(workshop.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"LOCATION:{escape_text(location)}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if workshop.is_cancelled else 'CONFIRMED'}",
        "END:VEVENT",
    ]


def calendar(workshops: Iterable[Workshop], *, name: str) -> str:
    """Return a VCALENDAR holding one VEVENT per workshop."""
    stamp = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for workshop in workshops:
        lines += _event(workshop, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
