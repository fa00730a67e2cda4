"""Dev-only: generate the demo's attachment files under ``content/files/`` from
``content/documents.json``: PDF reports (reportlab, built-in CID font STSong-Light, so no font
file is embedded and the PDFs stay small), DOCX reports (python-docx, statistics tables with
the template's merged cells) and the PNG pages of image-only reports.

reportlab and python-docx are NOT runtime dependencies: the generated files are committed.
Run ``.venv/bin/python -m demo_portal.tools.make_files`` after changing documents.json.
"""
from __future__ import annotations

import datetime as dt
import struct
import zlib

import docx
import lxml.html
from docx.shared import Pt
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ..content import corrected_document, load_documents
from ..files import FILES_DIR, file_name, image_name
from ..render import e
from ..tables import render_table

rl_config.invariant = 1  # no creation date / random id in the PDF: regenerating gives the same bytes
FONT = "STSong-Light"
FIXED_TIME = dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)


def _pdf_styles():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    # 公文 layout: body in 三号 (16 pt) on a 28 pt line, title in 二号 (22 pt): reports run to several pages.
    body = ParagraphStyle("body", fontName=FONT, fontSize=16, leading=28, firstLineIndent=32, wordWrap="CJK")
    return {"title": ParagraphStyle("title", parent=body, fontSize=22, leading=34, alignment=1, firstLineIndent=0),
            "h": ParagraphStyle("h", parent=body, firstLineIndent=0, spaceBefore=6),
            "p": body, "sign": ParagraphStyle("sign", parent=body, alignment=2, firstLineIndent=0)}


def _signature(doc: dict) -> list[str]:
    """落款: issuer (when the document has one) and date."""
    y, m, d = (int(x) for x in doc["published"].split("-"))
    return [x for x in (doc.get("issuer"), f"{y}年{m}月{d}日") if x]


def write_pdf(doc: dict, path) -> None:
    """A report as an office would print it to PDF: running header, page numbers `— N —`
    and a contact block whose phone number is wrapped onto the line after 联系电话：."""
    styles = _pdf_styles()
    story = [Paragraph(e(doc["title"]), styles["title"]), Spacer(1, 8)]
    for kind, value in doc["blocks"]:
        if kind in ("p", "h"):
            story.append(Paragraph(e(value), styles[kind]))
    contact = doc.get("contact") or {"phones": []}
    if contact["phones"]:
        story.append(Paragraph(f"联系电话：<br/>{e(contact['phones'][0])}", styles["p"]))
    story += [Spacer(1, 12)] + [Paragraph(e(line), styles["sign"]) for line in _signature(doc)]

    def decorate(canvas, pdf_doc):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawString(20 * mm, A4[1] - 12 * mm, (doc.get("issuer") or "") + "政府信息公开")
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {pdf_doc.page} —")
        canvas.restoreState()

    SimpleDocTemplate(str(path), pagesize=A4, title=doc["title"], author=doc.get("issuer") or "",
                      topMargin=22 * mm, bottomMargin=20 * mm).build(story, onFirstPage=decorate, onLaterPages=decorate)


def _html_grid(table_html: str) -> list[list[tuple]]:
    """Cells of an HTML table as (row, col, rowspan, colspan, text), laid out on the grid."""
    table = lxml.html.fragment_fromstring(table_html)
    taken: set[tuple[int, int]] = set()
    cells = []
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in tr.iter("td"):
            while (r, c) in taken:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            cells.append((r, c, rs, cs, td.text_content().strip()))
            c += cs
    return cells


def _docx_table(document, table_html: str) -> None:
    """The same table the HTML pages show (tables.py), with its merged cells."""
    cells = _html_grid(table_html)
    rows = max(r + rs for r, _, rs, _, _ in cells)
    cols = max(c + cs for _, c, _, cs, _ in cells)
    table = document.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    for r, c, rs, cs, text in cells:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text


def write_docx(doc: dict, path) -> None:
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(12)
    document.add_heading(doc["title"], level=1)
    for kind, value in doc["blocks"]:
        if kind == "p":
            document.add_paragraph(value)
        elif kind == "h":
            document.add_paragraph().add_run(value).bold = True
        elif kind == "table":
            _docx_table(document, render_table(value, doc["tables"]))
    for line in _signature(doc):
        document.add_paragraph(line)
    props = document.core_properties
    props.title, props.author = doc["title"], doc.get("issuer") or ""
    props.created = props.modified = FIXED_TIME
    document.save(str(path))


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG (hand-written with zlib: the demo needs tiny placeholder scans,
    not an imaging library)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    FILES_DIR.mkdir(exist_ok=True)
    data = load_documents()
    for doc in data["reports"] + data["lookalikes"]:
        shape = doc.get("shape", "page")
        writer = {"pdf": (write_pdf, ".pdf"), "docx": (write_docx, ".docx"),
                  "attachment_page": (write_docx, ".docx")}.get(shape)
        if writer:
            write, suffix = writer
            write(doc, FILES_DIR / file_name(doc, suffix))
            if doc in data["reports"]:
                write(corrected_document(doc), FILES_DIR / file_name(doc, suffix, corrected=True))
        for n in range(1, doc.get("images", 0) + 1):
            (FILES_DIR / image_name(doc, n)).write_bytes(png(60, 84, (250, 250 - 20 * n, 240)))


if __name__ == "__main__":
    main()
