"""Hostile input: malformed and non-http links are skipped one by one and reported, never raised."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.cms import discover_links, looks_like_article, parse_listing
from scraper.cms.common import resolve

FILES = Path(__file__).parent / "files" / "listings"
URL = "http://www.yanshi.gov.cn/xxgk/list.php?page=1"
GOOD = ["http://www.yanshi.gov.cn/xxgk/show.php?id=501", "https://www.yanshi.gov.cn/xxgk/show.php?id=503",
        "http://www.yanshi.gov.cn/xxgk/show.php?id=504", "http://www.yanshi.gov.cn/uploadfile/2020/0110/卫健局2019年报.PDF"]
BAD = ["http://[::1", "http://127.0.0.1:abc/x", "javascript:openWin('show.php?id=502')", "ftp://ftp.yanshi.gov.cn/nb/2019.pdf",
       "file:///C:/Users/admin/Desktop/2019年报.doc", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
       "http://www.yan shi.gov.cn/show.php?id=505", "http://www.yanshi.gov.cn:99999/show.php?id=506", "VBScript:msgbox(1)",
       "http://[::1/list.php?page=2"]
# Family marks to make the same page go through each family's parser.
MARKS = {"generic": "", "trs": '<script>createPageHTML(2, 0, "index", "html");</script>',
         "vsb": "<!--Announced by Visual SiteBuilder 9-->"}


def test_bad_links_skipped_good_ones_kept():
    got = parse_listing((FILES / "hostile_links.html").read_bytes(), URL)
    assert [i.url for i in got.items] == GOOD
    assert [r.url for r in got.next_pages] == ["http://www.yanshi.gov.cn/xxgk/list.php?page=2"]
    reported = dict(got.bad_links)
    assert set(BAD) <= set(reported)
    assert all(reason for reason in reported.values())


@pytest.mark.parametrize("family", MARKS)
def test_every_family_parser_survives_the_page(family):
    text = (FILES / "hostile_links.html").read_text("utf-8").replace("<body>", "<body>" + MARKS[family])
    got = parse_listing(text, URL, as_list=True)
    assert got.family == family
    assert "http://[::1" in dict(got.bad_links)
    for link in [i.url for i in got.items] + [r.url for r in got.next_pages]:
        assert urlsplit(link).scheme in ("http", "https")


def test_hostile_records_in_a_hanweb_datastore():
    record = '<record><![CDATA[<li><a href="{}">演示县2019年政府信息公开工作年度报告</a></li>]]></record>'
    recs = "".join(record.format(h) for h in ["http://[::1", "/art/2020/1/2/art_1_2.html", "data:x", "/art/2020/1/3/art_1_3.html"])
    got = parse_listing(f'<script type="text/xml"><datastore><recordset>{recs}</recordset></datastore></script>',
                        "http://www.yanshi.gov.cn/col/col1/index.html")
    assert [i.url.rsplit("/", 1)[1] for i in got.items] == ["art_1_2.html", "art_1_3.html"]
    assert dict(got.bad_links) .keys() == {"http://[::1", "data:x"}


def test_discovery_and_article_check_survive_the_page():
    body = (FILES / "hostile_links.html").read_bytes()
    assert all(urlsplit(c.url).scheme in ("http", "https") for c in discover_links(body, URL))
    assert looks_like_article(body, URL) is False


@pytest.mark.parametrize("body", [b"", b"\x00\x00\x00", b"<!-- only a comment -->", b"<a href='http://[::1'>x</a>" * 3,
                                  b"<div>" * 5000 + "年度报告".encode() * 100, "\ufffe\ud800".encode("utf-8", "surrogatepass")])
def test_junk_pages_never_raise(body):
    for as_list in (False, True):
        assert parse_listing(body, URL, as_list=as_list).items == []
    discover_links(body, URL)
    looks_like_article(body, URL)


@pytest.mark.parametrize("href, expected", [
    ("show.php?id=1", ("http://www.yanshi.gov.cn/xxgk/show.php?id=1", None)),
    (" \n show.php?id=1#top \t", ("http://www.yanshi.gov.cn/xxgk/show.php?id=1", None)),
    ("//cdn.yanshi.gov.cn/a.pdf", ("http://cdn.yanshi.gov.cn/a.pdf", None)),
    ("#main", (None, None)), ("", (None, None)), (None, (None, None)),
    ("mailto:a@b.cn", (None, "scheme mailto")), ("JavaScript:void(0)", (None, "scheme javascript")),
    ("https:///nohost", (None, "malformed host")), ("http://a.gov.cn:0x50/", (None, "malformed URL: Port could not be cast to integer value as '0x50'")),
])
def test_resolve(href, expected):
    assert resolve(href, URL) == expected
