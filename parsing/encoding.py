"""Bytes → text for Chinese government pages.

Portals serve UTF-8, GBK, GB2312 and GB18030, often with no charset in the HTTP
header and only a ``<meta charset>`` in the page, sometimes with a BOM, sometimes
with a meta that lies. w3lib's ``html_to_unicode`` already implements the order
browsers use (BOM, HTTP header, meta declaration, then a guess) and maps
gb2312/gbk to their superset gb18030; we only add the guess: strict UTF-8
first, then GB18030, which decodes every byte sequence GBK can produce.
"""
from __future__ import annotations

from w3lib.encoding import html_to_unicode


GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936"}


def _guess_encoding(body: bytes) -> str:
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a page's raw bytes.

    ``content_type`` is the HTTP Content-Type header when there is one.
    A ``str`` is returned unchanged (encoding ``"unicode"``).
    """
    if isinstance(body, str):
        return body, "unicode"
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)
    if encoding in GB_FAMILY and not body.isascii() and _guess_encoding(body) == "utf-8":
        # Pages that declare gb2312 but were re-saved as UTF-8 by a newer CMS:
        # Chinese GBK text of any length is practically never valid UTF-8,
        # so bytes that decode strictly as UTF-8 are UTF-8.
        return body.decode("utf-8"), "utf-8"
    if "\ufffd" in text[:20000] and encoding not in ("gb18030", "utf-8"):
        # A declared charset that does not fit the bytes (a UTF-8 page that says
        # gb2312, or the reverse) yields replacement characters: trust the bytes.
        guessed = _guess_encoding(body)
        text = body.decode(guessed, errors="replace")
        encoding = guessed
    return text, encoding
