"""The spider's decisions on single responses (no network: responses built in memory)."""
import pytest
import scrapy
from scrapy.http import HtmlResponse, Request

from scraper.items import FetchItem, ReportItem
from scraper.spiders.annual_reports import AnnualReportsSpider

PORTAL = "http://127.0.0.1:8700/trs/index.html"


@pytest.fixture
def spider():
    return AnnualReportsSpider(start_urls=PORTAL)


def response(url, html, spider_meta=None):
    request = Request(url, meta={"portal_url": PORTAL, **(spider_meta or {})})
    return HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=request)


def test_allowed_domains_are_the_start_hosts(spider):
    assert spider.allowed_domains == ["127.0.0.1"]


def test_spider_needs_start_urls_or_portals():
    with pytest.raises(ValueError):
        AnnualReportsSpider()


LIST = """<html><body><ul class="list">
<li><a href="./202003/t20200331_1.html">某县人民政府2019年政府信息公开工作年度报告</a><span>2020-03-31</span></li>
<li><a href="./202002/t20200215_2.html">关于做好2019年政府信息公开工作年度报告编制工作的通知</a><span>2020-02-15</span></li>
</ul><script>createPageHTML(2, 0, "index", "html");</script></body></html>"""


def test_listing_fetches_reports_skips_lookalikes_and_follows_pages(spider):
    out = list(spider.parse(response("http://127.0.0.1:8700/trs/zwgk/xxgknb/index.html", LIST)))
    requests = [o for o in out if isinstance(o, scrapy.Request)]
    skipped = [o for o in out if isinstance(o, FetchItem)]
    assert [r.url for r in requests if r.callback == spider.parse_report_page] == [
        "http://127.0.0.1:8700/trs/zwgk/xxgknb/202003/t20200331_1.html"]
    assert "http://127.0.0.1:8700/trs/zwgk/xxgknb/index_1.html" in [r.url for r in requests if r.callback == spider.parse]
    assert [(s.outcome, s.title) for s in skipped] == [("skipped", "关于做好2019年政府信息公开工作年度报告编制工作的通知")]


REPORT = """<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body><div id="zoom">
<h1>某县人民政府2019年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>本年度……</p></div></body></html>"""


def test_report_page_becomes_a_report_item(spider):
    out = list(spider.parse_report_page(response("http://127.0.0.1:8700/trs/a.html", REPORT)))
    assert len(out) == 1 and isinstance(out[0], ReportItem)
    assert out[0].report["year"] == 2019 and out[0].http_status == 200 and len(out[0].content_sha256) == 64


def test_a_challenge_or_error_page_is_recorded_not_stored(spider):
    challenge = "<html><head><title>412</title></head><body><script>var _0x=...;document.cookie=...</script></body></html>"
    out = list(spider.parse_report_page(response("http://127.0.0.1:8700/trs/b.html", challenge)))
    assert [(o.outcome, type(o)) for o in out] == [("not_report", FetchItem)]


def test_a_parser_crash_is_recorded_and_the_crawl_goes_on(spider, monkeypatch):
    import scraper.spiders.annual_reports as module

    def explode(*args, **kwargs):
        raise RecursionError("hostile nesting")

    monkeypatch.setattr(module, "parse_report", explode)
    out = list(spider.parse_report_page(response("http://127.0.0.1:8700/trs/c.html", REPORT)))
    assert [(o.outcome, o.http_status) for o in out] == [("parse_error", 200)]
    assert "hostile nesting" in out[0].reason
