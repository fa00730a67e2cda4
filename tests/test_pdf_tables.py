"""Statistics tables of PDF reports, rebuilt from page geometry, and radical code points folded.

The PDFs in tests/files/documents/libreoffice were made as portals make them: corpus report
pages saved as DOCX and exported to PDF by LibreOffice (make_libreoffice_fixtures.py), so the
layout — page breaks through table 三, merged cells cut by them, wrapped labels — is
LibreOffice's, not ours. Each PDF's statistics cells are compared with the cells parse_report
reads from the HTML page the PDF was made from.
"""
from __future__ import annotations

import json
import pathlib
import sqlite3

import pytest

from archive.ingest import read_response
from archive.raw import RawResponse
from archive.search import fts_query
from parsing import parse_report
from parsing.cjk_fold import fold_radicals
from parsing.documents import (
    PageTable, TableCell, TextLine, extract_document, find_unruled_tables, grid_from_boxes, stitch_tables, table_html,
)
from parsing.evaluate import read_fixture
from parsing.grid import table_grid
from parsing.html_text import parse_tree

ROOT = pathlib.Path(__file__).parents[1]
FILES = ROOT / "tests" / "files" / "documents" / "libreoffice"
SOURCES = json.loads((FILES / "sources.json").read_text(encoding="utf-8"))
RULED = sorted(name for name in SOURCES if name.endswith(".ruled.pdf"))
UNRULED = sorted(name for name in SOURCES if name.endswith(".unruled.pdf"))


def stats(report) -> dict:
    return {(s.table, s.row_key, s.column_key): s.value for s in report.stats}


def html_stats(fixture: str) -> dict:
    fx = read_fixture(ROOT / fixture)
    content_type = dict((k.lower(), v) for k, v in fx.headers).get("content-type")
    return stats(parse_report(fx.body_path.read_bytes(), fx.url, content_type))


def pdf_report(name: str):
    extracted = extract_document((FILES / name).read_bytes(), "application/pdf", f"http://x.gov.cn/{name}",
                                 timeout=120)
    assert extracted.error is None and extracted.kind == "pdf"
    return parse_report(extracted.html, f"http://x.gov.cn/{name}")


def share_right(name: str) -> tuple[float, list]:
    expected = html_stats(SOURCES[name])
    found = stats(pdf_report(name))
    wrong = [(key, value, found.get(key)) for key, value in expected.items() if found.get(key) != value]
    assert len(expected) >= 180  # tables 二, 三 and 四 of the page
    return 1 - len(wrong) / len(expected), wrong


@pytest.mark.parametrize("name", RULED)
def test_ruled_pdf_tables_match_the_html_report_cell_for_cell(name):
    share, wrong = share_right(name)
    assert wrong == []


@pytest.mark.parametrize("name", UNRULED)
def test_unruled_pdf_tables_from_text_positions_match_the_html_report_cell_for_cell(name):
    share, wrong = share_right(name)
    assert wrong == []


def test_pdf_report_reads_like_its_html_page():
    report = pdf_report("full_2019_a.ruled.pdf")
    assert report.tables_missing == [] and report.template == "2019"
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.checks and all(c.ok for c in report.checks)


# --- the geometry helpers (no PDF library) -------------------------------------------------------

def box(x0, top, x1, bottom, text=""):
    return (x0, top, x1, bottom, text)


def test_merged_cells_become_rowspan_and_colspan():
    # | 申请人情况 (2 columns) |      a header over two columns, then a cell over two rows
    # | 自然人 | 总计 |
    boxes = [box(0, 100, 50, 80, "项目"), box(50, 100, 150, 90, "申请人情况"), box(50, 90, 100, 80, "自然人"),
             box(100, 90, 150, 80, "总计"), box(0, 80, 50, 60, "三、本年度办理结果"), box(50, 80, 100, 70, "1"),
             box(100, 80, 150, 70, "1"), box(50, 70, 100, 60, "2"), box(100, 70, 150, 60, "2")]
    table = grid_from_boxes(boxes)
    assert (table.rows, table.cols) == (4, 3)
    html = table_html(table)
    assert '<td rowspan="2">项目</td><td colspan="2">申请人情况</td>' in html
    assert '<td rowspan="2">三、本年度办理结果</td>' in html
    grid = table_grid(parse_tree(html).find(".//table"))
    assert [c.text for c in grid[3]] == ["三、本年度办理结果", "2", "2"]
    assert grid[2][0] is grid[3][0]  # one cell in two grid positions


def test_a_frame_round_a_paragraph_is_no_table():
    assert grid_from_boxes([box(0, 100, 500, 50, "本报告全文")]) is None


def test_a_table_cut_by_a_page_break_is_one_table_and_its_merged_label_goes_on():
    upper = PageTable([TableCell(0, 0, 2, 1, "（三）不予公开"), TableCell(0, 1, 1, 1, "1.属于国家秘密"),
                       TableCell(0, 2, 1, 1, "0"), TableCell(1, 1, 1, 1, "2.其他法律行政法规禁止公开"),
                       TableCell(1, 2, 1, 1, "1")], 2, 3, [0, 50, 100, 150], 200, 100)
    lower = PageTable([TableCell(0, 0, 1, 1, ""), TableCell(0, 1, 1, 1, "3.危及“三安全一稳定”"),
                       TableCell(0, 2, 1, 1, "0")], 1, 3, [0.5, 50.5, 99.5, 150], 800, 760)
    table = stitch_tables(upper, lower)
    assert table.rows == 3 and table.cells[0].rowspan == 3 and len(table.cells) == 7
    grid = table_grid(parse_tree(table_html(table)).find(".//table"))
    assert [c.text for c in grid[2]] == ["（三）不予公开", "3.危及“三安全一稳定”", "0"]
    # an empty value cell is not a continuation: the value above is not repeated
    lower.cells[0] = TableCell(0, 0, 1, 1, "（四）无法提供")
    lower.cells[2] = TableCell(0, 2, 1, 1, "")
    assert stitch_tables(upper, lower).cells[0].rowspan == 2


def test_a_row_broken_across_two_pages_is_one_row():
    # LibreOffice and Word break a row whose text does not fit: the figures stay on the first
    # page, the rest of each label goes on in the same column on the next ((三)不|予公开, a
    # merged label whose text was cut too, and 1.属于国家|秘密).
    upper = PageTable([TableCell(0, 0, 1, 2, "（二）部分公开"), TableCell(0, 2, 1, 1, "3"), TableCell(0, 3, 1, 1, "4"),
                       TableCell(1, 0, 1, 1, "（三）不"), TableCell(1, 1, 1, 1, "1.属于国家"),
                       TableCell(1, 2, 1, 1, "0"), TableCell(1, 3, 1, 1, "0")], 2, 4, [0, 40, 100, 125, 150], 200, 100)
    lower = PageTable([TableCell(0, 0, 2, 1, "予公开"), TableCell(0, 1, 1, 1, "秘密"), TableCell(0, 2, 1, 1, ""),
                       TableCell(0, 3, 1, 1, ""), TableCell(1, 1, 1, 1, "2.其他法律行政法规禁止公开"),
                       TableCell(1, 2, 1, 1, "1"), TableCell(1, 3, 1, 1, "1")], 2, 4, [0, 40, 100, 125, 150], 800, 700)
    table = stitch_tables(upper, lower)
    assert table.rows == 3
    grid = table_grid(parse_tree(table_html(table)).find(".//table"))
    assert [c.text for c in grid[1]] == ["（三）不予公开", "1.属于国家秘密", "0", "0"]
    assert [c.text for c in grid[2]] == ["（三）不予公开", "2.其他法律行政法规禁止公开", "1", "1"]
    # a first row holding figures is a row of its own, whoever's label it continues
    lower.cells[2] = TableCell(0, 2, 1, 1, "5")
    assert stitch_tables(upper, lower).rows == 4


def test_a_row_with_blank_values_after_the_break_is_a_row_of_its_own():
    upper = PageTable([TableCell(0, 0, 1, 1, "行政处罚"), TableCell(0, 1, 1, 1, "3287")], 1, 2, [0, 50, 150], 200, 100)
    lower = PageTable([TableCell(0, 0, 1, 1, "行政强制"), TableCell(0, 1, 1, 1, "")], 1, 2, [0, 50, 150], 800, 760)
    assert stitch_tables(upper, lower).rows == 2
    # a figure wrapped by the break (172 printed as 17 | 2) goes on; the rest of the row ended above
    upper = PageTable([TableCell(0, 0, 1, 1, "（七）总计"), TableCell(0, 1, 1, 1, "146"), TableCell(0, 2, 1, 1, "17")],
                      1, 3, [0, 50, 100, 150], 200, 100)
    lower = PageTable([TableCell(0, 0, 1, 1, ""), TableCell(0, 1, 1, 1, ""), TableCell(0, 2, 1, 1, "2")],
                      1, 3, [0, 50, 100, 150], 800, 760)
    table = stitch_tables(upper, lower)
    assert table.rows == 1 and [c.text for c in table.cells] == ["（七）总计", "146", "172"]


def test_the_last_row_of_a_table_alone_on_the_next_page_goes_on_with_the_table():
    from parsing._extract_worker import _reading_order
    columns = [0, 50, 100, 150]
    upper = PageTable([TableCell(0, 0, 1, 3, "行政复议"), TableCell(1, 0, 1, 1, "结果维持"),
                       TableCell(1, 1, 1, 1, "结果纠正"), TableCell(1, 2, 1, 1, "总计")], 2, 3, columns, 200, 100)
    row = PageTable([TableCell(0, 0, 1, 1, "1"), TableCell(0, 1, 1, 1, "1"), TableCell(0, 2, 1, 1, "2")],
                    1, 3, columns, 800, 780)
    row_text, paragraph = piece("1 1 2", 10, 140, 795), piece("我局依法做好答复应诉工作。", 0, 300, 760)
    items = _reading_order([[], [row_text, paragraph]], [[upper], []], [[], [row]])
    assert items[1:] == [paragraph] and items[0].rows == 3
    grid = table_grid(parse_tree(table_html(items[0])).find(".//table"))
    assert [c.text for c in grid[2]] == ["1", "1", "2"]
    # a one-row table that is not the rest of the table before it stays text
    other = PageTable(row.cells, 1, 3, [0, 20, 60, 150], 800, 780)
    items = _reading_order([[], [row_text, paragraph]], [[upper], []], [[], [other]])
    assert items == [upper, row_text, paragraph]


def test_two_tables_with_different_columns_are_not_stitched():
    upper = PageTable([TableCell(0, 0, 1, 1, "a"), TableCell(0, 1, 1, 1, "1")], 1, 2, [0, 50, 150], 200, 100)
    lower = PageTable([TableCell(0, 0, 1, 1, "b"), TableCell(0, 1, 1, 1, "2"), TableCell(0, 2, 1, 1, "3")],
                      1, 3, [0, 80, 120, 150], 800, 760)
    assert stitch_tables(upper, lower) is None


def piece(text, x0, x1, top, size=10.0):
    return TextLine(text, x0, x1, top, size)


def test_a_table_without_rules_is_found_from_text_positions_and_paragraphs_are_left_alone():
    pieces = [
        piece("全年共收到申请25件，较上年增加6件，具体情况见下表。", 50, 540, 700),
        piece("第二十条第（五）项", 250, 350, 680),
        piece("信息内容", 80, 130, 665), piece("本年处理决定数量", 300, 400, 665),
        piece("行政许可", 80, 130, 650), piece("1842", 335, 360, 650),
        piece("行政处罚", 80, 130, 635), piece("127", 338, 358, 635),
        piece("二、主动公开政府信息情况", 50, 190, 610),
    ]
    tables, rest = find_unruled_tables(pieces)
    assert [p.text for p in rest] == [pieces[0].text, "二、主动公开政府信息情况"]
    assert len(tables) == 1
    grid = table_grid(parse_tree(table_html(tables[0])).find(".//table"))
    rows = [[c.text for c in dict.fromkeys(row)] for row in grid]
    assert ["第二十条第（五）项"] in rows
    assert rows[-2][-2:] == ["行政许可", "1842"] and rows[-1][-2:] == ["行政处罚", "127"]


def test_a_wrapped_label_whose_first_line_tops_the_page_is_its_row_label_not_a_header():
    # a table going on at the top of a page: the figures are centred between the label's lines
    pieces = [piece("5.属于三类内部事务信", 175, 295, 810.2, 12), piece("0", 313, 321, 802.6, 12),
              piece("1", 355, 363, 802.6, 12), piece("息", 229, 241, 793.0, 12),
              piece("6.属于四类过程性信息", 175, 295, 758.6, 12), piece("2", 313, 321, 759.6, 12),
              piece("0", 355, 363, 759.6, 12), piece("我县严格按照法定程序和时限办理政府信息公开申请。", 56.8, 540, 720, 12)]
    tables, rest = find_unruled_tables(pieces)
    assert rest == pieces[-1:] and len(tables) == 1
    grid = table_grid(parse_tree(table_html(tables[0])).find(".//table"))
    rows = [[c.text for c in dict.fromkeys(row) if c.text] for row in grid]
    assert rows == [["5.属于三类内部事务信息", "0", "1"], ["6.属于四类过程性信息", "2", "0"]]


# --- radicals ------------------------------------------------------------------------------------

def test_radicals_fold_to_ideographs_and_punctuation_stays():
    assert fold_radicals("⼈⺠政府⽂件，部⻔（⻓期）") == "人民政府文件，部门（长期）"
    assert fold_radicals("政府信息公开：１２") == "政府信息公开：１２"  # NFKC would make these ASCII


def test_a_pdf_whose_text_says_radicals_is_found_by_search():
    body = (FILES / "radicals.pdf").read_bytes()
    from pdfminer.high_level import extract_text
    raw = extract_text(__import__("io").BytesIO(body))
    assert "⼈⺠" in raw and "人民" not in raw  # the file's own text layer: radicals only

    reading = read_response(RawResponse("http://www.tongxi.gov.cn/u/2021nb.pdf", 200,
                                        [("Content-Type", "application/pdf")], body, route="attachment"))
    assert reading.error is None and reading.report.is_report
    assert "人民" in reading.report.body and "⺠" not in reading.report.body
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table reports_fts using fts5(title, body, content='', tokenize='unicode61')")
    conn.execute("insert into reports_fts (rowid, title, body) values (1, ?, ?)", reading.index)
    conn.execute("insert into reports_fts (rowid, title, body) values (2, '', '政府信息公开')")
    found = [r[0] for r in conn.execute("select rowid from reports_fts where reports_fts match ?",
                                        [fts_query("人民")])]
    assert found == [1]
