"""Pages reached as lists (``as_list=True``), item kinds, articles that are not lists, page-count caps.

Saved pages in tests/files/listings/ (what each imitates: tests/files/README.md, listings part).
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from scraper.cms import ATTACHMENT, PAGE, ListingItem, looks_like_article, parse_listing, trs
from scraper.cms.common import MAX_LIST_PAGES, dedupe, is_attachment

FILES = Path(__file__).parent / "files" / "listings"
QX = "http://www.qx.gov.cn"
YS = "http://www.yanshi.gov.cn"
XXGK = "http://xxgk.yanshi.gov.cn"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def titles_and_kinds(listing):
    return [(i.url, i.date, i.kind) for i in listing.items]


# ---------------------------------------------------------------- last pages and one-page columns

def test_vsb_last_page_without_next_link():
    got = parse_listing(read("vsb_last_nopager.htm"), f"{QX}/xxgknb/1.htm", as_list=True)
    assert got.family == "vsb"
    assert titles_and_kinds(got) == [
        (f"{QX}/info/1154/16376.htm", "2019-01-22", PAGE),
        (f"{QX}/info/1154/15890.htm", "2018-03-26", PAGE),
        (f"{QX}/info/1154/15012.htm", "2017-03-30", PAGE),
    ]
    assert got.items[0].title == "清溪县白驼镇2018年度政府信息公开工作年度报告"  # from title=, text cut with …
    assert [r.url for r in got.next_pages] == [f"{QX}/xxgknb/2.htm"]  # never 1.htm itself, never xxgknb.htm


def test_generic_last_page_without_next_link():
    url = f"{XXGK}/list.php?classid=4471&page=5"
    for as_list in (False, True):  # its 上一页 pager is mark enough even when the role is unknown
        got = parse_listing(read("generic_last.html"), url, as_list=as_list)
        assert got.family == "generic"
        assert [i.url for i in got.items] == [f"{XXGK}/show.php?classid=4471&id=30110&bid=1",
                                              f"{XXGK}/show.php?classid=4471&id=29001&bid=1"]
        assert got.next_pages == []  # 上一页 / 首页 lead back, not forward


@pytest.mark.parametrize("name, url, family, expected", [
    ("trs_single.html", f"{YS}/zwgk/zfxxgk/zfxxgknb/2019n/", "trs", [
        (f"{YS}/zwgk/zfxxgk/zfxxgknb/2019n/202003/t20200331_73135962.html", "2020-03-31", PAGE),
        (f"{YS}/zwgk/zfxxgk/zfxxgknb/2019n/202003/P020200331597386227712.pdf", "2020-03-30", ATTACHMENT),
        (f"{YS}/zwgk/zfxxgk/zfxxgknb/2019n/202003/W020200328512345678901.DOCX?sp=1", "2020-03-28", ATTACHMENT),
    ]),
    ("hanweb_single.html", f"{YS}/col/col1229780139/index.html", "hanweb", [
        (f"{YS}/art/2024/1/19/art_1229780139_5252899.html", "2024-01-19", PAGE),
        (f"{YS}/module/download/downfile.jsp?classid=0&filename=2301121530123456.pdf", "2023-01-12", ATTACHMENT),
    ]),
    ("vsb_single.htm", f"{QX}/zwgk/xxgknb/bmnb.htm", "vsb", [
        (f"{QX}/info/2961/171731.htm", "2020-01-17", PAGE),
        (f"{QX}/info/2961/171020.htm", "2020-01-15", PAGE),
    ]),
    ("generic_single.html", f"{XXGK}/list.php?classid=4480", "generic", [
        (f"{XXGK}/show.php?classid=4480&id=41207&bid=1", "2023-01-20", PAGE),
        (f"{XXGK}/show.php?classid=4480&id=41188&bid=1", "2023-01-18", PAGE),
        (f"{XXGK}/uploadfile/2023/0116/城关镇2021年报.DOCX?v=2", "2022-01-16", ATTACHMENT),
    ]),
])
def test_single_page_column_without_pager(name, url, family, expected):
    got = parse_listing(read(name), url, as_list=True)
    assert (got.family, titles_and_kinds(got), got.next_pages) == (family, expected, [])


def test_generic_single_page_needs_the_list_role():
    # No pager, no CMS marks: of unknown role it is not a list; reached as a list it is one.
    assert parse_listing(read("generic_single.html"), f"{XXGK}/list.php?classid=4480").items == []


def test_trs_single_page_is_read_by_trs_rules():
    # TRS rules (article-shaped links or files) skip the nav links the generic rule might take.
    got = parse_listing(read("trs_single.html"), f"{YS}/zwgk/zfxxgk/zfxxgknb/2019n/", as_list=True)
    assert all("/202003/" in i.url for i in got.items)


# ---------------------------------------------------------------- item kinds

@pytest.mark.parametrize("url, expected", [
    ("http://a.gov.cn/x/2019.pdf", True), ("http://a.gov.cn/x/2019.PDF?t=1", True),
    ("http://a.gov.cn/x/nb.docx", True), ("http://a.gov.cn/x/nb.doc#p2", True), ("http://a.gov.cn/x/nb.wps", True),
    ("http://a.gov.cn/x/nb.xls", True), ("http://a.gov.cn/x/nb.XLSX", True), ("http://a.gov.cn/x/nb.zip", True),
    ("http://a.gov.cn/module/download/downfile.jsp?classid=0&filename=abc.pdf", True),
    ("http://a.gov.cn/module/download/down.jsp?i_ID=123&colID=45", True),
    ("http://a.gov.cn/wcm/download.jsp?fileName=P0201.docx", True),
    ("http://a.gov.cn/show.php?file=nb.pdf", False),           # not a download script
    ("http://a.gov.cn/x/202003/t20200331_1.html", False), ("http://a.gov.cn/pdf/index.html", False),
])
def test_attachment_urls(url, expected):
    assert is_attachment(url) is expected


def test_list_item_kind_defaults_to_page():
    assert ListingItem("http://a.gov.cn/", "t", None).kind == PAGE


# ---------------------------------------------------------------- a report page is not a list

REPORT_URL = f"http://www.baokang.gov.cn/xxgk/xxgknb/nbzl/bkxzf/202110/t20211028_2614728.shtml"


@pytest.mark.parametrize("url", [REPORT_URL, "http://www.baokang.gov.cn/xxgk/report.jsp?id=2614728"])
def test_report_page_with_related_block_is_not_a_list(url):
    body = read("report_with_related.html")
    assert body.decode("utf-8").count("年度政府信息公开工作年度报告</a>") == 70
    assert looks_like_article(body, url)  # by URL shape, and (second URL) by its main text block
    assert parse_listing(body, url).items == []


def test_report_page_read_as_list_when_asked():
    # The role given by the caller wins: as a list, the 相关信息 block is its items.
    assert len(parse_listing(read("report_with_related.html"), REPORT_URL, as_list=True).items) == 70


@pytest.mark.parametrize("name", ["trs_index.html", "hanweb_column.html", "vsb_first.htm", "generic_page2.html",
                                  "generic_plain.html", "trs_single.html", "vsb_last_nopager.htm"])
def test_list_pages_do_not_look_like_articles(name):
    assert not looks_like_article(read(name), f"{YS}/zwgk/xxgknb/index.html")


@pytest.mark.parametrize("report", sorted((FILES.parent / "reports").glob("*.html")), ids=lambda p: p.name)
def test_every_saved_report_looks_like_an_article_by_its_text(report):
    assert looks_like_article(report.read_bytes(), f"{YS}/page.jsp?id=1")


# ---------------------------------------------------------------- page counts from the page are capped

def test_trs_create_page_html_is_capped_and_fast():
    start = time.perf_counter()
    pages = trs.next_pages('<script>createPageHTML(40000, 0, "index", "html");</script>', f"{YS}/c/index.html")
    elapsed = time.perf_counter() - start
    assert len(pages) == MAX_LIST_PAGES - 1 and pages[-1] == f"{YS}/c/index_{MAX_LIST_PAGES - 1}.html"
    assert elapsed < 0.5  # was ~8 s (quadratic de-dup over 40,000 pages)


def test_page_list_dedupe_is_linear():
    pages = [f"{YS}/c/index_{n}.html" for n in range(40000)] * 2
    start = time.perf_counter()
    assert dedupe(pages, exclude=pages[0]) == pages[1:40000]
    assert time.perf_counter() - start < 0.5  # a list-membership de-dup takes seconds here


def test_vsb_and_hanweb_counts_are_capped():
    vsb_page = '<html><body><a class="Next" href="xxgknb/2.htm">下页</a>共4000000条 1/400000</body></html>'
    assert len(parse_listing(vsb_page, f"{QX}/xxgknb.htm").next_pages) == MAX_LIST_PAGES - 1
    hanweb_page = ("<script>$('#1').jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp', totalRecord: 9999999, perPage: 15,"
                   " columnid: 1, webid: 1, unitid: 1})</script>")
    assert len(parse_listing(hanweb_page, f"{YS}/col/col1/index.html").next_pages) == MAX_LIST_PAGES
