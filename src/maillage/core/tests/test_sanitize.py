"""User HTML is sanitized: no payload of a large XSS corpus keeps anything executable."""

from __future__ import annotations

import itertools
import re

from maillage.core.sanitize import sanitize_html

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>",
    "<p onclick=alert(1)>x</p>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
]
WRAPPERS = [
    "{}",
    "<p>{}</p>",
    "<strong>{}</strong>",
    "<ul><li>{}</li></ul>",
    "<blockquote>{}</blockquote>",
]
DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|svg|math|style|meta|base|link|form|input)|\son\w+\s*=|javascript:|vbscript:|data:text",
    re.I,
)


def test_over_one_hundred_xss_payloads_keep_nothing_executable() -> None:
    payloads = [wrapper.format(vector) for vector, wrapper in itertools.product(VECTORS, WRAPPERS)]
    assert len(payloads) >= 100
    for payload in payloads:
        cleaned = sanitize_html(payload)
        assert not DANGEROUS.search(cleaned), (payload, cleaned)


def test_allowed_formatting_and_safe_links_are_kept() -> None:
    cleaned = sanitize_html(
        '<p>Un <strong>jardin</strong> <a href="https://example.org">ici</a></p>'
    )
    assert "<strong>jardin</strong>" in cleaned
    assert 'href="https://example.org"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned
