"""The statistics tables: one behaviour per test, on small real-shaped snippets."""
import pytest

from parsing import parse_report
from parsing.checks import compute_checks
from parsing.tables import parse_value

T3_HEADER = """<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业<br/>企业</td><td>科研 机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"""


def t3_row(label_cells: str, values) -> str:
    return "<tr>" + label_cells + "".join(f"<td>{v}</td>" for v in values) + "</tr>"


def page(tables: str, headings=True) -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>某县人民政府2020年政府信息公开工作年度报告</title></head>
<body><div id="zoom"><p>三、收到和处理政府信息公开申请情况</p><table>{tables}</table></div></body></html>""".encode()


@pytest.fixture
def table3_2019():
    rows = [T3_HEADER,
            t3_row('<td colspan="3">一、本年新收政府信息公开申请数量</td>', [5, 1, 0, 0, 0, 0, 6]),
            t3_row('<td colspan="3">二、上年结转政府信息公开申请数量</td>', ["&nbsp;", "-", "—", "", "0", "/", 0]),
            t3_row('<td rowspan="20">三、本年度办理结果</td><td colspan="2">(一)予以公开</td>', [3, 1, 0, 0, 0, 0, 4]),
            t3_row('<td colspan="2">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td>', [1, 0, 0, 0, 0, 0, 1]),
            t3_row('<td rowspan="8">（三）不予公开</td><td>1.属于国家秘密</td>', [0] * 7)]
    rows += [t3_row(f"<td>{label}</td>", [0] * 7) for label in (
        "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息",
        "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")]
    rows += [t3_row('<td rowspan="3">（四）无法提供</td><td>1.本机关不掌握相关政府信息</td>', [1, 0, 0, 0, 0, 0, 1]),
             t3_row("<td>2.没有现成信息需要另行制作</td>", [0] * 7), t3_row("<td>3.补正后申请内容仍不明确</td>", [0] * 7),
             t3_row('<td rowspan="5">（五）不予处理</td><td>1.信访举报投诉类申请</td>', [0] * 7)]
    rows += [t3_row(f"<td>{label}</td>", [0] * 7) for label in (
        "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息")]
    rows += [t3_row('<td colspan="2">（六）其他处理</td>', [0] * 7),
             t3_row('<td colspan="2">（七）总计</td>', [5, 1, 0, 0, 0, 0, 6]),
             t3_row('<td colspan="3">四、结转下年度继续办理</td>', [0] * 7)]
    return parse_report(page("".join(rows)), "http://x/a.html")


def cell(report, row_key, column_key):
    return next(s for s in report.stats if (s.row_key, s.column_key) == (row_key, column_key))


def test_table3_has_every_cell_of_the_2019_layout(table3_2019):
    assert len([s for s in table3_2019.stats if s.table == 3]) == 23 * 7


def test_rowspan_parents_are_joined_into_the_row_label(table3_2019):
    s = cell(table3_2019, "result.withheld.third_party", "org.research")
    assert s.row == "三、本年度办理结果/（三）不予公开/4.保护第三方合法权益"
    assert s.column == "法人或其他组织/科研机构"


def test_ascii_and_fullwidth_brackets_give_the_same_key(table3_2019):
    assert cell(table3_2019, "result.disclosed", "total").value == 4
    assert cell(table3_2019, "result.partially_disclosed", "total").value == 1


@pytest.mark.parametrize("column_key", ["natural_person", "org.commercial", "org.research",
                                        "org.public_interest", "org.legal_services", "org.other"])
def test_blank_dash_and_nbsp_cells_are_zero_and_flagged(table3_2019, column_key):
    s = cell(table3_2019, "carried_over", column_key)
    assert (s.value, s.blank) == (0, column_key != "org.legal_services")


def test_a_2019_layout_is_detected_from_its_rows(table3_2019):
    assert table3_2019.template == "2019"


def test_checks_pass_when_the_numbers_add_up(table3_2019):
    assert table3_2019.checks and all(c.ok for c in table3_2019.checks)


def test_a_total_that_does_not_add_up_is_flagged_not_corrected(table3_2019):
    stats = list(table3_2019.stats)
    wrong = next(s for s in stats if (s.row_key, s.column_key) == ("result.total", "natural_person"))
    wrong.value = 4
    failed = {c.check: (c.expected, c.actual) for c in compute_checks(stats) if not c.ok}
    assert failed["t3.balance.natural_person"] == (5, 4)
    assert failed["t3.results.natural_person"] == (5, 4)
    assert failed["t3.applicants.result.total"] == (5, 6)
    assert wrong.value == 4


def test_table2_2021_with_colspan_values_and_unit_from_the_header():
    html = """<tr><td colspan="4">第二十条第(一)项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>3</td></tr>
<tr><td>行政规范性文件</td><td>2</td><td>1</td><td>15</td></tr>
<tr><td colspan="4">第二十条第(五)项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">858</td></tr>
<tr><td colspan="4">第二十条第(八)项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">20.3</td></tr>"""
    report = parse_report(page(html), "http://x/a.html")
    assert cell(report, "art20_1.normative_documents", "in_force").value == 15
    assert cell(report, "art20_5.licensing", "decisions").value == 858
    fee = cell(report, "art20_8.fees", "fee_amount")
    assert (fee.value, fee.unit, fee.row) == (20.3, "万元", "第二十条第(八)项/行政事业性收费")
    assert report.template == "2021"


def test_table4_fifteen_values_in_template_order():
    html = """<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果<br/>维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td>
<td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>""" + "".join(f"<td>{h}</td>" for h in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2) + "</tr><tr>" + \
        "".join(f"<td>{v}</td>" for v in [3, 0, 0, 1, 4, 1, 0, 0, 0, 1, 0, 0, 0, 2, 2]) + "</tr>"
    report = parse_report(page(html), "http://x/a.html")
    assert cell(report, "cases", "review.pending").value == 1
    assert cell(report, "cases", "litigation_after_review.total").value == 2
    assert cell(report, "cases", "litigation_direct.upheld").column == "行政诉讼/未经复议直接起诉/结果维持"
    assert all(c.ok for c in report.checks if c.check.startswith("t4."))


@pytest.mark.parametrize("text, expected", [
    ("12", (12, None, False)), (" 1,203 ", (1203, None, False)), ("-5", (-5, None, False)),
    ("20.3", (20.3, None, False)), ("251000元", (251000, "元", False)), ("20.3 万元", (20.3, "万元", False)),
    ("", (0, None, True)), ("\xa0", (0, None, True)), ("—", (0, None, True)), ("-", (0, None, True)),
    ("无", (0, None, True)), ("见附件", None),
])
def test_parse_value(text, expected):
    assert parse_value(text) == expected


def test_headings_without_tables_are_flagged_missing():
    html = """<html><head><meta charset="utf-8"></head><body><div id="zoom">
<h1>某县2020年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>正文</p>
<p>二、主动公开政府信息情况</p><p><img src="/picture/1.png"></p>
<p>三、收到和处理政府信息公开申请情况</p><p><img src="/picture/2.png"></p>
<p>四、政府信息公开行政复议、行政诉讼情况</p><p><img src="/picture/3.png"></p></div></body></html>"""
    report = parse_report(html.encode(), "http://x/a.html")
    assert report.tables_missing == [2, 3, 4]
    assert report.stats == []


def test_hostile_rowspan_is_capped():
    html = T3_HEADER + '<tr><td rowspan="1000000">三、本年度办理结果</td><td>（一）予以公开</td>' + "<td>1</td>" * 7 + "</tr>"
    report = parse_report(page(html), "http://x/a.html")
    assert len(report.stats) == 7
