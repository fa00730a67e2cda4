"""Hostile and odd pages: characters XML cannot carry, charsets that lie."""
from pathlib import Path

import pytest

from parsing import decode_html, parse_report

REPORTS = Path(__file__).parent / "files" / "reports"
SEED = (REPORTS / "seed_qingtian.html").read_text(encoding="utf-8")
SEED_URL = "http://www.qingtian.gov.cn/art/2020/1/20/art_1229425866_3896712.html"

# Word pastes and broken CMS exports: raw control characters, their numeric
# references, non-characters, lone surrogates, NUL.
XML_INVALID = ["\x0b", "\x0c", "&#12;", "&#x0B;", "\ufffe", "&#xFFFE;", "\ud800", "&#xD800;", "\x00", "\x01", "&#31;"]


def _essentials(report):
    return (report.title, report.year, report.issuer, report.published,
            [s.heading for s in report.sections], report.contact.to_dict(), len(report.stats))


@pytest.mark.parametrize("bad", XML_INVALID)
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_xml_invalid_characters_read_as_spaces(bad, as_bytes):
    clean = parse_report(SEED, SEED_URL)
    # In a heading, in the title paragraph, in a table cell and in the contact line.
    page = (SEED.replace("总体情况", f"总体{bad}情况", 1)
            .replace("政府信息公开工作2019年度报告", f"政府信息公开工作2019年度报告{bad}")
            .replace("邮编", f"{bad}邮编"))
    assert page != SEED
    body = page.encode("utf-8", "surrogatepass") if as_bytes else page
    report = parse_report(body, SEED_URL)
    assert _essentials(report) == _essentials(clean)
    assert report.is_report


def test_xml_invalid_character_between_words_becomes_a_space():
    page = "<html><body><div id='zoom'><p>甲乙丙丁戊己庚辛壬癸\x0c子丑寅卯辰巳午未申酉戌亥</p></div></body></html>"
    assert "癸 子" in parse_report(page).body


GBK_REPORT = SEED.replace('charset="utf-8"', "").replace("charset=utf-8", "")


@pytest.mark.parametrize("content_type, meta", [
    ("text/html; charset=utf-8", ""),                               # the server's default, the bytes are GBK
    ("text/html; charset=utf-8", '<meta charset="gb2312">'),        # the meta is right, the header wrong
    ("text/html; charset=ISO-8859-1", ""),                          # HTTP's old default
    (None, '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'),  # the meta lies
])
def test_gbk_body_behind_a_wrong_charset_is_still_read(content_type, meta):
    page = GBK_REPORT.replace("<head>", "<head>" + meta, 1)
    body = page.encode("gbk")
    text, encoding = decode_html(body, content_type)
    assert encoding == "gb18030"
    assert "\ufffd" not in text
    report = parse_report(body, SEED_URL, content_type)
    assert report.title == "青田县政府信息公开工作2019年度报告"
    assert len(report.sections) == 6


def test_a_damaged_utf8_page_stays_utf8():
    # One byte lost in the middle of a character (a truncated CMS field):
    # the rest of the page must not turn into GB18030 mojibake.
    body = SEED.encode("utf-8")
    cut = body.index("总体情况".encode("utf-8")) + 1
    damaged = body[:cut] + body[cut + 1:]
    text, encoding = decode_html(damaged, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert "主动公开政府信息情况" in text
    assert text.count("\ufffd") <= 2


def test_a_damaged_gbk_page_stays_gbk():
    body = GBK_REPORT.encode("gbk")
    cut = body.index("总体情况".encode("gbk")) + 1
    damaged = body[:cut] + b"\xff" + body[cut + 1:]
    text, encoding = decode_html(damaged, "text/html; charset=utf-8")
    assert encoding == "gb18030"
    assert "主动公开政府信息情况" in text
