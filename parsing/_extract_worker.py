"""The child process of parsing.documents.extract_document.

    python -m parsing._extract_worker KIND MEMORY_MB CPU_SECONDS  < document  > JSON

It limits its own address space and CPU time before reading the document, extracts, and
prints one JSON object (the fields of documents.Extracted). Any failure inside the
extraction is printed as ``error``; what cannot be printed (the memory limit hit while
printing, a CPU-limit signal) the parent reads from the exit status.
"""
from __future__ import annotations

import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

from lxml import html as lxml_html

from .documents import (
    Extracted, TextLine, drop_page_furniture, join_lines, paragraphs_html, result_dict, title_lines,
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

def _page_lines(layout) -> tuple[list[TextLine], int]:
    """The page's visual lines top to bottom (left to right on one baseline) and its image count."""
    from pdfminer.layout import LTChar, LTImage, LTTextLineHorizontal

    lines, images, stack = [], 0, [layout]
    while stack:  # iterative walk: figures nest figures
        obj = stack.pop()
        if isinstance(obj, LTImage):
            images += 1
        elif isinstance(obj, LTTextLineHorizontal):
            text = obj.get_text().strip()
            if text:
                sizes = [ch.size for ch in obj if isinstance(ch, LTChar)]
                lines.append(TextLine(text, obj.x0, obj.x1, obj.y1, max(sizes) if sizes else obj.height))
        elif hasattr(obj, "__iter__") and not isinstance(obj, LTChar):
            stack.extend(obj)
    lines.sort(key=lambda line: (-round(line.top), line.x0))
    return _merge_baselines(lines), images


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


def extract_pdf(body: bytes) -> Extracted:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages: list[list[TextLine]] = []
    image_count = 0
    for layout in extract_pages(io.BytesIO(body), laparams=LAParams()):
        if len(pages) >= MAX_PAGES:
            return Extracted("pdf", pages=len(pages), error=f"too_large: more than {MAX_PAGES} pages")
        lines, images = _page_lines(layout)
        pages.append(lines)
        image_count += images
    if not pages:
        return Extracted("pdf", pages=0, error="corrupt: no pages")
    pages = drop_page_furniture(pages)
    lines = [line for page in pages for line in page]
    chars = sum(len(line.text) for line in lines)
    image_only = image_count > 0 and chars < SCAN_TEXT_CHARS_PER_PAGE * len(pages)
    if not lines:
        return Extracted("pdf", None, image_only, image_count, len(pages))
    n_title = title_lines(lines)
    title = "".join(line.text for line in lines[:n_title]) or None
    paragraphs = join_lines(lines[n_title:])
    if title:
        paragraphs.insert(0, title)
    elif paragraphs and len(paragraphs[0]) <= TITLE_MAX_CHARS:
        title = paragraphs[0]
    return Extracted("pdf", paragraphs_html(title, paragraphs), image_only, image_count, len(pages))


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


def extract_doc(body: bytes, kind: str) -> Extracted:
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
        return extract_pdf(body)
    if kind == "docx":
        return extract_docx(body)
    if kind in ("doc", "wps"):
        return extract_doc(body, kind)
    return Extracted(kind, error=f"unsupported: {kind}")


def main(argv: list[str]) -> int:
    kind, memory_mb, cpu_seconds = argv[0], int(argv[1]), int(argv[2])
    apply_limits(memory_mb, cpu_seconds)
    body = sys.stdin.buffer.read()
    try:
        result = extract(kind, body)
    except MemoryError:
        result = Extracted(kind, error="memory")
    except Exception as exc:  # a hostile file may raise anything from deep inside a parser
        result = Extracted(kind, error=f"corrupt: {type(exc).__name__}: {str(exc)[:200]}")
    sys.stdout.buffer.write(json.dumps(result_dict(result), ensure_ascii=False).encode("utf-8"))  # whatever the locale
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
