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


def grid_texts(table) -> list[list[str]]:
    grid = table_grid(parse_tree(table_html(table)).find(".//table"))
    return [[c.text for c in dict.fromkeys(row)] for row in grid]


def wrapped_header(top: float) -> list:
    # 行政复议 over three columns and 行政诉讼 over two, their labels wrapped over two baselines
    return [piece("行政复议", 70, 160, top, 12), piece("行政诉讼", 185, 240, top, 12),
            piece("结果", 60, 84, top - 17, 12), piece("结果", 100, 124, top - 17, 12), piece("总", 146, 158, top - 17, 12),
            piece("结果", 180, 204, top - 17, 12), piece("总", 226, 238, top - 17, 12),
            piece("维持", 60, 84, top - 34, 12), piece("纠正", 100, 124, top - 34, 12), piece("计", 146, 158, top - 34, 12),
            piece("维持", 180, 204, top - 34, 12), piece("计", 226, 238, top - 34, 12)]


HEADER_LABELS = ["结果维持", "结果纠正", "总计", "结果维持", "总计"]


def test_a_header_wrapped_over_baselines_gives_the_columns_and_a_blank_cell_stays_blank():
    # the figures alone make three columns; the header makes five, two of them blank
    pieces = wrapped_header(400) + [piece("2", 68, 76, 340, 12), piece("2", 148, 156, 340, 12),
                                    piece("1", 228, 236, 340, 12),
                                    piece("我局依法做好行政复议、行政诉讼答复应诉工作，具体情况见上表。", 56, 540, 300, 12)]
    tables, rest = find_unruled_tables(pieces)
    assert [p.text for p in rest] == [pieces[-1].text] and len(tables) == 1
    assert grid_texts(tables[0])[-2:] == [HEADER_LABELS, ["2", "", "2", "", "1"]]


def test_a_header_at_the_foot_of_a_page_goes_with_the_figures_at_the_top_of_the_next():
    from parsing._extract_worker import _header_at_foot, _with_header_above
    upper = [piece("四、政府信息公开行政复议、行政诉讼情况", 56, 285, 195, 12)] + wrapped_header(162)
    carried, left = _header_at_foot(upper, [])
    assert left == upper[:1] and len(carried) == 12
    lower = [piece("1", 68, 76, 812, 12), piece("0", 108, 116, 812, 12), piece("1", 148, 156, 812, 12),
             piece("0", 188, 196, 812, 12),
             piece("我局依法做好行政复议、行政诉讼答复应诉工作，具体情况见上表。", 56, 540, 780, 12)]
    tables, rest = _with_header_above(carried, lower)
    assert [p.text for p in rest] == [lower[-1].text]
    assert grid_texts(tables[0])[-2:] == [HEADER_LABELS, ["1", "0", "1", "0", ""]]
    # a next page that does not start with figures leaves the header where it was
    assert _with_header_above(carried, lower[-1:]) == (None, lower[-1:])


def test_a_block_header_at_the_foot_of_a_page_goes_with_its_row_on_the_next():
    from parsing._extract_worker import _header_at_foot, _with_header_above
    upper = [piece("二、主动公开政府信息情况", 57, 201, 160, 12), piece("第二十条第（八）项", 258, 366, 108, 12),
             piece("信息内容", 104, 152, 74, 12), piece("本年收费金额（单位：万元）", 305, 461, 74, 12)]
    carried, left = _header_at_foot(upper, [])
    assert left == upper[:1] and len(carried) == 3
    lower = [piece("行政事业性收费", 86, 170, 810, 12), piece("58.6", 370, 396, 811, 12),
             piece("我局通过政府门户网站、政务新媒体和政务公开专区等渠道及时公开政策文件、财政预决算。", 57, 561, 777, 12)]
    assert find_unruled_tables(lower)[0] == []  # the row alone is no table
    tables, rest = _with_header_above(carried, lower)
    assert rest == lower[-1:] and len(tables) == 1
    assert [[t for t in row if t] for row in grid_texts(tables[0])] == [
        ["第二十条第（八）项"], ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", "58.6"]]


def test_header_lines_less_than_a_line_apart_are_one_header_row():
    # 本年新 / 制作数量 wrap onto the baselines around 信息内容 | 对外公开总数量
    pieces = [piece("第二十条第（一）项", 258, 366, 452, 12),
              piece("本年新", 280, 316, 418, 12), piece("本年新", 383, 419, 418, 12),
              piece("信息内容", 122, 170, 409.4, 12), piece("对外公开总数量", 462, 546, 409.4, 12),
              piece("制作数量", 274, 322, 400.8, 12), piece("公开数量", 377, 425, 400.8, 12),
              piece("规章", 134, 158, 366, 12), piece("0", 294, 302, 367, 12), piece("0", 397, 405, 367, 12),
              piece("0", 500, 508, 367, 12),
              piece("规范性文件", 116, 176, 332, 12), piece("14", 290, 305, 333, 12), piece("14", 393, 409, 333, 12),
              piece("86", 496, 512, 333, 12)]
    tables, rest = find_unruled_tables(pieces)
    assert rest == [] and len(tables) == 1
    assert [t for t in grid_texts(tables[0])[1] if t] == ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]


def test_a_block_title_of_table_two_at_the_left_margin_is_the_tables_first_row():
    # 第二十条第(一)项 set flush left, where a heading (二、…) would stand, is the block's title
    pieces = [piece("二、主动公开政府信息情况", 57, 201, 502, 12), piece("第二十条第(一)项", 58, 140, 470, 12),
              piece("信息内容", 58, 100, 430, 12), piece("本年新制作数量", 236, 320, 430, 12),
              piece("对外公开总数量", 442, 516, 430, 12),
              piece("规章", 58, 79, 390, 12), piece("0", 236, 242, 391, 12), piece("0", 442, 449, 391, 12),
              piece("规范性文件", 58, 111, 358, 12), piece("3", 236, 242, 359, 12), piece("17", 442, 456, 359, 12)]
    tables, rest = find_unruled_tables(pieces)
    assert rest == pieces[:1] and len(tables) == 1
    assert grid_texts(tables[0])[0][0] == "第二十条第(一)项"


def test_a_figure_wrapped_in_its_cell_is_one_figure_of_its_row():
    # 172 too wide for its column: 17 above the row's other figures, 2 below
    pieces = [piece("一、本年新收政府信息公开申请数量", 99, 291, 470, 12), piece("142", 339, 362, 471, 12),
              piece("18", 374, 389, 471, 12), piece("17", 547, 562, 478, 12), piece("2", 551, 558, 464, 12),
              piece("二、上年结转政府信息公开申请数量", 99, 291, 430, 12), piece("9", 347, 354, 431, 12),
              piece("1", 377, 385, 431, 12), piece("10", 547, 562, 431, 12)]
    tables, rest = find_unruled_tables(pieces)
    assert rest == [] and len(tables) == 1
    rows = [[t for t in row if t] for row in grid_texts(tables[0])]
    assert rows == [["一、本年新收政府信息公开申请数量", "142", "18", "172"], ["二、上年结转政府信息公开申请数量", "9", "1", "10"]]


def test_a_numbered_row_without_figures_is_a_row_of_blank_cells():
    pieces = [piece("（五）不予处理", 110, 165, 590, 12),
              piece("1.信访举报投诉类申请", 172, 292, 620, 12), piece("1", 311, 318, 621, 12), piece("1", 551, 558, 621, 12),
              piece("2.重复申请", 202, 262, 586, 12),
              piece("3.要求提供公开出版物", 172, 292, 552, 12), piece("0", 311, 318, 553, 12), piece("0", 551, 558, 553, 12)]
    tables, rest = find_unruled_tables(pieces)
    assert rest == [] and len(tables) == 1
    assert grid_texts(tables[0]) == [["（五）不予处理", "1.信访举报投诉类申请", "1", "1"],
                                     ["（五）不予处理", "2.重复申请", "", ""],
                                     ["（五）不予处理", "3.要求提供公开出版物", "0", "0"]]


def test_a_label_set_beside_its_first_line_keeps_its_lines_below_the_figures():
    # Word sets a row's figures beside the first line of its label; the lines below it are
    # nearer the next row's figures than their own
    pieces = [piece("（六）其", 108, 150, 700, 10.5), piece("1.申请人无", 157, 209, 700, 10.5),
              piece("1", 240, 246, 702, 10.5), piece("1", 539, 546, 702, 10.5),
              piece("他处理", 108, 139, 685, 10.5), piece("正当理由逾", 157, 209, 685, 10.5),
              piece("期不补正", 157, 199, 670, 10.5), piece("申请", 157, 178, 655, 10.5),
              piece("2.申请人逾", 157, 209, 630, 10.5), piece("0", 240, 246, 632, 10.5), piece("0", 539, 546, 632, 10.5),
              piece("期未按收费", 157, 209, 615, 10.5)]
    tables, rest = find_unruled_tables(pieces)
    assert rest == [] and len(tables) == 1
    rows = grid_texts(tables[0])
    assert [row[1:] for row in rows] == [["1.申请人无正当理由逾期不补正申请", "1", "1"], ["2.申请人逾期未按收费", "0", "0"]]
    assert rows[0][0] == rows[1][0] == "（六）其他处理"


def test_a_table_ending_a_page_goes_on_in_the_next_pages_part_without_a_header():
    from parsing._extract_worker import _table_going_on, _unruled_at_foot
    upper = [piece("（一）予以公开", 108, 181, 150, 10.5), piece("12", 236, 250, 152, 10.5), piece("16", 536, 549, 152, 10.5),
             piece("（三）不", 108, 150, 55, 10.5), piece("1.属于国家", 157, 209, 55, 10.5),
             piece("0", 240, 246, 57, 10.5), piece("0", 539, 546, 57, 10.5)]
    tables, rest = find_unruled_tables(upper)
    foot, foot_pieces = _unruled_at_foot(upper, rest, [], tables)
    assert foot is tables[0] and len(foot_pieces) == len(upper)
    lower = [piece("予公开", 108, 139, 810, 10.5), piece("秘密", 157, 178, 810, 10.5),
             piece("2.其他法律", 157, 209, 778, 10.5), piece("0", 240, 246, 780, 10.5), piece("0", 539, 546, 780, 10.5),
             piece("行政法规禁", 157, 209, 763, 10.5)]
    n = len(find_unruled_tables(lower)[0])
    joined, rest, _ = _table_going_on(foot, foot_pieces, lower, n)
    assert rest == [] and len(joined) == 1
    rows = grid_texts(joined[0])
    assert [row[-3:] for row in rows[1:]] == [["1.属于国家秘密", "0", "0"], ["2.其他法律行政法规禁", "0", "0"]]
    assert rows[1][0] == rows[2][0] == "（三）不予公开"
    # a part that starts with a header of its own is a table of its own
    header = [piece("信息内容", 108, 150, 830, 10.5), piece("本年处理决定数量", 230, 550, 830, 10.5)]
    assert _table_going_on(foot, foot_pieces, header + lower[2:], 1) is None


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
