"""discover_links: gateways, report columns, sub-columns and report candidates on saved pages."""
from __future__ import annotations

from pathlib import Path

from scraper.cms import ColumnLink, discover_links, find_column_links

FILES = Path(__file__).parent / "files" / "listings"
QX = "http://www.qx.gov.cn"


def kinds(links):
    return [(c.kind, c.url) for c in links]


def test_homepage_links_by_kind():
    got = discover_links((FILES / "discovery_home.html").read_bytes(), QX + "/")
    assert kinds(got) == [
        ("gateway", f"{QX}/zwgk/"),                          # 政务公开 (nav; the javascript: copy is skipped)
        ("gateway", f"{QX}/xxgk/"),                          # 政府信息公开
        ("gateway", f"{QX}/zfxxgkzl/fdzdgknr/"),             # 法定主动公开内容
        ("gateway", f"{QX}/gkmlpt/index"),                   # gkmlpt platform path
        ("report_column", f"{QX}/zwgk/zfxxgknb/"),           # text and zfxxgknb path
        ("report_column", f"{QX}/col/col1229780139/index.html"),  # 政府信息公开工作年报
        ("report_candidate", f"{QX}/xwzx/gzdt/202401/t20240119_5252899.html"),  # article URL + report title
        ("report_candidate", f"{QX}/xwzx/gzdt/news.jsp?id=88123"),  # long title with a year, date beside it
        ("report_candidate", f"{QX}/uploadfile/2023/0130/2022年报.pdf"),  # a report file
    ]  # not: 新闻中心, 县政府常务会议 article, 网站地图, the broken http://[::1 link


def test_report_column_page_sub_columns():
    got = discover_links((FILES / "discovery_report_column.html").read_bytes(), f"{QX}/zwgk/zfxxgknb/")
    col = f"{QX}/zwgk/zfxxgknb/"
    assert kinds(got) == [
        ("gateway", f"{QX}/zwgk/"),
        *[("sub_column", col + s + "/") for s in ("bmnb", "xznb", "jdbsc", "qsydw", "2022n", "xzfnb")],
        ("report_candidate", col + "202401/t20240119_5252899.html"),
    ]  # not: the nav's 乡镇街道 (a portal section), the breadcrumb link to the page itself
    assert got[1] == ColumnLink(col + "bmnb/", "部门年报", "sub_column")


def test_sub_column_words_mean_nothing_outside_a_report_column():
    page = '<html><head><title>首页</title></head><body><ul class="x"><li><a href="/bmnb/">部门动态</a></li></ul></body></html>'
    assert discover_links(page, QX + "/") == []


def test_find_column_links_is_the_report_columns():
    body = (FILES / "discovery_home.html").read_bytes()
    assert [c.url for c in find_column_links(body, QX + "/")] == [f"{QX}/zwgk/zfxxgknb/", f"{QX}/col/col1229780139/index.html"]
