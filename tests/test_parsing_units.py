"""Small pure functions of the parser, from tables of (input, expected)."""
import pytest

from parsing import decode_html, extract_contact, is_annual_report_title, parse_report, split_sections
from parsing.contact import normalise_phone
from parsing.meta import issuer_from_title, year_from_title


@pytest.mark.parametrize("title, year, issuer", [
    ("青田县政府信息公开工作2019年度报告", 2019, "青田县人民政府"),
    ("绥宁县人民政府2019年政府信息公开工作年度报告", 2019, "绥宁县人民政府"),
    ("上海市人民政府办公厅2019年政府信息公开工作年度报告", 2019, "上海市人民政府办公厅"),
    ("城步县金紫乡2021年政府信息公开工作年度报告", 2021, "城步县金紫乡"),
    ("易门县气象局2019年度政府信息公开工作年度报告", 2019, "易门县气象局"),
    ("遂溪县教育局2025年政府信息公开工作年度报告", 2025, "遂溪县教育局"),
    ("2020年開平市農業農村局政府信息公開工作年度報告", 2020, "開平市農業農村局"),
    ("大埔县三河镇人民政府2023年政府信息公开工作年度报告", 2023, "大埔县三河镇人民政府"),
    ("关于某县2018年政府信息公开工作年度报告", 2018, "某县人民政府"),
    ("福州市晋安区2016年政府信息公开工作年度报告", 2016, "福州市晋安区人民政府"),
    ("某高新区2020年政府信息公开工作年度报告", 2020, "某高新区"),
    ("政府信息公开年报", None, None),
])
def test_year_and_issuer_from_title(title, year, issuer):
    assert year_from_title(title) == year
    assert issuer_from_title(title) == issuer


@pytest.mark.parametrize("title, expected", [
    ("青田县政府信息公开工作2019年度报告", True),
    ("演示县人民政府2020年政府信息公开工作年度报告", True),
    ("2020年開平市農業農村局政府信息公開工作年度報告", True),
    ("宿州市人民政府2019年政府信息公开工作年度报告（图片版）", True),
    ("关于做好2020年政府信息公开工作年度报告编制工作的通知", False),
    ("《演示县2020年政府信息公开工作年度报告》的解读", False),
    ("图解：2020年政府信息公开工作年度报告", False),
    ("2021年政府工作报告", False),
    ("2021年政务公开工作要点", False),
    ("演示县人民政府信息公开指南", False),
    ("演示县2020年国民经济和社会发展统计公报", False),
    ("", False),
])
def test_is_annual_report_title(title, expected):
    assert is_annual_report_title(title) is expected


@pytest.mark.parametrize("raw, expected", [
    ("0578-6508316", "0578-6508316"),
    ("0876—6130637", "0876-6130637"),
    ("0378--6982677", "0378-6982677"),
    ("(0578)6508316", "0578-6508316"),
    ("0515 87238520", "0515-87238520"),
    ("24832398", "24832398"),
    ("13800138000", "13800138000"),
])
def test_normalise_phone(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("text, field, expected", [
    ("(地址:青田县鹤城中路33号,邮编:323900,电话:0578-6508316,电子邮箱:997408914@qq.com)", "address", "青田县鹤城中路33号"),
    ("(联系地址阜宁县阜城街道香港路审计楼808室,邮编224400,电话0515-87238520,电子信箱fn8801@126.com)", "address", "阜宁县阜城街道香港路审计楼808室"),
    ("(联系地址阜宁县阜城街道香港路审计楼808室,邮编224400,电话0515-87238520,电子信箱fn8801@126.com)", "email", "fn8801@126.com"),
    ("邮政编码:475300,联系电话:0378--6982677,电子邮件:lkxzfb@163.com", "phones", ["0378-6982677"]),
    ("邮政编码:475300,联系电话:0378--6982677", "postcode", "475300"),
    ("(地址:永泰县樟城镇上马路27号;邮编:350700;电话:24832398;传真:24832398;电子邮箱:ytxjyj2014@163.com)", "fax", ["24832398"]),
    ("（地址：開平市良園路六十號；郵編：529300；電話：0750-2303503；電子郵箱：nongyeju@kaiping.gov.cn）", "address", "開平市良園路六十號"),
    ("（地址：開平市良園路六十號；郵編：529300；電話：0750-2303503；電子郵箱：nongyeju@kaiping.gov.cn）", "phones", ["0750-2303503"]),
    ("联系电话：0876—6130637", "phones", ["0876-6130637"]),
    ("电话/传真：0599-8830330", "fax", ["0599-8830330"]),
    ("电话：0571-1234567、0571-7654321", "phones", ["0571-1234567", "0571-7654321"]),
    ("全年通过12345热线受理群众诉求3560件。", "phones", []),
    ("网站地址：www.example.gov.cn。", "address", None),
])
def test_contact_fields(text, field, expected):
    assert extract_contact(text).to_dict()[field] == expected


def test_sections_ignore_subsections_and_table_rows():
    lines = ["前言", "一、总体情况", "（一）完善机制", "二、主动公开政府信息情况",
             "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量\t3",
             "四、结转下年度继续办理\t0", "四、政府信息公开行政复议、行政诉讼情况",
             "五、存在的主要问题及改进情况", "六、其他需要报告的事项 无。"]
    preamble, sections = split_sections(lines)
    assert preamble == "前言"
    assert [s.heading for s in sections] == [
        "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    assert sections[0].text == "（一）完善机制"
    assert sections[5].text == "无。"


def test_sections_heading_split_over_lines_is_joined():
    _, sections = split_sections(["一、", "总体情况", "正文"])
    assert [(s.number, s.heading, s.text) for s in sections] == [(1, "一、总体情况", "正文")]


def test_sections_inline_headings_in_one_paragraph():
    _, sections = split_sections(["一、總體情況 根據條例。 二、主動公開政府信息情況 三、收到和處理政府信息公開申請情況 甲"])
    assert [s.heading for s in sections] == ["一、總體情況", "二、主動公開政府信息情況", "三、收到和處理政府信息公開申請情況"]


@pytest.mark.parametrize("body, content_type, expected_encoding", [
    ("<meta charset='gb2312'><p>政府信息公开</p>".encode("gbk"), None, "gb18030"),
    ("<p>政府信息公开</p>".encode("gbk"), None, "gb18030"),
    ("\ufeff<p>政府信息公开</p>".encode("utf-8"), None, "utf-8"),
    ("<meta charset='gb2312'><p>政府信息公开</p>".encode("utf-8"), None, "utf-8"),
    ("<p>政府信息公开</p>".encode("gbk"), "text/html; charset=GBK", "gb18030"),
])
def test_decode_html_detects_encoding(body, content_type, expected_encoding):
    text, encoding = decode_html(body, content_type)
    assert "政府信息公开" in text
    assert encoding == expected_encoding


@pytest.mark.parametrize("body", [b"", b"\x00\xff\xfe garbage", b"<html><body><p>404 Not Found</p>", b"<<<>>>"])
def test_parse_report_survives_bad_input(body):
    report = parse_report(body, "http://x/bad.html")
    assert report.is_report is False
    assert report.sections == []
