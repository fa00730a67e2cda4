"""The child process of parsing.documents.extract_document.

Each document is extracted in its own process, forked by a multiprocessing forkserver that has
imported this module, pdfplumber, pdfminer and mammoth once (documents.EXTRACTION_PRELOAD):
``serve`` is that process's target. It puts itself in a session of its own (the parent kills
the whole process group: LibreOffice and antiword die with it), ends that group when its
parent is gone, limits its own address space and CPU time, and only then reads the document
from its pipe; it sends back one JSON object (the fields of documents.Extracted). Any failure
inside the extraction is sent as ``error``; what cannot be sent (the memory limit hit while
sending, a CPU-limit signal) the parent reads from the exit status.

    python -m parsing._extract_worker KIND MEMORY_MB CPU_SECONDS  < document  > JSON

runs the same extraction in a fresh interpreter (how every document was extracted before the
forkserver; benchmarks/extract_speed.py compares the two).
"""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import replace
from multiprocessing.connection import wait

from lxml import html as lxml_html

from .cjk_fold import fold_radicals
from .documents import (
    EXIT_MEMORY, cell_text, drop_page_furniture, Extracted, find_unruled_tables, grid_from_boxes,
    header_band_at_foot, is_figure, is_number, join_blocks, PageTable, paragraphs_html, result_dict,
    stitch_tables, TextLine, title_lines, value_row, visual_rows,
)

# Text per page below which a page holding images counts as a scan (图片版): a scan
# keeps at most a stray page number or stamp caption in its text layer.
SCAN_TEXT_CHARS_PER_PAGE = 20
MAX_PAGES = 500  # reports run to 5–60 pages; a page tree claiming more is not one
ANTIWORD_MAPPING = "UTF-8.txt"
TITLE_MAX_CHARS = 80


def apply_limits(memory_mb: int, cpu_seconds: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # Soft limit → SIGXCPU, hard limit one second later → SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# --- PDF -----------------------------------------------------------------------------------

def _page_pieces(layout) -> tuple[list[TextLine], int]:
    """The page's text pieces (pdfminer's text lines: a line splits at wide gaps, so a table
    row is one piece per cell) and its image count."""
    from pdfminer.layout import LTChar, LTImage, LTTextLineHorizontal

    pieces, images, stack = [], 0, [layout]
    while stack:  # iterative walk: figures nest figures
        obj = stack.pop()
        if isinstance(obj, LTImage):
            images += 1
        elif isinstance(obj, LTTextLineHorizontal):
            pieces.extend(_split_at_gaps(obj))
        elif hasattr(obj, "__iter__") and not isinstance(obj, LTChar):
            stack.extend(obj)
    return pieces, images


# A gap wider than this many font sizes inside a pdfminer line is a gap between two cells of a
# table without rules ("0   25"): pdfminer joins pieces closer than two characters. A narrow
# figure column sets a label's last character and its figure 0.7 font sizes apart
# (4.保护第三方合法权益 | 1); running text puts a fifth of one between a character and a digit.
CELL_GAP = 0.6
# A narrower gap still parts a label from a figure that ends the line (…禁止公开 | -, …另行制作
# | 0 set 0.47 font sizes apart): only a figure after it, so running text stays whole.
FIGURE_GAP = 0.4


def _split_at_gaps(line) -> list[TextLine]:
    from pdfminer.layout import LTChar

    pieces, text, chars = [], [], []
    last_gap: tuple[int, int] | None = None  # (text index, char index) of the last narrower gap

    def add(part_text: list, part_chars: list):
        joined = "".join(part_text).strip()
        if joined and part_chars:
            pieces.append(TextLine(joined, part_chars[0].x0, part_chars[-1].x1, max(c.y1 for c in part_chars),
                                   max(c.size for c in part_chars)))

    def flush():
        nonlocal last_gap
        if last_gap is not None and is_figure("".join(text[last_gap[0]:]).strip()) and \
                "".join(text[:last_gap[0]]).strip():
            add(text[:last_gap[0]], chars[:last_gap[1]])
            add(text[last_gap[0]:], chars[last_gap[1]:])
        else:
            add(text, chars)
        text.clear()
        chars.clear()
        last_gap = None

    for obj in line:
        if isinstance(obj, LTChar):
            if chars:
                gap = obj.x0 - chars[-1].x1
                size = max(obj.size, chars[-1].size)
                if gap > CELL_GAP * size:
                    flush()
                elif gap > FIGURE_GAP * size:
                    last_gap = (len(text), len(chars))
            chars.append(obj)
        text.append(obj.get_text())
    flush()
    if not pieces:  # a line of no characters (LTAnno only)
        joined = line.get_text().strip()
        return [TextLine(joined, line.x0, line.x1, line.y1, line.height)] if joined else []
    return pieces


def _visual_lines(pieces: list[TextLine]) -> list[TextLine]:
    """Pieces top to bottom (left to right on one baseline), a line's pieces joined."""
    return _merge_baselines(sorted(pieces, key=lambda line: (-round(line.top), line.x0)))


def _merge_baselines(lines: list[TextLine]) -> list[TextLine]:
    """Pieces of one visual line (pdfminer splits a line at wide gaps, and table rows are
    one piece per cell) joined into one line, cells separated by a space."""
    merged: list[TextLine] = []
    for line in lines:
        last = merged[-1] if merged else None
        if last and abs(last.top - line.top) < 0.5 * min(last.size, line.size):
            merged[-1] = TextLine(last.text + " " + line.text, last.x0, max(last.x1, line.x1), last.top,
                                  max(last.size, line.size))
        else:
            merged.append(line)
    return merged


def _ruled_tables(page) -> list[PageTable]:
    """The page's ruled tables (pdfplumber's lines strategy), merged cells kept; tables of a
    single row too (the last row of a table can stand alone at the top of the next page:
    _reading_order keeps such a table only when it goes on with the table before it)."""
    height = page.height
    tables = []
    for found in page.find_tables():
        boxes = []
        for row, texts in zip(found.rows, found.extract()):
            for box, text in zip(row.cells, texts):
                if box is not None:
                    x0, top, x1, bottom = box
                    boxes.append((x0, height - top, x1, height - bottom, cell_text(text or "")))
        table = grid_from_boxes(boxes, min_rows=1)
        if table is not None:
            tables.append(table)
    return tables


def _inside(piece: TextLine, table: PageTable) -> bool:
    middle_x, middle_y = (piece.x0 + piece.x1) / 2, piece.top - piece.size / 2
    return table.x_edges[0] <= middle_x <= table.x_edges[-1] and table.bottom <= middle_y <= table.top


def _pdf_pages(body: bytes):
    """(pdfplumber page, its number) one at a time: pdfplumber's PDF.pages builds every page
    first, and a page-tree bomb claims 10^8 of them."""
    import pdfplumber
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    pdf = pdfplumber.PDF(io.BytesIO(body), laparams={})
    doctop = 0
    for number, page_object in enumerate(PDFPage.create_pages(pdf.doc), 1):
        page = Page(pdf, page_object, page_number=number, initial_doctop=doctop)
        doctop += page.height
        yield page, number


def extract_pdf(body: bytes) -> Extracted:
    pages: list[list[TextLine]] = []
    page_tables: list[list[PageTable]] = []
    page_rows: list[list[PageTable]] = []  # one-row ruled tables: their text stays in the lines
    image_count = 0
    carried: list[TextLine] = []  # a table header alone at the foot of the page before
    carried_page: list[TextLine] = []  # that page's other lines
    foot_table, foot_pieces = None, []  # a table without rules ending the page before, its text
    for page, number in _pdf_pages(body):
        if number > MAX_PAGES:
            return Extracted("pdf", pages=len(pages), error=f"too_large: more than {MAX_PAGES} pages")
        pieces, images = _page_pieces(page.layout)
        tables = _ruled_tables(page)
        rows = [t for t in tables if t.rows == 1]
        tables = [t for t in tables if t.rows > 1]
        pieces = [p for p in pieces if not any(_inside(p, t) for t in tables)]
        unruled, rest = find_unruled_tables(pieces)
        if carried:  # the header band left at the foot of the page before, over this page's top
            with_header, rest_with_header = _with_header_above(carried, pieces)
            if with_header is not None:
                unruled, rest = with_header, rest_with_header
            else:
                pages[-1] = _visual_lines(carried_page + carried)
        elif foot_table is not None and unruled and not tables:
            continued = _table_going_on(foot_table, foot_pieces, pieces, len(unruled))
            if continued is not None:
                page_tables[-1].remove(foot_table)
                unruled, rest, pieces = continued
        carried, carried_page = _header_at_foot(rest, tables + unruled)
        foot_table, foot_pieces = _unruled_at_foot(pieces, rest, tables, unruled)
        page.close()  # its objects are not needed again
        pages.append(_visual_lines(carried_page))
        page_tables.append(sorted(tables + unruled, key=lambda t: -t.top))
        page_rows.append(rows)
        image_count += images
    if carried:  # a header at the foot of the last page: no figures followed it
        pages[-1] = _visual_lines(carried_page + carried)
    if not pages:
        return Extracted("pdf", pages=0, error="corrupt: no pages")
    pages = drop_page_furniture(pages)
    items = _reading_order(pages, page_tables, page_rows)
    lines = [item for item in items if isinstance(item, TextLine)]
    chars = sum(len(line.text) for line in lines)
    image_only = image_count > 0 and chars < SCAN_TEXT_CHARS_PER_PAGE * len(pages)
    if not lines and not any(page_tables):
        return Extracted("pdf", None, image_only, image_count, len(pages))
    n_title = title_lines(lines)
    title = "".join(line.text for line in lines[:n_title]) or None
    title_lines_ = {id(line) for line in lines[:n_title]}
    blocks = join_blocks([item for item in items if id(item) not in title_lines_])
    if title:
        blocks.insert(0, title)
    elif blocks and isinstance(blocks[0], str) and len(blocks[0]) <= TITLE_MAX_CHARS:
        title = blocks[0]
    return Extracted("pdf", paragraphs_html(title, blocks), image_only, image_count, len(pages))


def _header_at_foot(rest: list[TextLine], tables: list[PageTable]) -> tuple[list[TextLine], list[TextLine]]:
    """(the lines of a table header alone at the foot of a page, below every table and line
    of it, the page's other lines). LibreOffice moves a table row that does not fit to the
    next page: table 四's row of figures goes there, its header stays."""
    rows = visual_rows(rest)
    n = header_band_at_foot(rows)
    band = [p for row in rows[len(rows) - n:] for p in row] if n else []
    if not band or any(t.bottom < max(p.top for p in band) for t in tables):
        return [], rest
    ids = {id(p) for p in band}
    return band, [p for p in rest if id(p) not in ids]


def _with_header_above(header: list[TextLine], pieces: list[TextLine]) -> tuple[list[PageTable] | None, list]:
    """This page's tables and other lines, with ``header`` (the last page's foot) set just
    above its first line; (None, pieces) unless the header became part of a table here."""
    if not pieces:
        return None, pieces
    size = max(p.size for p in header)
    shift = max(p.top for p in pieces) + 2 * size - min(p.top for p in header)
    moved = [replace(p, top=p.top + shift) for p in header]
    tables, rest = find_unruled_tables(moved + pieces)
    ids = {id(p) for p in moved}
    if any(id(p) in ids for p in rest):
        return None, pieces
    return tables, rest


def _unruled_at_foot(pieces: list[TextLine], rest: list[TextLine], tables: list[PageTable],
                    unruled: list[PageTable]) -> tuple[PageTable | None, list[TextLine]]:
    """(the table without rules that ends the page, nothing of the page below it; its
    pieces), or (None, [])."""
    if not unruled or tables:
        return None, []
    last = min(unruled, key=lambda t: t.bottom)
    if any(p.top - p.size < last.bottom for p in rest):
        return None, []
    free = {id(p) for p in rest}
    own = [p for p in pieces if id(p) not in free and last.bottom <= p.top - p.size and p.top <= last.top]
    return last, own


def _table_going_on(upper: PageTable, upper_pieces: list[TextLine], pieces: list[TextLine],
                    n_tables: int) -> tuple[list[PageTable], list[TextLine], list[TextLine]] | None:
    """This page's tables, its other lines and its pieces, the table that ended the page before (``upper``,
    made of ``upper_pieces``) going on in the first of them; None when that part is a table
    of its own. A part that starts with a header over the figures' columns (申请人情况,
    信息内容 | 本年…) is a table of its own; one that starts with figures or with the rest of
    a label (秘密, under 1.属于国家 above) goes on: its text is set a line below the table
    above and the tables are found again, as one."""
    rows = visual_rows(pieces)
    first_value = next((k for k, row in enumerate(rows) if value_row(row)), None)
    if first_value is None:
        return None
    figures_left = min(p.x0 for p in rows[first_value] if is_number(p))
    if any(p.x1 > figures_left for row in rows[:first_value] for p in row):
        return None
    lowest = min(upper_pieces, key=lambda p: p.top)
    shift = max(p.top for p in pieces) + CONTINUED_LINE * lowest.size - lowest.top
    moved = [replace(p, top=p.top + shift) for p in upper_pieces]
    tables, rest = find_unruled_tables(moved + pieces)
    tables.sort(key=lambda t: -t.top)
    ids = {id(p) for p in moved}
    if len(tables) != n_tables or any(id(p) in ids for p in rest) or tables[0].cols != upper.cols:
        return None
    return tables, rest, moved + pieces


# Where the next page's first line is set under a table's last line when its parts are joined:
# a line of a wrapped label below the one before (labels go on from line to line).
CONTINUED_LINE = 1.4


def _reading_order(pages: list[list[TextLine]], page_tables: list[list[PageTable]],
                   page_rows: list[list[PageTable]]) -> list:
    """Lines and tables page by page, top to bottom; a table that ends a page and one that
    starts the next are one table when stitch_tables says so.

    A one-row ruled table (``page_rows``; its text is also among the page's lines) can be a
    table's first row left alone at the foot of a page or its last row (or the rest of a
    broken row) alone at the top of the next: one above or below everything else on its page
    is tried as such. When it does not go on with a table, its text stays as lines."""
    items: list = []
    held: dict[int, list[TextLine]] = {}  # id of a one-row table in items → its text lines
    for lines, tables, rows in zip(pages, page_tables, page_rows):
        page_items = sorted(lines + tables, key=lambda item: -item.top)
        head = _lone_row(rows, page_items, top=True)
        if items and isinstance(items[-1], PageTable):
            first, rest = head if head else (page_items[0] if page_items else None, page_items[1:])
            stitched = stitch_tables(items[-1], first) if isinstance(first, PageTable) else None
            if stitched is not None:
                held.pop(id(items[-1]), None)
                items[-1] = stitched
                page_items = rest
                rows = [row for row in rows if row is not first]
        foot = _lone_row(rows, page_items, top=False)
        if foot:
            row, page_items = foot
            held[id(row)] = [item for item in sorted(lines, key=lambda line: -line.top) if _inside(item, row)]
            page_items.append(row)
        items.extend(page_items)
    # a one-row table at a page's foot that no table went on from: its lines again
    return [line for item in items for line in (held[id(item)] if id(item) in held else [item])]


def _lone_row(rows: list[PageTable], page_items: list, top: bool) -> tuple[PageTable, list] | None:
    """(a one-row table, the page's other items) when the table is above (``top``) or below
    every item of the page but its own text lines."""
    for row in rows:
        others = [item for item in page_items if not (isinstance(item, TextLine) and _inside(item, row))]
        if top and all(item.top <= row.top for item in others):
            return row, others
        if not top and all(item.top >= row.bottom for item in others):
            return row, others
    return None


# --- DOCX ----------------------------------------------------------------------------------

def _html_page(title: str | None, body_html: str) -> str:
    from html import escape
    head = f"<title>{escape(title)}</title>" if title else ""
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{head}</head><body>\n{body_html}\n</body></html>\n'


def _first_text(root) -> str | None:
    """The document's title: its first short line of text (Word's own title property is
    usually "Microsoft Word - 文档1.docx")."""
    for el in root.iter("p", "h1", "h2", "h3", "h4", "td"):
        text = " ".join(el.text_content().split())
        if text:
            return text if len(text) <= TITLE_MAX_CHARS else None
    return None


def extract_docx(body: bytes) -> Extracted:
    import mammoth

    image_count = 0

    def count_image(image):
        nonlocal image_count
        image_count += 1
        return {}  # never read the image bytes: a picture is counted, not kept

    result = mammoth.convert_to_html(io.BytesIO(body), convert_image=mammoth.images.img_element(count_image))
    fragment = result.value
    text = ""
    root = None
    if fragment.strip():
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        text = root.text_content().strip()
    if not text:
        return Extracted("docx", None, image_count > 0, image_count, None)
    return Extracted("docx", _html_page(_first_text(root), fragment), False, image_count, None)


# --- DOC / WPS -------------------------------------------------------------------------------

TABLE_LINE_RE = re.compile(r"^\|.*\|\s*$")


def _table_html(rows: list[str]) -> str:
    """antiword's "|a |b |" table lines as a <table>; a row with fewer cells spans the width."""
    from html import escape
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    width = max(len(r) for r in cells)
    out = ["<table>"]
    for row in cells:
        tds = [f"<td>{escape(c)}</td>" for c in row]
        if len(row) < width:
            tds[-1] = f'<td colspan="{width - len(row) + 1}">{escape(row[-1])}</td>'
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


def antiword_html(text: str) -> tuple[str | None, str]:
    """(title, body HTML) from antiword's text: one paragraph a line, tables as |…| lines."""
    from html import escape
    parts, table, title = [], [], None
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        if TABLE_LINE_RE.match(line):
            table.append(line)
            continue
        if table:
            parts.append(_table_html(table))
            table = []
        if line:
            if title is None and not parts and len(line) <= TITLE_MAX_CHARS:
                title = line
            parts.append(f"<p>{escape(line)}</p>")
    return title, "\n".join(parts)


SOFFICE_NAMES = ("soffice", "libreoffice")


def convert_with_libreoffice(body: bytes) -> bytes | None:
    """The DOC/WPS as DOCX, converted by LibreOffice (Word 97 tables with merged cells
    survive, which antiword's text drops); None when LibreOffice is not installed or cannot
    read the file. It runs as a child of this process: the address-space and CPU limits
    apply to it too, and the parent's timeout kills the whole process group. Its profile is
    a private directory, so conversions never share or lock a user's profile."""
    soffice = next(filter(None, map(shutil.which, SOFFICE_NAMES)), None)
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="nianbao-") as private:  # mode 0700
        path = os.path.join(private, "document.doc")  # fixed name: never one from the URL
        with open(path, "wb") as f:
            f.write(body)
        run = subprocess.run([soffice, "--headless", "--norestore", "--nolockcheck",
                              f"-env:UserInstallation=file://{private}/profile",
                              "--convert-to", "docx:MS Word 2007 XML", "--outdir", private, path],
                             capture_output=True, check=False, stdin=subprocess.DEVNULL)
        converted = os.path.join(private, "document.docx")
        if run.returncode != 0 or not os.path.exists(converted):
            return None
        with open(converted, "rb") as f:
            return f.read()


def extract_doc(body: bytes, kind: str) -> Extracted:
    docx = convert_with_libreoffice(body)
    if docx is not None:
        result = extract_docx(docx)
        if result.html or result.image_only:
            result.kind = kind
            return result
    antiword = shutil.which("antiword")
    if antiword is None:
        return Extracted(kind, error=f"unsupported: {kind} (antiword not installed)")
    with tempfile.TemporaryDirectory(prefix="nianbao-") as private:  # mode 0700
        path = os.path.join(private, "document.doc")  # fixed name: never one from the URL
        with open(path, "wb") as f:
            f.write(body)
        # -w 0: a paragraph on one line; -i 1: images are left out, not drawn as text
        run = subprocess.run([antiword, "-m", ANTIWORD_MAPPING, "-w", "0", "-i", "1", path],
                             capture_output=True, check=False)
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        return Extracted(kind, error=f"corrupt: antiword: {(message or ['exit %d' % run.returncode])[-1][:200]}")
    text = run.stdout.decode("utf-8", "replace")
    if not text.strip():
        return Extracted(kind, None, False, 0, None)
    title, body_html = antiword_html(text)
    return Extracted(kind, _html_page(title, body_html), False, 0, None)


def extract(kind: str, body: bytes) -> Extracted:
    if kind == "pdf":
        result = extract_pdf(body)
    elif kind == "docx":
        result = extract_docx(body)
    elif kind in ("doc", "wps"):
        result = extract_doc(body, kind)
    else:
        return Extracted(kind, error=f"unsupported: {kind}")
    if result.html:
        # ⼈⺠ → 人民 before anything reads the text (the markup is ASCII: folding it all is safe)
        result.html = fold_radicals(result.html)
    return result


def extract_safely(kind: str, body: bytes) -> bytes:
    """The JSON the parent reads: the extraction, or the error it ended with."""
    try:
        result = extract(kind, body)
    except MemoryError:
        result = Extracted(kind, error="memory")
    except Exception as exc:  # a hostile file may raise anything from deep inside a parser
        result = Extracted(kind, error=f"corrupt: {type(exc).__name__}: {str(exc)[:200]}")
    return json.dumps(result_dict(result), ensure_ascii=False).encode("utf-8")  # whatever the locale


def _end_with_parent() -> None:
    """End this process and its process group (LibreOffice, antiword) when the process that asked
    for the document is gone, killed with kill -9 included: its wall-clock timeout cannot kill us
    then, and a child blocked in a read uses no CPU time, so the CPU limit would never end it.
    The sentinel is multiprocessing's: a pipe whose write end only the parent holds."""
    sentinel = multiprocessing.parent_process().sentinel

    def watch():
        wait([sentinel])
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def serve(connection, kind: str, memory_mb: int, cpu_seconds: int, environment: dict[str, str]) -> None:
    """Target of the process that extracts one document (see the module doc)."""
    os.setsid()
    _end_with_parent()  # before the limits: the thread's stack is address space too
    # Nobody reads our stdout/stderr (the forkserver's are the crawl's terminal): pdfminer's
    # warnings about a broken file go nowhere, as they did when a pipe caught them.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    # The caller's environment of now, as a fresh subprocess would have it (the forkserver has
    # the one of when it started): PATH decides which antiword and LibreOffice run, TMPDIR where.
    os.environ.clear()
    os.environ.update(environment)
    apply_limits(memory_mb, cpu_seconds)
    try:
        connection.send_bytes(extract_safely(kind, connection.recv_bytes()))
    except MemoryError:
        os._exit(EXIT_MEMORY)


def main(argv: list[str]) -> int:
    kind, memory_mb, cpu_seconds = argv[0], int(argv[1]), int(argv[2])
    apply_limits(memory_mb, cpu_seconds)
    body = sys.stdin.buffer.read()
    sys.stdout.buffer.write(extract_safely(kind, body))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
