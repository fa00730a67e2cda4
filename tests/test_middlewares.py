"""Redirects, addresses and schemes the crawler refuses, and Retry-After (scraper.middlewares), on
in-memory requests and responses (no network: names resolve through a dict)."""
import asyncio
from datetime import datetime, timezone

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

import scraper.middlewares as middlewares
from scraper.middlewares import (GuardedMetaRefreshMiddleware, GuardedRedirectMiddleware, SafeRequestsMiddleware,
                                 internal_address, is_private_host, parse_retry_after)
from scraper.spiders.annual_reports import AnnualReportsSpider

PORTAL = "http://www.qingtian.gov.cn/"


@pytest.mark.parametrize("host, private", [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True),
                                           ("169.254.169.254", True), ("localhost", True), ("[::1]", True),
                                           ("www.qingtian.gov.cn", False), ("202.107.200.1", False)])
def test_private_hosts(host, private):
    assert is_private_host(host) is private


@pytest.mark.parametrize("address, internal", [
    ("127.0.0.35", True), ("10.0.0.1", True), ("172.16.5.4", True), ("172.32.0.1", False), ("192.168.1.1", True),
    ("169.254.169.254", True), ("0.0.0.0", True), ("::1", True), ("fd12:3456::1", True), ("fe80::1", True),
    ("::ffff:127.0.0.1", True), ("::ffff:10.0.0.1", True), ("202.107.200.1", False), ("2400:da00::6666", False)])
def test_internal_addresses(address, internal):
    assert internal_address(address) is internal


def crawler_for(start=PORTAL, **settings):
    crawler = get_crawler(AnnualReportsSpider, {"REDIRECT_ENABLED": True, "METAREFRESH_ENABLED": True,
                                                "REDIRECT_MAX_TIMES": 10, **settings})
    crawler.spider = crawler._create_spider(start_urls=start)
    return crawler


def redirect(crawler, location, url=PORTAL + "art/1.html", **meta):
    middleware = GuardedRedirectMiddleware.from_crawler(crawler)
    request = Request(url, meta={"portal_url": crawler.spider.portals[0].url, "route": "report", **meta})
    response = Response(url, status=302, headers={"Location": location}, request=request)
    result = middleware.process_response(request, response)
    if isinstance(result, Request):
        return None
    return request.meta.get("refused_redirect") or "not followed"


def test_redirects_from_a_public_portal():
    crawler = crawler_for()
    assert redirect(crawler, "/art/2.html") is None
    assert "off the portal" in redirect(crawler, "http://spam-mirror.example.com/art/1.html")
    assert redirect(crawler, "file:///etc/passwd") == "not followed"  # (Scrapy's own rule: http(s) only)
    crawler.spider.allowed_domains = []  # even without a host list, never into the internal network
    assert "private address" in redirect(crawler, "http://169.254.169.254/latest/meta-data/")


@pytest.mark.parametrize("location", [r"http://www.qingtian.gov.cn\@evil.example/x",
                                      r"http://evil.example\@www.qingtian.gov.cn/x",
                                      "http://user@www.qingtian.gov.cn/x"])
def test_a_redirect_whose_host_is_ambiguous_is_not_followed(location):
    assert "ambiguous host" in redirect(crawler_for(), location)


def test_a_redirect_loop_and_a_redirect_back_are_recorded_as_such():
    crawler = crawler_for()
    url = PORTAL + "art/1.html"
    assert "redirect loop" in redirect(crawler, url, url=url)
    assert "redirect loop" in redirect(crawler, url, url=PORTAL + "art/2.html", redirect_urls=[url])
    crawler.spider.requested.add(("GET", PORTAL + "art/3.html"))
    request_meta = {}
    assert "already fetched" in redirect(crawler, "/art/3.html", **request_meta)


def test_a_redirect_counts_against_the_portal_budget():
    crawler = crawler_for(NIANBAO_MAX_PORTAL_PAGES=2)
    crawler.spider.portal_pages[PORTAL] = 1
    assert redirect(crawler, "/art/5.html") is None  # the second request of the portal
    assert "budget" in redirect(crawler, "/art/6.html")


def test_a_meta_refresh_to_another_host_is_a_decision_row():
    crawler = crawler_for()
    middleware = GuardedMetaRefreshMiddleware.from_crawler(crawler)
    url = PORTAL + "art/1.html"
    request = Request(url, meta={"portal_url": PORTAL, "route": "report"})
    body = b'<html><head><meta http-equiv="refresh" content="0; url=http://other.example/r.html"></head></html>'
    response = HtmlResponse(url, body=body, request=request)
    assert middleware.process_response(request, response) is response
    assert request.meta["refused_target"] == ("http://other.example/r.html", "skipped")
    records = crawler.spider._checked(response)[0]
    assert [(r.url, r.outcome) for r in records[1:]] == [("http://other.example/r.html", "skipped")]
    assert "off the portal" in records[1].reason


def check_address(crawler, url, names, route="report", redirect_urls=None):
    async def fake_resolve(host):
        return names[host]

    middleware = SafeRequestsMiddleware.from_crawler(crawler)
    meta = {"portal_url": crawler.spider.portals[0].url, "route": route}
    if redirect_urls:
        meta["redirect_urls"] = redirect_urls
    original = middlewares.resolve
    middlewares.resolve = fake_resolve
    try:
        return asyncio.run(middleware.process_request(Request(url, meta=meta)))
    finally:
        middlewares.resolve = original


def test_addresses_are_checked_when_the_connection_is_made():
    names = {"portal.example": "127.0.0.34", "internal.portal.example": "127.0.0.35",
             "xxgk.portal.example": "202.107.200.1", "mirror.portal.example": "127.0.0.34"}
    crawler = crawler_for("http://portal.example/")
    assert check_address(crawler, "http://portal.example/", names, route="start") is None  # start URLs aside
    assert crawler.spider.portal_addresses["http://portal.example/"] == {"127.0.0.34"}
    assert check_address(crawler, "http://portal.example/a.html", names) is None
    assert check_address(crawler, "http://mirror.portal.example/a.html", names) is None  # the portal's own address
    assert check_address(crawler, "http://xxgk.portal.example/a.html", names) is None  # a public sub-domain
    with pytest.raises(IgnoreRequest, match="internal.portal.example resolves to 127.0.0.35"):
        check_address(crawler, "http://internal.portal.example/secret", names)
    with pytest.raises(IgnoreRequest, match="resolves to 127.0.0.35"):  # a literal address is no different
        check_address(crawler, "http://127.0.0.35/secret", names)
    with pytest.raises(IgnoreRequest):  # a start request that was redirected is checked like any other
        check_address(crawler, "http://internal.portal.example/", names, route="start",
                      redirect_urls=["http://portal.example/"])


def test_only_http_urls_are_fetched():
    crawler = crawler_for()
    with pytest.raises(IgnoreRequest):
        asyncio.run(SafeRequestsMiddleware.from_crawler(crawler).process_request(
            Request("ftp://www.qingtian.gov.cn/a.pdf")))


def test_retry_after_is_read_as_seconds_or_a_date():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after(b"120") == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
