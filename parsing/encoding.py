"""Bytes → text for Chinese government pages.

Portals serve UTF-8, GBK, GB2312 and GB18030, often with no charset in the HTTP
header and only a ``<meta charset>`` in the page, sometimes with a BOM, and often
with a declaration that lies: a GBK body behind ``Content-Type: charset=utf-8``
(the web server's default, not the page's), a UTF-8 body re-saved by a newer CMS
under an old ``<meta charset=gb2312>``. w3lib reads the declarations (BOM, HTTP
header, meta) and maps gb2312/gbk to their superset gb18030; the choice among
them is ours: a declaration is believed only when the bytes decode cleanly with
it, in the order browsers use (BOM, header, meta), then the bytes decide
(strict UTF-8, then GB18030, which decodes every byte sequence GBK can produce).
"""
from __future__ import annotations

import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936"}
# Single-byte Western charsets decode any bytes at all, so "decodes cleanly"
# proves nothing: on a Chinese page they are a server default (HTTP's old
# ISO-8859-1), tried only after the bytes had their say.
SINGLE_BYTE_WESTERN = {"cp1252", "iso8859-1", "latin-1", "iso8859-15", "ascii"}
DETECTION_ORDER = ("utf-8", "gb18030")

# Characters XML 1.0 (and so lxml) refuses in text: C0 controls other than tab,
# LF and CR (Word pastes \x0b and \x0c), lone surrogates, U+FFFE/U+FFFF. lxml
# parses them but raises ValueError as soon as such a text is written back.
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same characters written as numeric references (&#12;, &#x0B;, &#xFFFE;),
# which the HTML parser turns into the characters themselves.
XML_INVALID_REF_RE = re.compile(
    r"&#(?:0*(?:[0-8]|1[1-2]|1[4-9]|2\d|3[01]|5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3]|6553[45])(?!\d)"
    r"|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF])(?![0-9a-fA-F]));?"
)


# XML_INVALID_RE's characters but the surrogates, each looked for with str.find (memchr-fast):
# on a 40 KB page the 31 look-ups cost a quarter of one pass of the character class.
XML_INVALID_CHARS = tuple(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))


def _has_xml_invalid(text: str) -> bool:
    if any(ch in text for ch in XML_INVALID_CHARS):
        return True
    try:
        text.encode("utf-8")  # fails on a lone surrogate, and only on one
    except UnicodeEncodeError:
        return True
    return False


def xml_safe(text: str) -> str:
    """``text`` with every character XML cannot carry replaced by a space, so
    that a page with Word's control characters parses as if they were spaces."""
    if "&#" in text:
        text = XML_INVALID_REF_RE.sub(" ", text)
    return XML_INVALID_RE.sub(" ", text) if _has_xml_invalid(text) else text


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared(body: bytes, content_type: str | None) -> list[str]:
    """Declared encodings, header first, then meta; Western single-byte ones last."""
    found = []
    for encoding in (http_content_type_encoding(content_type) if content_type else None,
                     html_body_declared_encoding(body)):
        if encoding and encoding not in found:
            found.append(encoding)
    return sorted(found, key=lambda e: e in SINGLE_BYTE_WESTERN)


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a page's raw bytes.

    ``content_type`` is the HTTP Content-Type header when there is one.
    A ``str`` is returned unchanged (encoding ``"unicode"``).
    """
    if isinstance(body, str):
        return body, "unicode"
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        encoding = resolve_encoding(bom_encoding) or bom_encoding
        return body[len(bom):].decode(encoding, errors="replace"), encoding
    declared = _declared(body, content_type)
    if body.isascii():
        return body.decode("ascii"), declared[0] if declared else "utf-8"
    western = [e for e in declared if e in SINGLE_BYTE_WESTERN]
    for encoding in [e for e in declared if e not in SINGLE_BYTE_WESTERN]:
        if encoding in GB_FAMILY and _strict(body, "utf-8") is not None:
            # Pages that declare gb2312 but were re-saved as UTF-8 by a newer CMS:
            # Chinese GBK text of any length is practically never valid UTF-8,
            # so bytes that decode strictly as UTF-8 are UTF-8.
            return body.decode("utf-8"), "utf-8"
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    # No declaration fits the bytes (a GBK body served as utf-8, or none at all):
    # the bytes decide.
    for encoding in DETECTION_ORDER + tuple(western):
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    # Nothing decodes cleanly (a truncated or damaged page): the candidate with
    # the fewest undecodable bytes; UTF-8 first, since a UTF-8 page damaged in
    # one place stays almost clean while GBK read as UTF-8 breaks everywhere.
    best = min(((body.decode(e, errors="replace"), e) for e in dict.fromkeys(DETECTION_ORDER + tuple(declared))),
               key=lambda pair: pair[0].count("\ufffd"))
    return best
