"""Reports published as attachments (PDF, DOCX, DOC, WPS): their text as simple HTML.

``extract_document`` sniffs the kind from the bytes and runs the extraction in a child
process (``python -m parsing._extract_worker``: the body on stdin, JSON on stdout) with an
address-space and CPU limit and a wall-clock timeout, so a hostile file (a page-tree or
content-stream bomb, a zip bomb dressed as DOCX, garbage) ends as an ``Extracted`` with
``error`` set, never as an exception, a hang or a parent that runs out of memory. The
document is never written to a path named from the URL or the server: the child reads
stdin, and only the DOC/WPS path writes it to a fixed name in a private temp directory
(antiword reads files only).

Libraries: PDF text is read by pdfminer.six (pure Python, so no native crash; it gives
each text line with its box and font size, which the paragraph joining and the
header/footer removal below need, images as objects for 图片版 detection, and it ships the
Adobe-GB1 CMaps that Chinese CID fonts need). DOCX goes through mammoth, which writes
tables as HTML with merged cells as rowspan/colspan (what parsing.grid reads). DOC/WPS
(WPS Office saves .wps in the Word 97 binary format) go through Debian's antiword.

The layout helpers here (page furniture, line joining, HTML) are pure functions on
``TextLine`` lists so that they are tested without any PDF library.
"""
from __future__ import annotations

import html as html_lib
import json
import math
import os
import re
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from statistics import median
from urllib.parse import urlsplit

from .contact import ANY_LABEL
from .encoding import decode_html
from .sections import HEADING_START_RE

KINDS = ("pdf", "docx", "doc", "wps", "html", "image", "binary", "empty")
CHILD_KINDS = ("pdf", "docx", "doc", "wps")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 1024
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Extracted:
    kind: str
    html: str | None = None
    image_only: bool = False
    image_count: int = 0
    pages: int | None = None
    error: str | None = None


# --- sniffing ------------------------------------------------------------------------------

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The directory entry of a Word 97 document's main stream (names are UTF-16LE).
WORD_STREAM_NAME = "WordDocument".encode("utf-16-le")
IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
HTML_START_RE = re.compile(rb"^\s*<(?:!doctype\s+html|html|head|body|meta|title|div|table|p)\b", re.I)
HTML_TAG_RE = re.compile(rb"<(?:html|body|head)\b", re.I)
CONTENT_TYPE_KINDS = {
    "application/pdf": "pdf", "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc", "application/doc": "doc",
    "application/kswps": "wps", "application/wps-office.wps": "wps", "application/vnd.ms-works": "wps",
    "text/html": "html", "application/xhtml+xml": "html",
}
SUFFIX_KINDS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".html": "html", ".htm": "html",
                ".shtml": "html", ".jpg": "image", ".jpeg": "image", ".png": "image", ".gif": "image",
                ".tif": "image", ".tiff": "image"}


def _declared_kind(content_type: str | None, url: str | None) -> str | None:
    """The kind a Content-Type header or URL suffix claims, if any."""
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        if mime in CONTENT_TYPE_KINDS:
            return CONTENT_TYPE_KINDS[mime]
        if mime.startswith("image/"):
            return "image"
    if url:
        path = urlsplit(url).path.lower()
        suffix = os.path.splitext(path)[1]
        if suffix in SUFFIX_KINDS:
            return SUFFIX_KINDS[suffix]
    return None


def sniff_kind(body: bytes, content_type: str | None = None, url: str | None = None) -> str:
    """What the bytes are: magic bytes first (servers send PDFs as text/html and DOCX as
    application/octet-stream), then the Content-Type, then the URL's suffix."""
    if not body.strip():
        return "empty"
    head = body[:1024]
    declared = _declared_kind(content_type, url)
    if b"%PDF-" in head:  # the header may follow some junk (the spec allows 1024 bytes)
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/document" in body else "binary"  # xlsx, pptx, zip of files
    if head.startswith(OLE2_MAGIC):
        if WORD_STREAM_NAME in body:
            return "wps" if declared == "wps" else "doc"
        return "wps" if declared == "wps" else "binary"  # xls, ppt, or an old Kingsoft format
    if head.startswith(IMAGE_MAGICS) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    text_head = head.lstrip(b"\xef\xbb\xbf")
    if HTML_START_RE.match(text_head) or HTML_TAG_RE.search(text_head):
        return "html"
    if head.startswith(b"{\\rtf"):
        return "binary"
    return declared or "binary"


# --- extraction in a child process -----------------------------------------------------------

def extract_document(body: bytes, content_type: str | None = None, url: str | None = None, *,
                     timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    """The text of an attachment as simple HTML (see module doc); never raises on bad input."""
    kind = sniff_kind(body, content_type, url)
    if len(body) > max_bytes:
        return Extracted(kind, error="too_large")
    if kind == "empty":
        return Extracted(kind, error="empty")
    if kind == "image":
        return Extracted(kind, image_only=True, image_count=1, pages=1)
    if kind == "html":
        text, _ = decode_html(body, content_type)
        return Extracted(kind, html=text)
    if kind not in CHILD_KINDS:
        return Extracted(kind, error="unsupported: " + ("rtf" if body.startswith(b"{\\rtf") else kind))
    return _run_child(kind, body, timeout, memory_mb)


def _run_child(kind: str, body: bytes, timeout: float, memory_mb: int) -> Extracted:
    # The limits are set by the child itself before it reads a byte of the document
    # (see _extract_worker.apply_limits), not through preexec_fn, which the subprocess
    # docs call unsafe when the parent has threads (Scrapy/Twisted keep a thread pool).
    cpu_seconds = max(1, math.ceil(timeout))
    command = [sys.executable, "-m", "parsing._extract_worker", kind, str(memory_mb), str(cpu_seconds)]
    # The child finds this package where the parent found it, installed or not.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [PACKAGE_ROOT, os.environ.get("PYTHONPATH")])))
    try:
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=env, start_new_session=True)  # own process group: antiword dies with it
    except OSError as exc:
        return Extracted(kind, error=f"worker: {type(exc).__name__}: {exc}")
    try:
        out, err = child.communicate(body, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        child.communicate()
        return Extracted(kind, error="timeout")
    finally:
        _kill_group(child)  # grandchildren (antiword) left behind by a dead worker
    return _result_from_child(kind, child.returncode, out, err)


def _kill_group(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _result_from_child(kind: str, returncode: int, out: bytes, err: bytes) -> Extracted:
    if returncode == 0:
        try:
            data = json.loads(out)
            return Extracted(kind=kind, html=data.get("html"), image_only=bool(data.get("image_only")),
                             image_count=int(data.get("image_count") or 0), pages=data.get("pages"),
                             error=data.get("error"))
        except (ValueError, TypeError, AttributeError) as exc:
            return Extracted(kind, error=f"worker: bad output: {type(exc).__name__}")
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # CPU limit: soft, then hard
        return Extracted(kind, error="timeout")
    if b"MemoryError" in err or b"Cannot allocate memory" in err or b"memory allocation" in err:
        return Extracted(kind, error="memory")
    if returncode < 0:
        return Extracted(kind, error=f"crash: {signal.Signals(-returncode).name}")
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return Extracted(kind, error=f"crash: exit {returncode}: {last[0][:200]}")


def result_dict(extracted: Extracted) -> dict:
    """What the child prints (the same fields as Extracted)."""
    return asdict(extracted)


# --- PDF layout: lines → paragraphs ------------------------------------------------------------

@dataclass
class TextLine:
    """One visual line of a page: text, horizontal extent, top edge (PDF units, y grows up)
    and font size."""
    text: str
    x0: float
    x1: float
    top: float
    size: float


# Page numbers as Chinese documents print them: "— 3 —", "- 3 -", "第3页", "第 3 页 共 12 页",
# "3/12", "Page 3", or a lone number.
PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[—–\-－─]+\s*\d{1,4}\s*[—–\-－─]+|第\s*\d{1,4}\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|(?:page\s*)?\d{1,4})\s*$", re.I)
# How many lines at the top and at the bottom of a page can be furniture.
EDGE_LINES = 2
FURNITURE_MAX_CHARS = 40
# A running header/footer: on at least this share of the pages (and on two or more).
RUNNING_SHARE = 0.5
DIGITS_RE = re.compile(r"\d+")
SPACES_RE = re.compile(r"\s+")

# Ends a sentence, so a line ending with it ends its paragraph.
SENTENCE_END = "。！？；：!?;:"
CLOSERS = "”’」』）)》】"
# A line that starts a new item: 一、 / （一） / (一) / 1. / 1、 / （1） / 第一章 …
ITEM_START_RE = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}\s*[.．、](?!\d)|第[一二三四五六七八九十\d]{1,3}[章节条部分])")
# A contact label with its colon at the end of a line: its value is on the next line.
CONTACT_LABEL_END_RE = re.compile(rf"(?:{ANY_LABEL})\s*[:：]?\s*$")
# A line shorter than the text column by more than this many characters ends its paragraph.
SHORT_LINE_CHARS = 2.0
INDENT_CHARS = 1.0


def _furniture_key(text: str) -> str:
    """Running headers repeat with the page number changed: compare them without digits."""
    return DIGITS_RE.sub("#", SPACES_RE.sub("", text))


def drop_page_furniture(pages: list[list[TextLine]]) -> list[list[TextLine]]:
    """Pages without page numbers and running headers/footers.

    Only the first and last EDGE_LINES lines of a page (top to bottom) are candidates: a
    lone number inside the page is a table cell, not a page number.
    """
    def edges(lines):
        n = len(lines)
        return set(range(min(EDGE_LINES, n))) | set(range(max(0, n - EDGE_LINES), n))

    counts: dict[str, int] = {}
    for lines in pages:
        seen = {_furniture_key(lines[i].text) for i in edges(lines) if len(lines[i].text.strip()) <= FURNITURE_MAX_CHARS}
        for key in seen:
            counts[key] = counts.get(key, 0) + 1
    running = {key for key, n in counts.items() if n >= 2 and n >= RUNNING_SHARE * len(pages)}
    def furniture(line: TextLine) -> bool:
        return bool(PAGE_NUMBER_RE.match(line.text)) or _furniture_key(line.text) in running

    result = []
    for lines in pages:
        # Peel from the outside in: a second line is furniture only under a first one.
        start, end = 0, len(lines)
        while start < min(EDGE_LINES, end) and furniture(lines[start]):
            start += 1
        while end > max(start, len(lines) - EDGE_LINES) and furniture(lines[end - 1]):
            end -= 1
        result.append(lines[start:end])
    return result


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def starts_item(text: str) -> bool:
    """Does the line start a heading or numbered item (一、 （一） 1. …)?"""
    return bool(HEADING_START_RE.match(text) or ITEM_START_RE.match(text))


def _join(left: str, right: str) -> str:
    # Chinese (and a number: "202" + "3年") wraps anywhere with no space; Latin words wrapped
    # at a space get it back.
    left, right = left.rstrip(), right.lstrip()
    if left and right and left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].isalpha():
        return left + " " + right
    return left + right


def join_lines(lines: list[TextLine]) -> list[str]:
    """Paragraphs from a document's lines (furniture already dropped), in reading order.

    A line is continued by the next when it does not end a sentence (。！？；：), reaches the
    right edge of the text column, and the next line neither starts a heading or numbered
    item nor is indented. A contact label at a line's end (电话：) is always continued: its
    value is on the next line.
    """
    if not lines:
        return []
    body_size = median(line.size for line in lines) or 10.0
    left_edge = min(line.x0 for line in lines)
    right_edge = sorted(line.x1 for line in lines)[int(0.8 * (len(lines) - 1))]
    paragraphs: list[str] = []
    current = lines[0].text.strip()
    for previous, line in zip(lines, lines[1:]):
        text = line.text.strip()
        if not text:
            continue
        contact_label = bool(CONTACT_LABEL_END_RE.search(current))
        continued = contact_label or (
            not _ends_sentence(current)
            and previous.x1 >= right_edge - SHORT_LINE_CHARS * body_size
            and not starts_item(text)
            and line.x0 <= left_edge + INDENT_CHARS * body_size
            and abs(line.size - previous.size) < 0.15 * body_size
        )
        if continued:
            current = _join(current, text)
        else:
            if current:
                paragraphs.append(current)
            current = text
    if current:
        paragraphs.append(current)
    return paragraphs


def title_lines(lines: list[TextLine]) -> int:
    """How many lines at the start are the document's title: set larger than the body text."""
    if not lines:
        return 0
    body_size = median(line.size for line in lines)
    n = 0
    while n < min(len(lines), 4) and lines[n].size >= 1.15 * body_size:
        n += 1
    return n


# --- HTML ----------------------------------------------------------------------------------

def paragraphs_html(title: str | None, paragraphs: list[str]) -> str:
    """A minimal page that parsing.parse_report reads: <title>, one <p> per paragraph."""
    esc = html_lib.escape
    head = f"<title>{esc(title)}</title>" if title else ""
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{head}</head><body>\n{body}\n</body></html>\n'
