"""Guangdong gkmlpt: column page → JSON API requests → items and further API pages.

Saved pages in tests/files/listings/gkmlpt/ (shapes from PORTALS.md §4)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.cms import ATTACHMENT, PAGE, PageRequest, parse_gkmlpt_api, parse_listing
from scraper.cms import gkmlpt

FILES = Path(__file__).parent / "files" / "listings" / "gkmlpt"
ROOT = "https://www.dabu.gov.cn/mzdpshzzf/gkmlpt/"
API = ROOT + "api/all/{}?page={}&sid=755032"


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()


def test_column_page_without_fragment_asks_for_the_report_column_of_the_tree():
    got = parse_listing(read("index.html"), ROOT + "index")
    assert got.family == "gkmlpt" and got.items == []
    assert got.next_pages == [PageRequest(API.format(2590, 1))]  # 政府信息公开年报 in window._CONFIG.TREE


def test_column_page_fragment_names_the_category():
    got = parse_listing(read("index.html"), ROOT + "index#2586", as_list=True)
    assert got.next_pages == [PageRequest(API.format(2586, 1))]


def test_column_page_without_tree_or_sid_asks_for_all_categories():
    got = parse_listing("<html><script>window._CONFIG = {};</script></html>", ROOT + "index")
    assert got.next_pages == [PageRequest(ROOT + "api/all/0?page=1")]


def test_api_first_page_items_and_next_page():
    got = parse_listing(read("api_2590_page1.json"), API.format(2590, 1), "application/json")
    assert got.family == "gkmlpt" and len(got.items) == 10
    assert got.items[0] == gkmlpt.ListingItem(ROOT + "content/2/2590/post_2590400.html",
                                              "大埔县三河镇人民政府2023年政府信息公开工作年度报告", "2024-01-10", PAGE)
    assert got.items[2].title == "大埔县三河镇农业农村办2023年政府信息公开工作年度报告"  # was %u-escaped
    assert "%u" in read("api_2590_page1.json").decode("utf-8")
    assert got.next_pages == [PageRequest(API.format(2590, 2))]


def test_api_last_page_reaches_the_total():
    got = parse_gkmlpt_api(read("api_2590_page2.json"), API.format(2590, 2))
    assert [i.url.rsplit("/", 1)[1] for i in got.items] == ["post_2590410.html", "post_2590411.html", "post_2590412.html"]
    # 13 in all, 10 + 3 seen; a short last page cannot tell the page size, so at most one more (empty) page is asked.
    assert got.next_pages in ([], [PageRequest(API.format(2590, 3))])
    empty = parse_gkmlpt_api(json.dumps({"total": 13, "articles": []}).encode(), API.format(2590, 3))
    assert (empty.items, empty.next_pages) == ([], [])


def test_api_everything_on_page_one_post_url_and_epoch_dates():
    got = parse_gkmlpt_api(read("api_all_on_page1.json"), API.format(2590, 1))
    assert [(i.url, i.date, i.kind) for i in got.items] == [
        (ROOT + "content/0/963/post_963149.html", "2021-01-28", PAGE),
        (ROOT + "content/0/963/post_963150.html", "2020-01-28", PAGE),
        ("https://www.dabu.gov.cn/attachment/0/88/88389/963151.pdf", "2020-01-28", ATTACHMENT),
    ]  # the javascript: entry and the entry without a title are skipped
    assert got.bad_links == [("javascript:void(0)", "scheme javascript")]
    assert got.next_pages == []  # total 5 = 5 answered


@pytest.mark.parametrize("body", [b"", b"<html>404</html>", b"[1,2]", b'{"total": "x", "articles": [1, null, {}]}',
                                  b'{"articles": {"a": 1}}', b"\xff\xfe\x00garbage"])
def test_api_garbage_gives_an_empty_listing(body):
    got = parse_gkmlpt_api(body, API.format(2590, 1))
    assert (got.family, got.items, got.next_pages) == ("gkmlpt", [], [])


def test_api_pages_are_capped():
    body = json.dumps({"total": 10**9, "articles": [{"title": "t", "url": ROOT + "content/0/1/post_1.html"}]})
    assert parse_gkmlpt_api(body.encode(), API.format(2590, gkmlpt.MAX_LIST_PAGES)).next_pages == []
    assert parse_gkmlpt_api(body.encode(), API.format(2590, 7)).next_pages == [PageRequest(API.format(2590, 8))]


def test_gkmlpt_report_page_is_not_a_list():
    url = "https://www.dabu.gov.cn/mzdpshzzf/gkmlpt/content/2/2590/post_2590436.html"
    page = (Path(__file__).parent / "files" / "reports" / "030.html").read_bytes()
    assert parse_listing(page, url).items == [] and parse_listing(page, url).next_pages == []
