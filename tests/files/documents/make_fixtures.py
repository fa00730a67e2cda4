"""Regenerate the attachment fixtures in this folder (dev only; the files are committed).

    .venv/bin/pip install reportlab==5.1.0 python-docx==1.2.0
    .venv/bin/python tests/files/documents/make_fixtures.py

Needs reportlab (PDFs, Chinese through its built-in CID font STSong-Light, so no font file),
python-docx (DOCX) and, for report_2020.doc only, LibreOffice (`soffice`, Debian
libreoffice-writer-nogui), which saves the DOCX in the Word 97 binary format; without it the
.doc is left as it is. The tests need none of these.

The texts are real report texts from shared/corpus/reports (036 富宁县 2023 for the PDF, 010
山阳县 2020 for the DOCX, sentences from 020 中江县 2022 and others), trimmed; contact numbers of
the DOCX are made up. Table labels are the 2019 template's (shared/corpus/TEMPLATE.md). The
numbers in the DOCX tables are written to expected.json, which the tests read.
"""
from __future__ import annotations

import io
import json
import pathlib
import shutil
import subprocess
import tempfile
import zipfile
import zlib

HERE = pathlib.Path(__file__).parent

# --- texts ---------------------------------------------------------------------------------

PDF_TITLE = "富宁县人民政府2023年政府信息公开工作年度报告"
PDF_HEADER = "富宁县人民政府办公室"          # running header on every page
PDF_PARAGRAPHS = [  # (kind, text); "break_after" forces a line break after that text
    ("body", "本报告依据《中华人民共和国政府信息公开条例》（国务院令第711号）、《国务院办公厅政府信息与政务公开办公室"
             "关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，"
             "结合本年度政府信息公开实际情况编写。报告全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开"
             "申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需报告的事项六部分。本报告中"
             "所列数据的统计期限自2023年1月1日起至2023年12月31日止，报告将通过富宁县人民政府网站公布。如对本报告有任何"
             "疑问，请联系富宁县人民政府办公室，地址：富宁县普厅南路19号，电话：0876—6130637。"),
    ("heading", "一、总体情况"),
    ("body", "2023年，围绕重点领域信息公开，持续打好基础，常态化抓好政务公开的全面工作，全县政府信息公开网站主动公开"
             "信息4943条。"),
    ("heading", "（一）主动公开"),
    ("body", "1.加强优化营商环境信息公开。全面及时发布稳经济相关政策措施、成效125条。围绕“双招双引”和优化营商环境方面，"
             "发布各项税费优惠政策32条。及时回应和解决民营企业办事创业中“堵点”问题，公开“双随机、一公开”和行政执法信息"
             "132条。及时公开反垄断和反不正当竞争执法信息，为各类市场主体营造诚信守法、公平竞争的市场环境。"),
    ("body", "2.加强扩大内需信息公开。持续扩大消费政策信息公开力度，全年公开相关信息49条。聚焦“三个二十”重点项目工程，"
             "加大建设项目信息力度，发布扩大有效投资的政策及解读和工作落实信息53条。"),
    ("body", "3.推进民生信息公开。及时发布就业创业、供求、帮扶等相关信息123条，让群众及时了解政策，获得就业机会。及时公开"
             "10项民生实事信息28条，提升群众满意度。"),
    ("heading", "二、主动公开政府信息情况"),
    ("body", "全县聚焦稳增长、促改革、惠民生、防风险等重点工作，通过政府网站、政务微博（微信）等渠道和方式主动公开政府信息，"
             "加强与省市主流新闻媒体对接，及时展示省市重点工作在本县落地情况。"),
    ("heading", "三、收到和处理政府信息公开申请情况"),
    ("body", "进一步完善政府信息依申请公开工作制度，细化公开接收、审核、办理、答复、归档等标准和要求，将责任落细落准落实，"
             "确保公开申请依法依规及时有效回复。具体办理情况如下："),
    ("body", "2023年，全县共收到政府信息公开申请42件，上年结转0件，全年依法办结41件，结转下年度继续办理1件。"),
    ("heading", "四、政府信息公开行政复议、行政诉讼情况"),
    ("body", "本年度未发生针对本单位有关政府信息公开事务的行政复议案、行政诉讼案。"),
    ("heading", "五、存在的主要问题及改进情况"),
    ("body", "一是信息公开的及时性有待提高，部分栏目更新不够及时；二是政策解读形式较为单一。下一步，我县将进一步完善"
             "工作机制，丰富解读形式，提升政务公开质量。"),
    ("heading", "六、其他需报告的事项"),
    ("body", "本年度无收取信息处理费情况。"),
]
CONTACT_BREAK = "电话："  # the PDF's layout breaks the line right after this label

DOCX_TITLE = "山阳县人民政府2020年政府信息公开工作年度报告"
DOCX_PARAGRAPHS = [
    ("body", "根据《中华人民共和国政府信息公开条例》规定，现公布山阳县人民政府2020年政府信息公开工作年度报告。本报告由总体"
             "情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议及行政诉讼情况、存在的主要问题"
             "及改进情况、其他需要报告的事项等六部分组成。如对本报告有任何疑问，请与山阳县人民政府办公室联系（地址：山阳县"
             "城关街道县府街1号；邮编：726400；联系电话：0914-8321234；传真：0914-8321235）。"),
    ("heading", "一、总体情况"),
    ("body", "2020年度，山阳县坚持以习近平新时代中国特色社会主义思想为指导，认真学习贯彻《中华人民共和国政府信息公开条例》，"
             "按照“公开是原则，不公开是例外”的要求，及时发布日常工作动态和工作文件，让权力在阳光下运行，政务公开工作取得实效。"),
    ("body", "（一）主动公开方面。2020年，通过县政府门户网站、县融媒体中心、县政务服务中心等平台主动公开政府信息6391条，"
             "其中概况类信息1105条；政务动态类信息2896条。"),
    ("heading", "二、主动公开政府信息情况"),
    ("table", 2),
    ("heading", "三、收到和处理政府信息公开申请情况"),
    ("table", 3),
    ("heading", "四、政府信息公开行政复议、行政诉讼情况"),
    ("table", 4),
    ("heading", "五、存在的主要问题及改进情况"),
    ("body", "一是政策解读形式较为单一；二是部分单位信息更新不够及时。下一步将加强培训，完善考核。"),
    ("heading", "六、其他需要报告的事项"),
    ("body", "无收取信息处理费情况。"),
]

# Table 三, 2019 template: (group label or None, [(row label, 7 values)]). Values are the
# applicant columns 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计 (sums hold).
def _row(*six: int) -> list[int]:
    return [*six, sum(six)]


T3_RESULTS = [
    (None, [("（一）予以公开", _row(21, 3, 0, 0, 1, 0))]),
    (None, [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", _row(2, 0, 0, 0, 0, 0))]),
    ("（三）不予公开", [(f"{i}.{t}", _row(*v)) for i, (t, v) in enumerate([
        ("属于国家秘密", (0,) * 6), ("其他法律行政法规禁止公开", (0,) * 6),
        ("危及“三安全一稳定”", (0,) * 6), ("保护第三方合法权益", (1, 0, 0, 0, 0, 0)),
        ("属于三类内部事务信息", (0,) * 6), ("属于四类过程性信息", (1, 0, 0, 0, 0, 0)),
        ("属于行政执法案卷", (0,) * 6), ("属于行政查询事项", (0,) * 6)], 1)]),
    ("（四）无法提供", [("1.本机关不掌握相关政府信息", _row(5, 1, 0, 0, 0, 0)),
                   ("2.没有现成信息需要另行制作", _row(1, 0, 0, 0, 0, 0)),
                   ("3.补正后申请内容仍不明确", _row(0, 0, 0, 0, 0, 0))]),
    ("（五）不予处理", [(f"{i}.{t}", _row(*v)) for i, (t, v) in enumerate([
        ("信访举报投诉类申请", (2, 0, 0, 0, 0, 0)), ("重复申请", (1, 0, 0, 0, 0, 0)),
        ("要求提供公开出版物", (0,) * 6), ("无正当理由大量反复申请", (0,) * 6),
        ("要求行政机关确认或重新出具已获取信息", (0,) * 6)], 1)]),
    (None, [("（六）其他处理", _row(0, 0, 0, 0, 0, 0))]),
]
T3_TOTAL = [sum(vals[i] for _, rows in T3_RESULTS for _, vals in rows) for i in range(7)]
T3_CARRIED_OVER = _row(2, 0, 0, 0, 0, 0)
T3_CARRIED_FORWARD = _row(1, 0, 0, 0, 0, 0)
T3_NEW = [t + f - c for t, f, c in zip(T3_TOTAL, T3_CARRIED_FORWARD, T3_CARRIED_OVER)]
T4_VALUES = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
T2_ROWS = [  # (item heading, column labels, [(row label, values)])
    ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("规章", [0, 0, 0]), ("规范性文件", [6, 6, 41])]),
    ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政许可", [212, 8, 1853]), ("其他对外管理服务事项", [36, 0, 402])]),
    ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政处罚", [1035, 12, 287]), ("行政强制", [47, 0, 9])]),
    ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"], [("行政事业性收费", [23, -2])]),
    ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"], [("政府集中采购", [58, 1326.5])]),
]


# --- PDF -----------------------------------------------------------------------------------

def _pdf_canvas(buffer):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    return c, A4


NO_LINE_START = "。，、；：？！）》」”’"


def _wrap(text: str, width: float, size: float, first_indent: float, breaks: tuple[str, ...] = ()) -> list[str]:
    """Greedy CJK line breaking (closing punctuation stays on the line it closes); a line also
    ends right after any text in ``breaks``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    limit = width - first_indent
    squeeze = 0  # characters of a break label squeezed onto the line, as Word does with punctuation
    for i, ch in enumerate(text):
        label = next((b for b in breaks if text.startswith(b, i)), None)
        if label and line and stringWidth(line + label, "STSong-Light", size) <= limit + 2 * size:
            squeeze = len(label)
        if squeeze:
            squeeze -= 1
        elif line and stringWidth(line + ch, "STSong-Light", size) > limit and ch not in NO_LINE_START:
            lines.append(line)
            line, limit = "", width
        line += ch
        if any(line.endswith(b) for b in breaks) and i + 1 < len(text):
            lines.append(line)
            line, limit = "", width
    if line:
        lines.append(line)
    return lines


def make_report_pdf() -> bytes:
    buffer = io.BytesIO()
    c, (page_w, page_h) = _pdf_canvas(buffer)
    left, right, top, bottom = 72, 72, page_h - 90, 96
    width, size, leading = page_w - left - right, 14, 25
    page_no = 0
    y = top

    def start_page():
        nonlocal page_no, y
        page_no += 1
        c.setFont("STSong-Light", 10)
        c.drawCentredString(page_w / 2, page_h - 52, PDF_HEADER)
        c.line(left, page_h - 58, page_w - right, page_h - 58)
        y = top

    def end_page():
        c.setFont("STSong-Light", 12)
        c.drawCentredString(page_w / 2, 48, f"— {page_no} —")
        c.showPage()

    start_page()
    c.setFont("STSong-Light", 22)
    for line in _wrap(PDF_TITLE, width, 22, 0):
        c.drawCentredString(page_w / 2, y, line)
        y -= 32
    y -= 12
    for kind, text in PDF_PARAGRAPHS:
        indent = 0 if kind == "heading" else 2 * size
        lines = _wrap(text, width, size, indent, (CONTACT_BREAK,))
        for i, line in enumerate(lines):
            if y < bottom:
                end_page()
                start_page()
            c.setFont("STSong-Light", size)
            c.drawString(left + (indent if i == 0 else 0), y, line)
            y -= leading
    end_page()
    c.save()
    return buffer.getvalue()


def _scan_png(seed: int) -> bytes:
    """A small grey 'scanned page': text-like bars, no text layer."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (240, 340), 250)
    draw = ImageDraw.Draw(img)
    for row in range(22):
        length = 180 - ((row * 37 + seed * 11) % 60)
        draw.rectangle([30, 30 + row * 13, 30 + length, 36 + row * 13], fill=60)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def make_image_only_pdf() -> bytes:
    from reportlab.lib.utils import ImageReader

    buffer = io.BytesIO()
    c, (page_w, page_h) = _pdf_canvas(buffer)
    for seed in (1, 2):
        c.drawImage(ImageReader(io.BytesIO(_scan_png(seed))), 40, 40, page_w - 80, page_h - 80)
        c.showPage()
    c.save()
    return buffer.getvalue()


def _pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF with a correct xref table from numbered object bodies (1 = Catalog)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def make_content_bomb_pdf() -> bytes:
    """One page whose ~60 KB content stream inflates to 25 MB of text operators (780,000 text
    objects): a parser holding them all runs out of time or memory."""
    op = b"BT /F1 9 Tf 72 720 Td (x) Tj ET\n"
    content = op * (25_000_000 // len(op))
    return _pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def make_nested_pdf() -> bytes:
    """A page dictionary holding 20,000 nested arrays, and a content stream 1,000,000 deep."""
    depth = 20_000
    return _pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Junk "
        + b"[" * depth + b"]" * depth + b" >>",
        _stream(b"BT " + b"[" * 1_000_000 + b"]" * 1_000_000 + b" TJ ET"),
    ])


def make_page_tree_bomb_pdf() -> bytes:
    """A page tree of 8 levels with 10 references to the next level each: 10^8 pages."""
    levels = 8
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        kid = level + 3
        objects.append(b"<< /Type /Pages /Kids [" + b" ".join([b"%d 0 R" % kid] * 10)
                       + b"] /Count %d >>" % 10 ** (levels - level))
    page = len(objects) + 1
    objects.append(b"<< /Type /Page /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (page + 1))
    objects.append(_stream(b"BT ET", compress=False))
    return _pdf_from_objects(objects)


# --- DOCX ----------------------------------------------------------------------------------

def _merge(table, r0, c0, r1, c1, text):
    cell = table.cell(r0, c0).merge(table.cell(r1, c1))
    cell.text = text
    return cell


def _fmt(value) -> str:
    return f"{value:+d}" if isinstance(value, int) and value < 0 else str(value)


def _table2(doc):
    rows = sum(2 + len(r) for _, _, r in T2_ROWS)
    t = doc.add_table(rows=rows, cols=4)
    t.style = "Table Grid"
    r = 0
    for heading, columns, items in T2_ROWS:
        _merge(t, r, 0, r, 3, heading)
        r += 1
        for c, label in enumerate(columns):
            t.cell(r, c).text = label
        if len(columns) < 4:
            _merge(t, r, len(columns) - 1, r, 3, columns[-1])
        r += 1
        for label, values in items:
            t.cell(r, 0).text = label
            for c, v in enumerate(values, 1):
                t.cell(r, c).text = _fmt(v)
            if len(values) < 3:
                _merge(t, r, len(values), r, 3, _fmt(values[-1]))
            r += 1


def _table3(doc):
    result_rows = sum(len(rows) for _, rows in T3_RESULTS) + 1  # + （七）总计
    n_rows = 3 + 2 + result_rows + 1
    t = doc.add_table(rows=n_rows, cols=10)
    t.style = "Table Grid"
    _merge(t, 0, 0, 2, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    _merge(t, 0, 3, 0, 9, "申请人情况")
    _merge(t, 1, 3, 2, 3, "自然人")
    _merge(t, 1, 4, 1, 8, "法人或其他组织")
    _merge(t, 1, 9, 2, 9, "总计")
    for c, label in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], 4):
        t.cell(2, c).text = label

    def values(r, vals):
        for c, v in enumerate(vals, 3):
            t.cell(r, c).text = str(v)

    _merge(t, 3, 0, 3, 2, "一、本年新收政府信息公开申请数量")
    values(3, T3_NEW)
    _merge(t, 4, 0, 4, 2, "二、上年结转政府信息公开申请数量")
    values(4, T3_CARRIED_OVER)
    r = 5
    _merge(t, r, 0, r + result_rows - 1, 0, "三、本年度办理结果")
    for group, rows in T3_RESULTS:
        if group is None:
            label, vals = rows[0]
            _merge(t, r, 1, r, 2, label)
            values(r, vals)
            r += 1
            continue
        _merge(t, r, 1, r + len(rows) - 1, 1, group)
        for label, vals in rows:
            t.cell(r, 2).text = label
            values(r, vals)
            r += 1
    _merge(t, r, 1, r, 2, "（七）总计")
    values(r, T3_TOTAL)
    r += 1
    _merge(t, r, 0, r, 2, "四、结转下年度继续办理")
    values(r, T3_CARRIED_FORWARD)


def _table4(doc):
    t = doc.add_table(rows=4, cols=15)
    t.style = "Table Grid"
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    _merge(t, 0, 0, 0, 4, "行政复议")
    _merge(t, 0, 5, 0, 14, "行政诉讼")
    for c, label in enumerate(five):
        _merge(t, 1, c, 2, c, label)
    _merge(t, 1, 5, 1, 9, "未经复议直接起诉")
    _merge(t, 1, 10, 1, 14, "复议后起诉")
    for c, label in enumerate(five * 2, 5):
        t.cell(2, c).text = label
    for c, v in enumerate(T4_VALUES):
        t.cell(3, c).text = str(v)


def make_report_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = "Microsoft Word - 年报.docx"  # what Word leaves there: not the title
    doc.add_paragraph(DOCX_TITLE, style="Title")
    tables = {2: _table2, 3: _table3, 4: _table4}
    for kind, content in DOCX_PARAGRAPHS:
        if kind == "table":
            tables[content](doc)
        elif kind == "heading":
            doc.add_paragraph(content, style="Heading 1")
        else:
            doc.add_paragraph(content)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make_image_only_docx() -> bytes:
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for seed in (1, 2):
        doc.add_picture(io.BytesIO(_scan_png(seed)), width=Cm(15))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def make_zip_bomb_docx() -> bytes:
    """A DOCX-shaped zip whose word/document.xml inflates to 25 MB (600,000 paragraphs)."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    para = "<w:p><w:r><w:t>政府信息公开</w:t></w:r></w:p>".encode()
    body = f"<w:document {ns}><w:body>".encode() + para * (25_000_000 // len(para)) + b"</w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                   '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", body)
    return out.getvalue()


def make_doc(docx: bytes) -> bytes | None:
    """The DOCX saved as Word 97 (.doc) by LibreOffice, or None without it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp, "report.docx")
        src.write_bytes(docx)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", "doc:MS Word 97", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        return pathlib.Path(tmp, "report.doc").read_bytes()


def expected() -> dict:
    return {
        "pdf": {"title": PDF_TITLE, "header": PDF_HEADER, "contact_phone": "0876-6130637",
                "paragraphs": [PDF_TITLE] + [t for _, t in PDF_PARAGRAPHS],
                "headings": [t for k, t in PDF_PARAGRAPHS if k == "heading" and "、" in t[:3]]},
        "docx": {"title": DOCX_TITLE,
                 "headings": [t for k, t in DOCX_PARAGRAPHS if k == "heading"],
                 "contact": {"postcode": "726400", "phones": ["0914-8321234"], "fax": ["0914-8321235"]},
                 "table3": {"new_requests": T3_NEW, "carried_over": T3_CARRIED_OVER, "result.total": T3_TOTAL,
                            "carried_forward": T3_CARRIED_FORWARD,
                            "result.disclosed": T3_RESULTS[0][1][0][1]},
                 "table4": T4_VALUES,
                 "table2": {label: values for _, _, items in T2_ROWS for label, values in items}},
    }


def main() -> None:
    files = {
        "report_2023.pdf": make_report_pdf(),
        "image_only.pdf": make_image_only_pdf(),
        "content_bomb.pdf": make_content_bomb_pdf(),
        "nested.pdf": make_nested_pdf(),
        "page_tree_bomb.pdf": make_page_tree_bomb_pdf(),
        "report_2020.docx": make_report_docx(),
        "image_only.docx": make_image_only_docx(),
        "zip_bomb.docx": make_zip_bomb_docx(),
    }
    files["truncated.pdf"] = files["report_2023.pdf"][: len(files["report_2023.pdf"]) // 3]
    doc = make_doc(files["report_2020.docx"])
    if doc is not None:
        files["report_2020.doc"] = doc
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
    (HERE / "expected.json").write_text(json.dumps(expected(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
