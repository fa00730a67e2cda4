"""CMS listing parsers (scraper.cms) on saved list pages in tests/files/listings/.

Pages named trs_index*, hanweb_column/dataproxy, vsb_*, generic_page*, *_article were saved
from the demo portal builder (demo_portal.build_site); the others are hand-made variants
modelled on real portals (PORTALS.md). Every expectation below was read off those files.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from scraper.cms import Listing, ListingItem, PageRequest, detect_family, find_column_links, parse_listing
from scraper.cms import common, generic, hanweb, trs, vsb

FILES = Path(__file__).parent / "files" / "listings"
DEMO = "http://127.0.0.1:8700"
TRS_COL = f"{DEMO}/trs/zwgk/xxgknb/"
HANWEB_PROXY = f"{DEMO}/hanweb/module/web/jpage/dataproxy.jsp?startrecord={{}}&endrecord={{}}&perpage=3"
YS = "http://www.yanshi.gov.cn"


@pytest.fixture
def page():
    """Load a saved page: page(name) -> bytes."""
    return lambda name: (FILES / name).read_bytes()


@pytest.fixture
def listing(page):
    """Parse a saved page as served from ``url``: listing(name, url, content_type=None)."""
    return lambda name, url, content_type=None: parse_listing(page(name), url, content_type)


def items(*rows) -> list[ListingItem]:
    return [ListingItem(url, title, date) for url, title, date in rows]


def urls(requests) -> list[str]:
    """URLs of GET page requests (the families that page by plain links)."""
    assert all(r.method == "GET" and r.form is None for r in requests)
    return [r.url for r in requests]


# ---------------------------------------------------------------- TRS

def test_trs_first_page_items(listing):
    got = listing("trs_index.html", TRS_COL + "index.html", "text/html")
    assert got.family == "trs"
    assert got.items == items(
        (TRS_COL + "202103/t20210320_1007.html", "青溪县2020年国民经济和社会发展统计公报", "2021-03-20"),
        (TRS_COL + "202101/t20210129_1004.html", "青溪县城关镇人民政府2020年政府信息公开工作年度报告", "2021-01-29"),
        (TRS_COL + "202012/t20201215_1005.html", "关于做好2020年政府信息公开工作年度报告编制工作的通知", "2020-12-15"),
    )


def test_trs_first_page_lists_every_further_page(listing):
    got = listing("trs_index.html", TRS_COL + "index.html", "text/html")
    assert urls(got.next_pages) == [TRS_COL + "index_1.html", TRS_COL + "index_2.html"]


def test_trs_countpage_variable_variant(listing):
    got = listing("trs_index_2.html", TRS_COL + "index_2.html", "text/html")
    assert got.items == items(
        (TRS_COL + "201502/t20150203_1002.html", "青溪县教育局2014年政府信息公开年度报告", "2015-02-03"))
    assert urls(got.next_pages) == [TRS_COL + "index_1.html"]  # current page excluded


def test_trs_gbk_page_with_only_meta_charset(listing):
    got = listing("trs_gbk_meta_only.html", f"{YS}/zwgk/xxgknb/index.html", "text/html")
    assert got.family == "trs"
    assert got.items == items(
        (f"{YS}/zwgk/xxgknb/201901/t20190115_3019.htm", "演示县民政局2018年政府信息公开工作年度报告", "2019-01-15"),
        (f"{YS}/zwgk/xxgknb/201803/t20180302_2877.htm", "演示县人民政府2017年政府信息公开工作年度报告", "2018-03-02"),
        (f"{YS}/zwgk/zfxxgkzn/201712/t20171220_2790.htm", "演示县人民政府信息公开指南", "2017-12-20"),
        (f"{YS}/zwgk/xxgknb/201701/t20170125_2601_wap.html", "演示县2016年政府信息公开工作年度报告（移动版）", None),
    )


def test_trs_sidebar_article_link_is_not_an_item(listing):
    got = listing("trs_gbk_meta_only.html", f"{YS}/zwgk/xxgknb/index.html")
    assert all("/xwzx/" not in i.url for i in got.items)


def test_trs_create_page_html_gives_all_pages(listing):
    got = listing("trs_gbk_meta_only.html", f"{YS}/zwgk/xxgknb/index.html")
    assert urls(got.next_pages) == [f"{YS}/zwgk/xxgknb/index_{n}.html" for n in (1, 2, 3)]


def test_trs_shtml_site(listing):
    base = f"{YS}/xxgk/xxgknb/nbzl/"
    got = listing("trs_shtml.shtml", base + "index_1.shtml")
    assert got.items == items(
        (base + "202110/t20211028_2614728.shtml", "演示县2020年度政府信息公开工作年度报告", "2021-10-28"),
        (base + "202002/t20200228_2301456.shtml", "演示县2019年度政府信息公开工作年度报告", "2020-02-28"),
    )
    assert urls(got.next_pages) == [base + "index_2.shtml"]


@pytest.mark.parametrize("script, url, expected", [
    ('createPageHTML(3, 0, "index", "html");', "http://a.gov.cn/c/index.html", ["index_1.html", "index_2.html"]),
    ("createPageHTML('2','0','index','shtml');", "http://a.gov.cn/c/", ["index_1.shtml"]),
    ('createPageHTML(1, 0, "index", "html");', "http://a.gov.cn/c/index.html", []),
    ('var currentPage = 0;var countPage = 3;document.write("<a href=\\"index_" + nextPage + "." + "htm\\">下一页</a>");',
     "http://a.gov.cn/c/index.htm", ["index_1.htm", "index_2.htm"]),
    ("var countPage = 2//共多少页", "http://a.gov.cn/c/index.shtml", ["index_1.shtml"]),
    ("no pager here", "http://a.gov.cn/c/index.html", []),
])
def test_trs_next_pages_from_pager_script(script, url, expected):
    assert trs.next_pages(f"<script>{script}</script>", url) == ["http://a.gov.cn/c/" + p for p in expected]


# ---------------------------------------------------------------- Hanweb

HANWEB_ART = f"{DEMO}/hanweb/art/"


def test_hanweb_column_records_from_datastore(listing):
    got = listing("hanweb_column.html", f"{DEMO}/hanweb/col/col1229000001/index.html", "text/html; charset=utf-8")
    assert got.family == "hanweb"
    assert got.items == items(
        (HANWEB_ART + "2023/1/16/art_1229000001_5004.html", "云岭县白沙乡人民政府2022年度政府信息公开工作年度报告", "2023-01-16"),
        (HANWEB_ART + "2022/1/20/art_1229000001_5003.html", "云岭县财政局2021年政府信息公开工作年度报告", "2022-01-20"),
        (HANWEB_ART + "2021/4/10/art_1229000001_5006.html", "云岭县2021年政务公开工作要点", "2021-04-10"),
    )


def hanweb_requests(proxy: str, form: dict[str, str], ranges, perpage: int) -> list[PageRequest]:
    """The POST requests (GET fallback) jpage would send for record ``ranges``."""
    out = []
    for start, end in ranges:
        query = f"{proxy}?startrecord={start}&endrecord={end}&perpage={perpage}"
        out.append(PageRequest(query, "POST", form, PageRequest(query + "&" + urlencode(form))))
    return out


def test_hanweb_column_next_pages_are_dataproxy_posts(listing):
    got = listing("hanweb_column.html", f"{DEMO}/hanweb/col/col1229000001/index.html")
    form = {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": "1229000001", "sourceContentType": "1",
            "unitid": "4455560", "webname": "云岭县人民政府", "permissiontype": "0"}
    assert got.next_pages == hanweb_requests(f"{DEMO}/hanweb/module/web/jpage/dataproxy.jsp", form, [(4, 6), (7, 7)], 3)
    assert list(got.next_pages[0].form) == list(hanweb.FORM_FIELDS)  # every field real portals send, in order


def test_hanweb_dataproxy_response(listing):
    got = listing("hanweb_dataproxy.xml", HANWEB_PROXY.format(4, 6), "text/xml;charset=UTF-8")
    assert got == Listing("hanweb", items(
        (HANWEB_ART + "2021/2/5/art_1229000001_5007.html", "2021年政府工作报告", "2021-02-05"),
        (HANWEB_ART + "2021/1/29/art_1229000001_5005.html", "图解：《云岭县人民政府2020年政府信息公开工作年度报告》", "2021-01-29"),
        (HANWEB_ART + "2021/1/28/art_1229000001_5001.html", "云岭县人民政府2020年政府信息公开工作年度报告", "2021-01-28"),
    ), [])


def test_hanweb_records_only_in_datastore(listing):
    got = listing("hanweb_datastore_only.html", f"{YS}/col/col1229214366/index.html")
    assert got.items == items(
        (f"{YS}/art/2024/1/19/art_1229214366_5252899.html", "演示县2023年政府信息公开工作年度报告", "2024-01-19"),
        (f"{YS}/art/2023/1/9/art_1229214366_5101122.html", "演示县住房和城乡建设局2022年政府信息公开工作年度报告", "2023-01-09"),
        (f"{YS}/art/2022/12/30/art_1229214366_5100001.html", "关于做好2022年政府信息公开工作年度报告编制工作的通知", "2022-12-30"),
        (f"{YS}/art/2019/2/28/art_1229214366_3747111.html", "演示县2018年政府信息公开工作年度报告", None),
    )


def test_hanweb_group_size_and_default_proxy_path(listing):
    got = listing("hanweb_datastore_only.html", f"{YS}/col/col1229214366/index.html")
    form = {"col": "1", "appid": "1", "webid": "2", "path": "/", "columnid": "1229214366", "sourceContentType": "1",
            "unitid": "4458812", "webname": "演示县人民政府", "permissiontype": "0"}
    assert got.next_pages == hanweb_requests(f"{YS}/module/web/jpage/dataproxy.jsp", form, [(5, 8), (9, 9)], 2)


def test_hanweb_lxml_alone_sees_no_record_links(page):
    # Why the parser cuts records out with a regex: lxml keeps the <script> opaque.
    doc = common.parse_html(page("hanweb_column.html").decode("utf-8"))
    assert not [a for a in doc.iter("a") if "/art/" in (a.get("href") or "")]


# ---------------------------------------------------------------- VSB

VSB_INFO = f"{DEMO}/vsb/info/1082/"


def test_vsb_first_page(listing):
    got = listing("vsb_first.htm", f"{DEMO}/vsb/xxgknb.htm")
    assert got.family == "vsb"
    assert got.items == items(
        (VSB_INFO + "16563.htm", "《石门川县人民政府2023年政府信息公开工作年度报告》的解读", "2024-01-22"),
        (VSB_INFO + "16561.htm", "石门川县人民政府2023年政府信息公开工作年度报告", "2024-01-19"),
    )
    assert urls(got.next_pages) == [f"{DEMO}/vsb/xxgknb/2.htm", f"{DEMO}/vsb/xxgknb/1.htm"]


def test_vsb_middle_page(listing):
    got = listing("vsb_middle.htm", f"{DEMO}/vsb/xxgknb/2.htm")
    assert got.items == items(
        (VSB_INFO + "16470.htm", "石门川县2022年国民经济和社会发展统计公报", "2023-03-10"),
        (VSB_INFO + "16404.htm", "石门川县人民政府2019年政府信息公开工作年度报告", "2020-03-16"),
    )
    assert urls(got.next_pages) == [f"{DEMO}/vsb/xxgknb/1.htm"]


def test_vsb_last_page(listing):
    got = listing("vsb_last.htm", f"{DEMO}/vsb/xxgknb/1.htm")
    assert got.items == items(
        (VSB_INFO + "16398.htm", "石门川县青龙镇2019年度政府信息公开年度报告", "2020-01-20"),
        (VSB_INFO + "16120.htm", "石门川县卫生局2012年度政府信息公开工作报告", "2013-03-20"),
    )
    assert urls(got.next_pages) == [f"{DEMO}/vsb/xxgknb/2.htm"]  # never the first page xxgknb.htm


def test_vsb_truncated_link_text_uses_title_attribute(page):
    assert "…" in page("vsb_first.htm").decode("utf-8")
    got = parse_listing(page("vsb_first.htm"), f"{DEMO}/vsb/xxgknb.htm")
    assert not any(i.title.endswith("…") for i in got.items)


# ---------------------------------------------------------------- generic

def test_generic_middle_page(listing):
    got = listing("generic_page2.html", f"{DEMO}/generic/list.php?page=2")
    assert got.family == "generic"
    assert got.items == items(
        (f"{DEMO}/generic/show.php?id=39310", "关于做好2021年政府信息公开工作年度报告编制发布工作的通知", "2021-12-20"),
        (f"{DEMO}/generic/show.php?id=38000", "桃源湾县人民政府信息公开指南", "2020-06-01"),
    )
    assert urls(got.next_pages) == [f"{DEMO}/generic/list.php?page=3"]


def test_generic_last_page_has_no_next(listing):
    got = listing("generic_page3.html", f"{DEMO}/generic/list.php?page=3")
    assert [i.url for i in got.items] == [f"{DEMO}/generic/show.php?id=37290", f"{DEMO}/generic/show.php?id=31021"]
    assert urls(got.next_pages) == []


def test_generic_plain_list_skips_nav_and_footer(listing):
    base = "http://xxgk.yanshi.gov.cn/"
    got = listing("generic_plain.html", base + "list.php?classid=4471&page=2")
    assert got.items == items(
        (base + "show.php?classid=4471&id=37290&bid=1", "演示县人民政府2015年政府信息公开工作年度报告", "2016-03-25"),
        (base + "show.php?classid=4471&id=35112&bid=1", "演示县人民政府2014年政府信息公开工作年度报告", "2015-03-20"),
        (base + "show.php?classid=4471&id=33001&bid=1", "演示县2013年度政府信息公开工作年度报告", "2014-03-31"),
    )
    assert urls(got.next_pages) == [base + "list.php?classid=4471&page=3"]


# ---------------------------------------------------------------- non-listing pages

@pytest.mark.parametrize("name, url", [
    ("trs_article.html", f"{TRS_COL}202003/t20200331_1001.html"),
    ("hanweb_article.html", f"{HANWEB_ART}2021/1/28/art_1229000001_5001.html"),
    ("not_a_list.html", f"{YS}/lxwm/"),
])
def test_article_page_is_not_a_listing(listing, name, url):
    got = listing(name, url)
    assert urls(got.next_pages) == []
    assert got.family is None or got.items == []


def test_plain_page_has_no_family(listing):
    assert listing("not_a_list.html", f"{YS}/lxwm/") == Listing(None, [], [])


def test_parse_listing_accepts_text(page):
    text = page("vsb_middle.htm").decode("utf-8")
    assert parse_listing(text, f"{DEMO}/vsb/xxgknb/2.htm") == parse_listing(page("vsb_middle.htm"), f"{DEMO}/vsb/xxgknb/2.htm")


# ---------------------------------------------------------------- homepage column links

def test_find_column_links(page):
    got = find_column_links(page("homepage.html"), f"{YS}/index.html")
    assert got == items(
        (f"{YS}/zwgk/xxgknb/", "政府信息公开年报", None),        # text + path; the relative duplicate is dropped
        (f"{YS}/zwgk/zfxxgkndbg/", "法定主动公开内容", None),     # path pattern only
        (f"{YS}/col/col1229000001/index.html", "政府信息公开工作年度报告", None),  # text only
    )  # not: 政府工作报告, a report article, javascript: links, nav


# ---------------------------------------------------------------- table-driven heuristics

@pytest.mark.parametrize("text, url, expected", [
    ('<script>createPageHTML(2, 0, "index", "html");</script>', "http://a.gov.cn/x/index.html", "trs"),
    ("<script>var currentPage = 0; var countPage = 2</script>", "http://a.gov.cn/x/index.html", "trs"),
    ('<div class="TRS_Editor"><p>正文</p></div>', "http://a.gov.cn/x/202001/t20200101_1.html", "trs"),
    ('<script type="text/xml"><datastore><recordset></recordset></datastore></script>', "http://a.gov.cn/", "hanweb"),
    ("<script>$('#1').jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp'})</script>", "http://a.gov.cn/", "hanweb"),
    ("<html></html>", "http://a.gov.cn/col/col123/index.html", "hanweb"),
    ('<a href="xxgknb/4.htm" class="Next">下页</a>', "http://a.gov.cn/xxgknb.htm", "vsb"),
    ('<div id="vsb_content"><div class="v_news_content">x</div></div>', "http://a.gov.cn/info/1/2.htm", "vsb"),
    ('<a href="list.php?page=2">下一页</a>', "http://a.gov.cn/list.php?page=1", "generic"),
    ('<a href="?p=2"> 下页 </a>', "http://a.gov.cn/list.asp", "generic"),
    ("<p>联系我们</p>", "http://a.gov.cn/lxwm.html", None),
])
def test_detect_family(text, url, expected):
    assert detect_family(text, url) == expected


@pytest.mark.parametrize("module, url, expected", [
    (trs, "http://a.gov.cn/zwgk/xxgknb/202003/t20200331_73135962.html", True),
    (trs, "http://a.gov.cn/zfxxgknb/202102/t20210203_8862455_wap.html", True),
    (trs, "http://a.gov.cn/xxgknb/202110/t20211028_2614728.shtml", True),
    (trs, "http://a.gov.cn/ndbg/201706/t20170621_1034290.htm", True),
    (trs, "http://a.gov.cn/zwgk/xxgknb/index_1.html", False),
    (trs, "http://a.gov.cn/art/2019/2/28/art_31963_3747111.html", False),
    (hanweb, "http://a.gov.cn/art/2019/2/28/art_31963_3747111.html", True),
    (hanweb, "http://a.gov.cn/art/2024/1/19/art_1229780139_5252899.html", True),
    (hanweb, "http://a.gov.cn/col/col1229214366/index.html", False),
    (vsb, "http://a.gov.cn/info/1082/16404.htm", True),
    (vsb, "http://a.gov.cn/xxgknb/2.htm", False),
    (vsb, "http://a.gov.cn/info/1082/16404.html", False),
])
def test_article_url_shapes(module, url, expected):
    assert bool(module.ARTICLE_URL_RE.search(url)) is expected


@pytest.mark.parametrize("text, expected", [
    ("[2020-03-31]", "2020-03-31"), ("2020/3/1", "2020-03-01"), ("2015.03.20", "2015-03-20"),
    ("2014年3月31日", "2014-03-31"), ("浏览 123 次", None),
])
def test_list_date_formats(text, expected):
    assert common.find_date(text) == expected


@pytest.mark.parametrize("html, expected", [
    ('<a href="x" title="完整标题很长的政府信息公开工作年度报告">完整标题很长的…</a>', "完整标题很长的政府信息公开工作年度报告"),
    ('<a href="x" title="完整标题">完整...</a>', "完整标题"),
    ('<a href="x" title="栏目">  演示县 2020年\n报告 </a>', "演示县 2020年 报告"),
    ('<a href="x" title="只有属性"></a>', "只有属性"),
])
def test_link_title(html, expected):
    assert common.link_title(common.parse_html(html).xpath("//a")[0]) == expected


@pytest.mark.parametrize("html, url, expected", [
    ('<a href="list.php?page=2">下一页</a><a href="list.php?page=9">尾页</a>', "http://a.gov.cn/list.php?page=1",
     ["http://a.gov.cn/list.php?page=2", "http://a.gov.cn/list.php?page=9"]),
    ('<a href="?p=3">&gt;</a><a href="?p=3">下页</a><a href="?p=1">上一页</a>', "http://a.gov.cn/l.asp?p=2",
     ["http://a.gov.cn/l.asp?p=3"]),
    ('<a href="javascript:go(2)">下一页</a>', "http://a.gov.cn/l.asp", []),
])
def test_generic_next_links(html, url, expected):
    assert generic.next_pages(common.parse_html(html), url) == expected
