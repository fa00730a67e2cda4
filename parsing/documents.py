"""Reports published as attachments (PDF, DOCX, DOC, WPS): their text as simple HTML.

``extract_document`` sniffs the kind from the bytes and runs the extraction in a child
process of its own (``parsing._extract_worker.serve``: the body and the JSON result through a
pipe) with an address-space and CPU limit and a wall-clock timeout, so a hostile file (a
page-tree or content-stream bomb, a zip bomb dressed as DOCX, garbage) ends as an
``Extracted`` with ``error`` set, never as an exception, a hang or a parent that runs out of
memory. The child is forked by a multiprocessing forkserver that imported the PDF and DOCX
libraries once (EXTRACTION_PRELOAD), so a document no longer pays an interpreter's start and
those imports (~0.5 s of CPU; benchmarks/extract_speed.py). The document is never written to
a path named from the URL or the server: the child reads its pipe, and only the DOC/WPS path
writes it to a fixed name in a private temp directory (antiword reads files only).

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

import functools
import html as html_lib
import json
import math
import multiprocessing
import os
import re
import signal
import time
from dataclasses import asdict, dataclass
from statistics import median
from urllib.parse import urlsplit

from .contact import ANY_LABEL
from .encoding import decode_html
from .sections import HEADING_START_RE
from .tables import SECTION20_RE

KINDS = ("pdf", "docx", "doc", "wps", "html", "image", "binary", "empty")
CHILD_KINDS = ("pdf", "docx", "doc", "wps")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 1024
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# What the forkserver imports once, so that every document's child starts with it: the worker
# (lxml, this module) and the libraries it imports only when a document needs them. "__main__"
# is multiprocessing's own default: the parent's main script, which a child would otherwise
# import again (pytest's, nianbao's console script) before it reads a byte.
EXTRACTION_PRELOAD = ["__main__", "parsing._extract_worker", "pdfplumber", "pdfplumber.page",
                      "pdfminer.pdfpage", "pdfminer.layout", "mammoth"]
EXIT_MEMORY = 3  # the child's exit status when even the error cannot be sent for want of memory


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
    """The text of an attachment as simple HTML (see module doc); never raises on bad input.

    A script calling it must do so under ``if __name__ == "__main__":`` (multiprocessing's rule:
    the forkserver imports the main script, see extraction_context)."""
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


@functools.cache
def extraction_context() -> multiprocessing.context.ForkServerContext:
    """The forkserver that forks one child per document.

    A forkserver, not a fresh interpreter per document (what start-up cost), and not a fork of
    this process: a crawl's process has threads (Twisted's pool, the watch of
    archive.workers.exit_with) and a fork would copy its memory and locks. The forkserver is a
    single-threaded process started (once, on the first document) with this process's
    interpreter, sys.path and environment; it ends when this process and every child it forked
    are gone (multiprocessing's "alive" pipe), so a crawl killed with kill -9 leaves no
    forkserver behind once its parser workers have ended (exit_with) and their children have
    seen it (_extract_worker._end_with_parent). multiprocessing starts it again if it died."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(EXTRACTION_PRELOAD)
    return context


def _run_child(kind: str, body: bytes, timeout: float, memory_mb: int) -> Extracted:
    # The limits are set by the child itself before it reads a byte of the document
    # (_extract_worker.serve), as its first work after the fork.
    from ._extract_worker import serve

    cpu_seconds = max(1, math.ceil(timeout))
    deadline = time.monotonic() + timeout
    context = extraction_context()
    ours, theirs = context.Pipe()
    child = context.Process(target=serve, args=(theirs, kind, memory_mb, cpu_seconds, dict(os.environ)),
                            name=f"nianbao-extract-{kind}", daemon=True)
    try:
        try:
            child.start()
        finally:
            theirs.close()
    except (OSError, EOFError) as exc:  # no process could be made (the forkserver could not start)
        ours.close()
        return Extracted(kind, error=f"worker: {type(exc).__name__}: {exc}")
    try:
        out = _exchange(ours, body, deadline)
        child.join(max(0.0, deadline - time.monotonic()))
        if out is None and child.exitcode is None:
            return Extracted(kind, error="timeout")
        return _result_from_child(kind, child.exitcode, out)
    finally:
        _end(child)
        ours.close()


def _exchange(connection, body: bytes, deadline: float) -> bytes | None:
    """Send the document, and wait until the deadline for the child's JSON; None when the
    child died without sending it or did not send it in time (its exit status says which).
    The child reads the body first thing, so sending does not wait for its work."""
    try:
        connection.send_bytes(body)
        if connection.poll(max(0.0, deadline - time.monotonic())):
            return connection.recv_bytes()
    except (EOFError, OSError):  # the child is gone (BrokenPipeError, ConnectionResetError)
        pass
    return None


def _end(child: multiprocessing.process.BaseProcess) -> None:
    """Kill what is left of a child: its process group (LibreOffice or antiword left behind by a
    dead or timed-out child), the child itself before it made that group; then reap it."""
    if child.exitcode is None:
        child.kill()
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    child.join()
    child.close()


def _result_from_child(kind: str, exitcode: int | None, out: bytes | None) -> Extracted:
    if out is not None:
        try:
            data = json.loads(out)
            return Extracted(kind=kind, html=data.get("html"), image_only=bool(data.get("image_only")),
                             image_count=int(data.get("image_count") or 0), pages=data.get("pages"),
                             error=data.get("error"))
        except (ValueError, TypeError, AttributeError) as exc:
            return Extracted(kind, error=f"worker: bad output: {type(exc).__name__}")
    if exitcode is None or exitcode in (-signal.SIGXCPU, -signal.SIGKILL):  # CPU limit: soft, then hard
        return Extracted(kind, error="timeout")
    if exitcode == EXIT_MEMORY:
        return Extracted(kind, error="memory")
    if exitcode < 0:
        return Extracted(kind, error=f"crash: {signal.Signals(-exitcode).name}")
    return Extracted(kind, error=f"crash: exit {exitcode}")


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


class _Geometry:
    """The text column of a document's lines: body font size and the left and right edges."""
    def __init__(self, lines: list[TextLine]):
        self.body_size = median(line.size for line in lines) or 10.0
        self.left_edge = min(line.x0 for line in lines)
        self.right_edge = sorted(line.x1 for line in lines)[int(0.8 * (len(lines) - 1))]

    def continues(self, current: str, previous: TextLine, line: TextLine) -> bool:
        """Does ``line`` go on with the paragraph ``current`` whose last line is ``previous``?"""
        if CONTACT_LABEL_END_RE.search(current):
            return True
        return (not _ends_sentence(current)
                and previous.x1 >= self.right_edge - SHORT_LINE_CHARS * self.body_size
                and not starts_item(line.text.strip())
                and line.x0 <= self.left_edge + INDENT_CHARS * self.body_size
                and abs(line.size - previous.size) < 0.15 * self.body_size)


def join_lines(lines: list[TextLine]) -> list[str]:
    """Paragraphs from a document's lines (furniture already dropped), in reading order.

    A line is continued by the next when it does not end a sentence (。！？；：), reaches the
    right edge of the text column, and the next line neither starts a heading or numbered
    item nor is indented. A contact label at a line's end (电话：) is always continued: its
    value is on the next line.
    """
    return [block for block in join_blocks(lines) if isinstance(block, str)]


def join_blocks(items: list) -> list:
    """Paragraphs (str) and tables (PageTable) from a document's lines and tables in reading
    order: lines are joined as join_lines says; a table ends the paragraph before it."""
    lines = [item for item in items if isinstance(item, TextLine)]
    if not lines:
        return [item for item in items if isinstance(item, PageTable)]
    geometry = _Geometry(lines)  # of the whole document: a paragraph between tables is short
    blocks: list = []
    current, previous = "", None
    for item in items:
        if isinstance(item, PageTable):
            if current:
                blocks.append(current)
            blocks.append(item)
            current, previous = "", None
            continue
        text = item.text.strip()
        if not text:
            continue
        if previous is not None and current and geometry.continues(current, previous, item):
            current = _join(current, text)
        else:
            if current:
                blocks.append(current)
            current = text
        previous = item
    if current:
        blocks.append(current)
    return blocks


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

def paragraphs_html(title: str | None, blocks: list) -> str:
    """A minimal page that parsing.parse_report reads: <title>, one <p> per paragraph, and each
    table (PageTable) as a <table> with its merged cells as rowspan/colspan."""
    esc = html_lib.escape
    head = f"<title>{esc(title)}</title>" if title else ""
    body = "\n".join(table_html(b) if isinstance(b, PageTable) else f"<p>{esc(b)}</p>" for b in blocks)
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{head}</head><body>\n{body}\n</body></html>\n'


# --- PDF tables: cells on a grid ----------------------------------------------------------------
#
# pdfplumber finds a ruled table's cells from the lines and rectangles drawn on the page; a
# merged cell is one cell whose box covers several grid positions. The functions below turn
# cell boxes into a grid with rowspan/colspan, join a table that a page break cut in two, and
# write the <table> that parsing.grid reads like any HTML table. Boxes are (x0, top, x1,
# bottom, text) in PDF units with y growing up, like TextLine.

EDGE_TOLERANCE = 3.0  # points: one ruling drawn twice, or a cell's edge a hair off its neighbour's
CELL_NUMBER_RE = re.compile(r"^[+\-－]?\d[\d,，]*(?:\.\d+)?(?:万元|元|件|条|个|项|次)?$")
BLANK_CELL_RE = re.compile(r"^(?:[-—–/／]+|无)$")


@dataclass
class TableCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass
class PageTable:
    """A table of one page (or of several, once stitched): cells on a grid of ``rows`` x
    ``cols``, the column boundaries ``x_edges`` (cols + 1, left to right), and its top and
    bottom edges (y grows up)."""
    cells: list[TableCell]
    rows: int
    cols: int
    x_edges: list[float]
    top: float
    bottom: float


def cluster(values, tolerance: float = EDGE_TOLERANCE) -> list[float]:
    """Sorted representatives of ``values``, values within ``tolerance`` of their neighbour
    counting as one."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _nearest(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def grid_from_boxes(boxes: list[tuple[float, float, float, float, str]], min_rows: int = 2) -> PageTable | None:
    """A grid from cell boxes: each distinct left/right edge a column boundary, each distinct
    top/bottom edge a row boundary; a box over several becomes a rowspan/colspan cell.
    None when the boxes make less than ``min_rows`` rows or two columns (a frame round a
    paragraph)."""
    if not boxes:
        return None
    x_edges = cluster([b[0] for b in boxes] + [b[2] for b in boxes])
    y_edges = cluster([b[1] for b in boxes] + [b[3] for b in boxes])[::-1]  # top to bottom
    cells = []
    for x0, top, x1, bottom, text in boxes:
        col, col_end = _nearest(x_edges, x0), _nearest(x_edges, x1)
        row, row_end = _nearest(y_edges, top), _nearest(y_edges, bottom)
        if col_end > col and row_end > row:
            cells.append(TableCell(row, col, row_end - row, col_end - col, text))
    rows, cols = len(y_edges) - 1, len(x_edges) - 1
    if rows < max(1, min_rows) or cols < 2 or not cells:
        return None
    cells.sort(key=lambda c: (c.row, c.col))
    return PageTable(cells, rows, cols, x_edges, y_edges[0], y_edges[-1])


def _is_label(text: str) -> bool:
    compact = SPACES_RE.sub("", text)
    return bool(compact) and not CELL_NUMBER_RE.match(compact) and not BLANK_CELL_RE.match(compact)


def _continues_row(cut_cells: list[TableCell | None], first_row: list[TableCell]) -> bool:
    """Is ``first_row`` (the cells starting the next page's part of a table) the rest of a row
    that the page break cut, rather than a row of its own? Word, WPS and LibreOffice let a row
    break across pages: what did not fit of each cell's text goes on in the same column on the
    next page, and a cell whose text fitted is empty there. So every cell lines up with a cell
    of the last row above (``cut_cells``, the same columns); a cell with text is under a cell
    with text, a figure only under a figure (172 wrapped as 17 | 2); none starts a numbered
    item ((四)…, 3.… start rows of their own); and most of the row ended on the page before:
    fewer cells go on than are empty under a cell with text, or as many when one going on is
    under a numbered label (its next row would start with the next number). A row of its own
    fills its cells, and one with blank values (行政强制 | , under 行政处罚 | 3287) is not taken
    for the rest of the row above."""
    if not first_row or any(cut is None for cut in cut_cells):
        return False
    going_on = ended = 0
    numbered = False  # a cell going on under a numbered item's label (1.属于国家 | 秘密)
    for cut, cell in zip(cut_cells, first_row):
        text, above = cell.text.strip(), cut.text.strip()
        if not text:
            ended += bool(above)
        elif not above or starts_item(text) or (is_figure(text) and not is_figure(above)):
            return False
        else:
            going_on += 1
            numbered = numbered or starts_item(above)
    return going_on < ended or (going_on == ended > 0 and numbered)


def is_figure(text: str) -> bool:
    """A value cell's text: a number, or a dash or 无 standing for none."""
    compact = SPACES_RE.sub("", text)
    return bool(CELL_NUMBER_RE.match(compact) or BLANK_CELL_RE.match(compact))


def stitch_tables(upper: PageTable, lower: PageTable) -> PageTable | None:
    """One table from a table that ends a page and the one that starts the next, when they
    are the same table cut by the page break: the same outer edges, and the columns of one
    are columns of the other. None when they are two tables.

    Where the break falls between two rows, a merged label cell cut by it goes on in an empty
    cell at the top of the next page (Word and LibreOffice print its text on the first page
    only): that cell is joined to the one above. Where the break cuts through a row
    (``_continues_row``), the next page's first row is the rest of the row above: each of its
    cells is joined to the cell above it, text and all."""
    if abs(upper.x_edges[0] - lower.x_edges[0]) > EDGE_TOLERANCE or \
            abs(upper.x_edges[-1] - lower.x_edges[-1]) > EDGE_TOLERANCE:
        return None
    edges = cluster(upper.x_edges + lower.x_edges)
    if len(edges) != max(len(upper.x_edges), len(lower.x_edges)):
        return None  # each has columns the other lacks: two tables one above the other

    def remap(table: PageTable) -> list[TableCell]:
        out = []
        for c in table.cells:
            col = _nearest(edges, table.x_edges[c.col])
            out.append(TableCell(c.row, col, c.rowspan, _nearest(edges, table.x_edges[c.col + c.colspan]) - col,
                                 c.text))
        return out

    above, below = remap(upper), remap(lower)
    last_row = {(c.col, c.colspan): c for c in above if c.row + c.rowspan == upper.rows}
    first_row = [c for c in below if c.row == 0]
    broken = _continues_row([last_row.get((c.col, c.colspan)) for c in first_row], first_row)
    offset = upper.rows - 1 if broken else upper.rows
    kept = []
    for c in below:
        cut = last_row.get((c.col, c.colspan)) if c.row == 0 else None
        if cut is not None and broken:
            cut.text = _join(cut.text, c.text) if c.text.strip() else cut.text
            cut.rowspan += c.rowspan - 1
        elif cut is not None and not c.text.strip() and _is_label(cut.text):
            cut.rowspan += c.rowspan
        else:
            kept.append(TableCell(c.row + offset, c.col, c.rowspan, c.colspan, c.text))
    cells = sorted(above + kept, key=lambda c: (c.row, c.col))
    return PageTable(cells, offset + lower.rows, len(edges) - 1, edges, upper.top, lower.bottom)


def table_html(table: PageTable) -> str:
    """The table as HTML, merged cells as rowspan/colspan; a grid position no cell covers
    gets an empty cell, so parsing.grid puts every cell in its own column."""
    esc = html_lib.escape
    taken: set[tuple[int, int]] = set()
    starts: dict[tuple[int, int], TableCell] = {}
    for c in table.cells:
        starts[(c.row, c.col)] = c
        taken.update((r, k) for r in range(c.row, c.row + c.rowspan) for k in range(c.col, c.col + c.colspan))
    out = ["<table>"]
    for r in range(table.rows):
        tds = []
        for k in range(table.cols):
            cell = starts.get((r, k))
            if cell is not None:
                spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                        (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
                tds.append(f"<td{spans}>{esc(cell.text)}</td>")
            elif (r, k) not in taken:
                tds.append("<td></td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


def cell_text(text: str) -> str:
    """A cell's lines as one string: a label wrapped inside its cell is joined like a
    paragraph (no space between Chinese characters)."""
    parts = [part.strip() for part in text.splitlines() if part.strip()]
    joined = ""
    for part in parts:
        joined = _join(joined, part) if joined else part
    return joined


# --- PDF tables without rules: cells from text positions ------------------------------------------
#
# A table drawn without rules has no boxes; its rows are the lines holding figures. A visual
# row whose pieces (pdfminer splits a line at wide gaps, so each cell is a piece) end in
# numbers is a row of values; the value columns are where those numbers stand. Label pieces
# beside them (a label wrapped over two lines, set beside the middle of its row) go to the
# row of values nearest them; header rows above the first row of values and rows spanning
# the value columns (第二十条第（五）项, 信息内容 …) are rows of their own.

MIN_CELL_ROWS = 2       # rows of two or more pieces: one alone is a line of text with a number
LABEL_MAX_CHARS = 40    # a piece longer than this is a paragraph, not a cell
HEADER_ROWS_ABOVE = 6   # header rows looked for above the first row of figures
LABEL_LINE_PITCH = 1.6  # font sizes from one line of a wrapped label to the next, at most
BLANK_ROW_LINES = 2.0   # font sizes between a row without figures and the nearest row with them


def visual_rows(pieces: list[TextLine]) -> list[list[TextLine]]:
    rows: list[list[TextLine]] = []
    for piece in sorted(pieces, key=lambda p: (-p.top, p.x0)):
        if rows and abs(rows[-1][0].top - piece.top) < 0.5 * min(rows[-1][0].size, piece.size):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.x0) for row in rows]


def is_number(piece: TextLine) -> bool:
    compact = SPACES_RE.sub("", piece.text)
    return bool(CELL_NUMBER_RE.match(compact) or BLANK_CELL_RE.match(compact))


def value_row(row: list[TextLine]) -> bool:
    """Label piece(s), then numbers and nothing else: at least two numbers, or one beside
    its label (a label wrapped over two lines may be set above and below its numbers)."""
    first_number = next((i for i, p in enumerate(row) if is_number(p)), None)
    if first_number is None or not all(is_number(p) for p in row[first_number:]):
        return False
    if any(len(p.text) > LABEL_MAX_CHARS for p in row):
        return False
    return len(row) - first_number >= 2 or first_number > 0


def _is_cell_row(row: list[TextLine], left_edge: float, text_width: float) -> bool:
    """A row that can be part of a table: short pieces, not a paragraph line nor a heading
    at the left margin."""
    if any(len(p.text) > LABEL_MAX_CHARS for p in row):
        return False
    if len(row) == 1:
        piece = row[0]
        if piece.x1 - piece.x0 > 0.8 * text_width:
            return False
        if SECTION20_RE.search(piece.text):  # the title row of a block of table 二, set left or centred
            return True
        if starts_item(piece.text) and piece.x0 <= left_edge + INDENT_CHARS * piece.size:
            return False
    return True


def find_unruled_tables(pieces: list[TextLine]) -> tuple[list[PageTable], list[TextLine]]:
    """(tables, the pieces not in them) for a page's text pieces outside ruled tables."""
    if not pieces:
        return [], pieces
    rows = visual_rows(pieces)
    left_edge = min(p.x0 for p in pieces)
    text_width = max(p.x1 for p in pieces) - left_edge
    tables, used = _banded_tables(rows)
    is_value = [value_row(r) and k not in used for k, r in enumerate(rows)]
    is_cell = [k not in used and (v or _is_cell_row(r, left_edge, text_width))
               for k, (r, v) in enumerate(zip(rows, is_value))]
    i = 0
    while i < len(rows):
        if not is_value[i]:
            i += 1
            continue
        # the run of cell rows around this row of values, ending at its last row of values
        end = i
        j = i
        while j + 1 < len(rows) and is_cell[j + 1]:
            j += 1
            if is_value[j]:
                end = j
        # the rest of the last row's label, wrapped below its figures (Word sets them beside
        # its first line)
        while end + 1 < len(rows) and is_cell[end + 1] and _goes_on_below(rows[end], rows[end + 1]):
            end += 1
        start = i
        while start > 0 and is_cell[start - 1] and i - (start - 1) <= HEADER_ROWS_ABOVE:
            start -= 1
        region = list(range(start, end + 1))
        if sum(len(rows[k]) >= 2 for k in region) >= MIN_CELL_ROWS:
            table = _unruled_table([rows[k] for k in region], [is_value[k] for k in region])
            if table is not None:
                tables.append(table)
                used.update(region)
        i = end + 1
    rest = [p for k, row in enumerate(rows) if k not in used for p in row]
    return tables, rest


# A table whose header labels wrap over several baselines and whose rows are figures only
# (table 四: 结果 / 维持 over each of its 15 columns, 行政复议 and 行政诉讼 above them, one row
# of figures, some cells blank). Its columns are the header's, not the figures': the header
# lines are one band, and the labels that overlap in x, on whatever baseline, are one column.
# A figure goes to the column it stands under, so a blank cell is a column without a figure.

MIN_BAND_ROWS = 2      # header lines of a wrapped header: a single line is an ordinary header row
MIN_BAND_COLUMNS = 3
# A label reaching this many font sizes past a column on both sides is centred over more than
# that column (行政复议 over 其他 alone, the column on either side too far to overlap): the
# lines of a wrapped label differ by a character at most, half a character on each side.
WIDER = 0.75


def _is_header_line(row: list[TextLine]) -> bool:
    return len(row) >= 2 and all(not is_number(p) and len(p.text) <= LABEL_MAX_CHARS for p in row)


def _is_figure_line(row: list[TextLine]) -> bool:
    return len(row) >= 2 and all(is_number(p) for p in row)


def header_band_at_foot(rows: list[list[TextLine]]) -> int:
    """How many of the last ``rows`` (a page's visual rows, top to bottom) may be a table's
    header with nothing below it, its rows of figures on the next page: header lines (two
    labels or more each), and above them short rows that can be part of a table (the block's
    title, 第二十条第（八）项). Whether they are is told by the next page."""
    n = 0
    while n < len(rows) and _is_header_line(rows[len(rows) - 1 - n]):
        n += 1
    if not n:
        return 0
    pieces = [p for row in rows for p in row]
    left_edge = min(p.x0 for p in pieces)
    text_width = max(p.x1 for p in pieces) - left_edge
    while n < min(len(rows), HEADER_ROWS_ABOVE) and len(rows[len(rows) - 1 - n]) == 1 and \
            _is_cell_row(rows[len(rows) - 1 - n], left_edge, text_width) and \
            not is_number(rows[len(rows) - 1 - n][0]):
        n += 1
    return n


def _leaf_columns(pieces: list[TextLine]) -> tuple[list[list[float]], list[TextLine]]:
    """(the header's bottom-level columns as [x0, x1], narrowest label first; the labels over
    several of them). Labels are taken narrowest first: the lines of a wrapped label overlap
    one column, a spanning label overlaps two or more, or one and reaches well past it."""
    columns: list[list[float]] = []
    members: list[list[TextLine]] = []
    spanning: list[TextLine] = []
    for p in sorted(pieces, key=lambda p: p.x1 - p.x0):
        over = [k for k, (x0, x1) in enumerate(columns) if p.x0 < x1 and p.x1 > x0]
        if not over:
            columns.append([p.x0, p.x1])
            members.append([p])
        elif len(over) == 1 and not (p.x0 < columns[over[0]][0] - WIDER * p.size and
                                     p.x1 > columns[over[0]][1] + WIDER * p.size):
            k = over[0]
            columns[k] = [min(columns[k][0], p.x0), max(columns[k][1], p.x1)]
            members[k].append(p)
        else:
            spanning.append(p)
    order = sorted(range(len(columns)), key=lambda k: columns[k][0])
    for a, b in zip(order, order[1:]):
        if columns[a][1] > columns[b][0]:  # columns grown into each other: no clear columns
            return [], spanning
    return [columns[k] + [members[k]] for k in order], spanning


def _banded_tables(rows: list[list[TextLine]]) -> tuple[list[PageTable], set[int]]:
    """Tables of a header band (``MIN_BAND_ROWS`` or more lines of labels) over lines of
    figures only, and the indexes of their rows."""
    tables, used = [], set()
    k = 0
    while k < len(rows):
        start = k
        while k < len(rows) and _is_header_line(rows[k]):
            k += 1
        if k - start < MIN_BAND_ROWS:
            k = max(k, start + 1)
            continue
        end = k
        while end < len(rows) and _is_figure_line(rows[end]):
            end += 1
        table = _banded_table(rows[start:k], rows[k:end]) if end > k else None
        if table is not None:
            tables.append(table)
            used.update(range(start, end))
        k = end if end > k else k
    return tables, used


def _banded_table(header: list[list[TextLine]], figures: list[list[TextLine]]) -> PageTable | None:
    columns, spanning = _leaf_columns([p for row in header for p in row])
    if len(columns) < MIN_BAND_COLUMNS:
        return None

    def column_of(p: TextLine) -> int | None:
        middle = (p.x0 + p.x1) / 2
        inside = [c for c, (x0, x1, _) in enumerate(columns) if x0 - p.size <= middle <= x1 + p.size]
        return inside[0] if len(inside) == 1 else None

    figure_rows = []
    for row in figures:
        placed = {}
        for p in row:
            c = column_of(p)
            if c is None or c in placed:
                return None  # figures that do not stand one under each column: not this table
            placed[c] = p.text.strip()
        figure_rows.append(placed)
    cells: list[TableCell] = []
    # spanning labels, a row per baseline, each over the columns it overlaps
    span_rows = visual_rows(spanning) if spanning else []
    for r, row in enumerate(span_rows):
        taken: set[int] = set()
        for p in row:
            over = [c for c, (x0, x1, _) in enumerate(columns) if p.x0 < x1 and p.x1 > x0]
            if not over or taken & set(over):
                continue
            taken.update(range(over[0], over[-1] + 1))
            cells.append(TableCell(r, over[0], 1, over[-1] - over[0] + 1, p.text.strip()))
    r = len(span_rows)
    for c, (_, _, members) in enumerate(columns):  # a wrapped label's lines joined top to bottom
        cells.append(TableCell(r, c, 1, 1, cell_text("\n".join(q.text for q in sorted(members, key=lambda q: -q.top)))))
    for placed in figure_rows:
        r += 1
        cells.extend(TableCell(r, c, 1, 1, placed.get(c, "")) for c in range(len(columns)))
    x_edges = [columns[0][0]] + [(a[1] + b[0]) / 2 for a, b in zip(columns, columns[1:])] + [columns[-1][1]]
    pieces = [p for row in header + figures for p in row]
    return PageTable(cells, r + 1, len(columns), x_edges, max(p.top for p in pieces),
                     min(p.top - p.size for p in pieces))


def _goes_on_below(row: list[TextLine], below: list[TextLine]) -> bool:
    """Is ``below`` (labels only) the next line of a label of ``row``: a line apart, under it,
    not starting an item?"""
    labels = [p for p in row if not is_number(p)]
    return bool(labels) and all(not is_number(p) and not starts_item(p.text) for p in below) and all(
        any(p.x0 < q.x1 and p.x1 > q.x0 and q.top - p.top <= LABEL_LINE_PITCH * p.size for q in labels)
        for p in below)


def _unruled_table(rows: list[list[TextLine]], value_flags: list[bool]) -> PageTable | None:
    numbers = [p for row, v in zip(rows, value_flags) if v for p in row if is_number(p)]
    # value columns: the numbers' horizontal extents, overlapping ones merged
    spans: list[list[float]] = []
    for p in sorted(numbers, key=lambda p: p.x0):
        if spans and p.x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], p.x1)
        else:
            spans.append([p.x0, p.x1])
    if not spans:
        return None
    label_right = spans[0][0]
    value_rows = [k for k, v in enumerate(value_flags) if v]
    first_value = value_rows[0]

    def column_of(piece: TextLine) -> int:  # 0 = the label column, 1.. = value columns
        middle = (piece.x0 + piece.x1) / 2
        if piece.x1 <= label_right:
            return 0
        return 1 + min(range(len(spans)), key=lambda s: abs((spans[s][0] + spans[s][1]) / 2 - middle))

    def labels_only(row: list[TextLine]) -> bool:
        return all(p.x1 <= label_right for p in row)

    # Label lines go to the row of values nearest them. Above the first row of values that is
    # a header row, unless it is the first line of that row's wrapped label: a cell's text is
    # centred in its row, so the figures stand between the label's lines, less than a line
    # below the first (a header row is a whole row above). A table going on from the page
    # before starts so.
    above = first_value - 1
    label_rows = {k for k in range(first_value + 1, len(rows)) if labels_only(rows[k])}
    if above >= 0 and labels_only(rows[above]) and \
            rows[above][0].top - rows[first_value][0].top < rows[above][0].size:
        label_rows.add(above)
    # A numbered item with no figures at all (blank cells) is a row of its own: its label
    # starts an item and stands further from every row of figures than the first line of a
    # wrapped label does (that is centred on its figures, a line or so above them).
    item_lefts = sorted(labels[-1].x0 for v in value_rows
                        if (labels := [p for p in rows[v] if not is_number(p)]))
    item_left = item_lefts[len(item_lefts) // 2] if item_lefts else label_right

    def in_item_column(p: TextLine) -> bool:  # not a group label's line ((四) beside 1. … 3.)
        # a label over both columns reaches well into it; a short last line starts in it
        return p.x1 > item_left + p.size or p.x0 >= item_left - p.size / 2

    blank_rows = {k for k in label_rows if k > first_value and starts_item(rows[k][-1].text)
                  and in_item_column(rows[k][-1])
                  and min(abs(rows[v][-1].top - rows[k][-1].top) for v in value_rows)
                  >= BLANK_ROW_LINES * rows[k][-1].size}
    label_rows -= blank_rows
    anchors = sorted(value_rows + list(blank_rows))
    def header_entry(p: TextLine) -> tuple[int, int, str]:
        first, last = column_of(p), column_of(p)
        if p.x1 > label_right:  # a header over several value columns
            covered = [1 + s for s, (a, b) in enumerate(spans) if p.x0 < b and p.x1 > a]
            if covered:
                first, last = min(covered[0], first), max(covered[-1], last)
        return first, last, p.text.strip()

    # A figure too wide for its cell wraps inside it (172 as 17 over 2): its lines stand in a
    # column its row has no figure in, less than a line above and below the row's figures.
    wrapped: dict[int, dict[int, list[TextLine]]] = {}  # row of values → column → lines
    wrapped_rows: set[int] = set()
    for k, row in enumerate(rows):
        if value_flags[k] or labels_only(row) or not all(is_number(p) for p in row):
            continue
        near = [v for v in value_rows if abs(rows[v][-1].top - row[0].top) < row[0].size]
        if not near:
            continue
        v = min(near, key=lambda v: abs(rows[v][-1].top - row[0].top))
        taken = {column_of(p) for p in rows[v] if is_number(p)}
        if any(column_of(p) in taken for p in row):
            continue
        for p in row:
            wrapped.setdefault(v, {}).setdefault(column_of(p), []).append(p)
        wrapped_rows.add(k)
    grid_rows: list[dict] = []  # {"labels": [pieces], "values": {col: text}, "span": [(col0, col1, text)]}
    row_of_value: dict[int, int] = {}
    for k, row in enumerate(rows):
        if k in wrapped_rows:
            continue
        if value_flags[k]:
            labels = [p for p in row if not is_number(p)]
            values = {column_of(p): p.text.strip() for p in row if is_number(p)}
            for col, lines in wrapped.get(k, {}).items():
                values[col] = "".join(q.text.strip() for q in sorted(lines, key=lambda q: -q.top))
            row_of_value[k] = len(grid_rows)
            grid_rows.append({"labels": labels, "values": values, "top": row[0].top, "headers": []})
        elif k in blank_rows:
            row_of_value[k] = len(grid_rows)
            grid_rows.append({"labels": list(row), "values": {c: "" for c in range(1, len(spans) + 1)},
                              "top": row[0].top, "headers": []})
        elif k in label_rows:
            continue  # label pieces beside the rows of values: placed below
        elif grid_rows and grid_rows[-1]["headers"] and len(row) > 1 and len(grid_rows[-1]["pieces"]) > 1 \
                and grid_rows[-1]["top"] - row[0].top <= LABEL_LINE_PITCH * row[0].size:
            # a header whose labels wrap over baselines less than a line apart (本年新 over
            # 信息内容 over 制作数量): one header row, the lines of each label joined
            band = grid_rows[-1]["pieces"] + row
            grid_rows[-1].update(pieces=band, headers=[header_entry(p) for p in _joined_labels(band)])
        else:
            grid_rows.append({"labels": [], "values": {}, "top": row[0].top, "pieces": list(row),
                              "headers": [header_entry(p) for p in row]})
    # Label pieces of rows without values: a line going on from the item label just above it
    # (one line apart, not starting an item) belongs to that label's row, wherever its
    # figures stand (Word sets them beside the first line, LibreOffice beside the middle);
    # any other line to the nearest row of values.
    last_item: tuple[float, int] | None = None  # (top, row) of the last item label line
    for k, row in enumerate(rows):
        item_lines = [p for p in row if not is_number(p) and in_item_column(p)]
        if k in row_of_value:
            if item_lines:
                last_item = (item_lines[-1].top, k)
            continue
        if k not in label_rows:
            continue
        line = item_lines[-1] if item_lines else None
        if line is not None and last_item is not None and not starts_item(line.text) and \
                last_item[0] - line.top <= LABEL_LINE_PITCH * line.size:
            owner = last_item[1]
        else:
            owner = min(anchors, key=lambda v: abs(rows[v][0].top - row[0].top))
        if line is not None:
            last_item = (line.top, owner)
        grid_rows[row_of_value[owner]]["labels"].extend(row)
    # each row's label pieces in columns (x order), a wrapped label's lines joined top to bottom
    for grid_row in grid_rows:
        groups: list[list[TextLine]] = []
        for p in sorted(grid_row["labels"], key=lambda p: p.x0):
            if groups and p.x0 < max(q.x1 for q in groups[-1]) and p.x1 > min(q.x0 for q in groups[-1]):
                groups[-1].append(p)
            else:
                groups.append([p])
        groups = [sorted(g, key=lambda q: -q.top) for g in groups]
        grid_row["item"] = cell_text("\n".join(q.text for q in groups[-1])) if groups else ""
        grid_row["outer"] = [q for g in groups[:-1] for q in g]
    _group_labels(grid_rows)
    # Cells: an empty position is joined to the cell on its left, as a merged cell would be
    # (a table without rules shows no difference): 行政许可 | 1842 over the three value
    # columns of table 二's 第二十条第（五）项 reads like the HTML table's colspan cell.
    n_cols = len(spans) + 2
    cells = []
    covered: set[int] = set()
    for r, grid_row in enumerate(grid_rows):
        if grid_row["headers"]:
            if len(grid_row["headers"]) == 1:
                entries = [(0, grid_row["headers"][0][2])]
            else:
                entries = [(first + 1 if first else 0, text) for first, _, text in grid_row["headers"]]
        else:
            if r not in covered:
                span = grid_row.get("group_span", 1)
                cells.append(TableCell(r, 0, span, 1, grid_row.get("group", "")))
                covered.update(range(r, r + span))
            entries = [(1, grid_row["item"])] + [(col + 1, text) for col, text in sorted(grid_row["values"].items())]
        entries = sorted(dict(entries).items())
        for (col, text), following in zip(entries, [e[0] for e in entries[1:]] + [n_cols]):
            if following > col:
                cells.append(TableCell(r, col, 1, following - col, text))
    # one grid position per header cell: overlapping header cells are moved right
    seen: set[tuple[int, int]] = set()
    kept = []
    for c in cells:
        positions = {(c.row, k) for k in range(c.col, c.col + c.colspan)}
        if positions & seen:
            continue
        seen |= positions
        kept.append(c)
    left = min(p.x0 for row in rows for p in row)
    x_edges = [left, left] + [s[0] for s in spans] + [spans[-1][1]]
    top = max(p.top for row in rows for p in row)
    bottom = min(p.top - p.size for row in rows for p in row)
    return PageTable(kept, len(grid_rows), len(spans) + 2, x_edges, top, bottom)


def _joined_labels(pieces: list[TextLine]) -> list[TextLine]:
    """Pieces of a header band, those overlapping in x joined top to bottom into one label."""
    groups: list[list[TextLine]] = []
    for p in sorted(pieces, key=lambda p: p.x0):
        if groups and p.x0 < max(q.x1 for q in groups[-1]):
            groups[-1].append(p)
        else:
            groups.append([p])
    out = []
    for g in groups:
        lines = sorted(g, key=lambda q: -q.top)
        out.append(TextLine(cell_text("\n".join(q.text for q in lines)), min(q.x0 for q in g),
                            max(q.x1 for q in g), lines[0].top, max(q.size for q in g)))
    return out


ITEM_NUMBER_RE = re.compile(r"^\s*(\d{1,2})\s*[.．、]")


def _item_number(text: str) -> int | None:
    m = ITEM_NUMBER_RE.match(text)
    return int(m.group(1)) if m else None


def _group_labels(grid_rows: list[dict]) -> None:
    """Group labels of a table without rules ((三)不予公开 beside items 1. to 8.): the
    label is set beside the middle of its rows, its lines spread over several of them. The
    lines are joined, and the label is given to the run of rows numbered 1., 2., 3. … that
    holds them (stored as "group" and "group_span" on the run's first row)."""
    rows = [r for r in grid_rows if not r["headers"]]
    i = 0
    while i < len(rows):
        if not rows[i]["outer"]:
            i += 1
            continue
        # the label's lines: outer pieces of consecutive rows, each line going on with the last
        lines, j = list(rows[i]["outer"]), i
        while j + 1 < len(rows) and rows[j + 1]["outer"] and not starts_item(rows[j + 1]["outer"][0].text):
            j += 1
            lines.extend(rows[j]["outer"])
        first, last = i, j
        numbers = [_item_number(r["item"]) for r in rows]
        while first > 0 and numbers[first] is not None and numbers[first - 1] == numbers[first] - 1 \
                and not rows[first - 1]["outer"]:
            first -= 1
        while last + 1 < len(rows) and numbers[last] is not None and numbers[last + 1] == numbers[last] + 1 \
                and not rows[last + 1]["outer"]:
            last += 1
        rows[first]["group"] = cell_text("\n".join(q.text for q in sorted(lines, key=lambda q: -q.top)))
        rows[first]["group_span"] = last - first + 1
        i = j + 1
