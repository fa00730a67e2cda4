"""The spider's decisions on single responses (no network: responses built in memory).

The spider fetches and records; it parses no report. Each response becomes a RawResponse
record, each decision not to fetch a record without a body.
"""
from pathlib import Path

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request

from archive.raw import RawResponse
from scraper.items import KnownPage
from scraper.spiders.annual_reports import AnnualReportsSpider

PORTAL = "http://127.0.0.1:8700/trs/index.html"
FILES = Path(__file__).parent / "files"


@pytest.fixture
def spider():
    return AnnualReportsSpider(start_urls=PORTAL)


def response(url, html, route="listing", status=200, **meta):
    request = Request(url, meta={"portal_url": PORTAL, "route": route, **meta})
    body = html if isinstance(html, bytes) else html.encode("utf-8")
    return HtmlResponse(url, status=status, body=body, encoding="utf-8", request=request)


def test_allowed_domains_are_the_start_hosts(spider):
    assert spider.allowed_domains == ["127.0.0.1"]


def test_spider_needs_start_urls_or_portals():
    with pytest.raises(ValueError):
        AnnualReportsSpider()


LIST = """<html><body><ul class="list">
<li><a href="./202003/t20200331_1.html">某县人民政府2019年政府信息公开工作年度报告</a><span>2020-03-31</span></li>
<li><a href="./202002/t20200215_2.html">关于做好2019年政府信息公开工作年度报告编制工作的通知</a><span>2020-02-15</span></li>
<li><a href="./P020200331.pdf">某县财政局2019年政府信息公开工作年度报告.pdf</a><span>2020-03-31</span></li>
<li><a href="./P020200401.pdf">某县2019年政府信息公开工作年度报告解读.pdf</a><span>2020-04-01</span></li>
<li><a href="http://[::1">某县教育局2019年政府信息公开工作年度报告</a><span>2020-04-02</span></li>
</ul><script>createPageHTML(2, 0, "index", "html");</script></body></html>"""
COLUMN = "http://127.0.0.1:8700/trs/zwgk/xxgknb/index.html"


def records(out):
    return [o for o in out if isinstance(o, RawResponse)]


def requests(out):
    return [o for o in out if isinstance(o, scrapy.Request)]


def test_a_list_page_is_recorded_and_its_reports_files_and_pages_followed(spider):
    out = list(spider.parse_list_page(response(COLUMN, LIST)))
    recorded = records(out)
    assert recorded[0].route == "listing" and recorded[0].status == 200 and recorded[0].body.startswith(b"<html>")
    by_route = {(r.meta["route"], r.url) for r in requests(out)}
    assert ("report", "http://127.0.0.1:8700/trs/zwgk/xxgknb/202003/t20200331_1.html") in by_route
    assert ("attachment", "http://127.0.0.1:8700/trs/zwgk/xxgknb/P020200331.pdf") in by_route
    assert ("listing", "http://127.0.0.1:8700/trs/zwgk/xxgknb/index_1.html") in by_route
    decisions = {(r.outcome, r.link_title or r.url) for r in recorded[1:]}
    assert ("skipped", "关于做好2019年政府信息公开工作年度报告编制工作的通知") in decisions
    assert ("skipped", "某县2019年政府信息公开工作年度报告解读.pdf") in decisions
    assert any(o == "skipped" and "[::1" in t for o, t in decisions)  # the malformed link, recorded


@pytest.mark.parametrize("name, url", [
    ("vsb_last_nopager.htm", "http://127.0.0.1:8700/vsb/xxgknb/1.htm"),
    # no CMS family's marks and no pager at all: only being reached as a list makes it one
    ("generic_single.html", "http://127.0.0.1:8700/generic/list.php"),
])
def test_the_last_page_of_a_list_without_a_pager_is_still_a_list(spider, name, url):
    body = (FILES / "listings" / name).read_bytes()
    out = list(spider.parse_list_page(response(url, body)))
    assert [r for r in requests(out) if r.meta["route"] == "report"]


def test_a_list_page_that_repeats_the_column_ends_it(spider):
    first = list(spider.parse_list_page(response(COLUMN, LIST, column=COLUMN)))
    assert any(r.meta["route"] == "listing" for r in requests(first))
    again = list(spider.parse_list_page(response(COLUMN.replace("index", "index_7"), LIST, column=COLUMN)))
    assert not requests(again)


def test_the_column_page_budget_is_a_warning_and_a_ledger_row(spider):
    spider.list_pages[COLUMN] = 10_000
    out = list(spider.parse_list_page(response(COLUMN, LIST, column=COLUMN)))
    assert not [r for r in requests(out) if r.meta["route"] == "listing"]
    assert [r.outcome for r in records(out) if r.route == "listing" and r.status is None] == ["budget"]


def test_a_report_page_is_recorded_whole_and_not_parsed(spider):
    body = (FILES / "reports" / "seed_qingtian.html").read_bytes()
    out = list(spider.parse_report(response("http://127.0.0.1:8700/trs/a.html", body, route="report",
                                            link_title="青田县政府信息公开工作2019年度报告")))
    recorded = records(out)
    assert len(recorded) == 1
    assert (recorded[0].route, recorded[0].status, recorded[0].body, recorded[0].outcome) == (
        "report", 200, body, None)


def test_known_reports_are_asked_for_conditionally_or_not_at_all(spider):
    url_etag = "http://127.0.0.1:8700/trs/zwgk/xxgknb/202003/t20200331_1.html"
    spider.known = {url_etag: KnownPage(url_etag, "2020-01-01T00:00:00+00:00", etag='"abc"',
                                        last_modified="Tue, 31 Mar 2020 00:00:00 GMT", is_report=True)}
    out = list(spider.parse_list_page(response(COLUMN, LIST)))
    request = next(r for r in requests(out) if r.url == url_etag)
    assert request.headers.get("If-None-Match") == b'"abc"'
    assert request.headers.get("If-Modified-Since") == b"Tue, 31 Mar 2020 00:00:00 GMT"
    # no validators, fetched an hour ago: not requested again within the recheck window
    from datetime import datetime, timedelta, timezone

    recent = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    spider.known = {url_etag: KnownPage(url_etag, recent, is_report=True)}
    spider.column_items.clear()
    out = list(spider.parse_list_page(response(COLUMN, LIST)))
    assert url_etag not in [r.url for r in requests(out)]
    spider.refresh = True
    spider.column_items.clear()
    out = list(spider.parse_list_page(response(COLUMN, LIST)))
    assert url_etag in [r.url for r in requests(out)]


def test_an_error_page_is_recorded_whole(spider):
    out = list(spider.parse_report(response("http://127.0.0.1:8700/trs/b.html", "<h1>404</h1>", route="report",
                                            status=404)))
    assert [(r.status, r.body) for r in records(out)] == [(404, b"<h1>404</h1>")]
    assert not requests(out)
