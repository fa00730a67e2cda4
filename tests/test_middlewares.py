"""Redirects and schemes the crawler refuses (scraper.middlewares), on in-memory responses."""
import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from scraper.middlewares import SafeRequestsMiddleware, is_private_host
from scraper.spiders.annual_reports import AnnualReportsSpider


@pytest.mark.parametrize("host, private", [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True),
                                           ("169.254.169.254", True), ("localhost", True), ("[::1]", True),
                                           ("www.qingtian.gov.cn", False), ("202.107.200.1", False)])
def test_private_hosts(host, private):
    assert is_private_host(host) is private


def redirect(spider, location, url="http://www.qingtian.gov.cn/art/1.html"):
    middleware = SafeRequestsMiddleware(crawler=None)
    request = Request(url)
    response = Response(url, status=302, headers={"Location": location}, request=request)
    middleware.process_response(request, response, spider)
    return request.meta.get("refused_redirect")


def test_redirects_from_a_public_portal():
    spider = AnnualReportsSpider(start_urls="http://www.qingtian.gov.cn/")
    assert redirect(spider, "/art/2.html") is None
    assert "off the portal" in redirect(spider, "http://spam-mirror.example.com/art/1.html")
    spider.allowed_domains = []  # even without a host list, never into the internal network
    assert "private address" in redirect(spider, "http://169.254.169.254/latest/meta-data/")
    assert "non-http" in redirect(spider, "file:///etc/passwd")


def test_a_crawl_that_starts_on_loopback_may_stay_there():
    spider = AnnualReportsSpider(start_urls="http://127.0.0.1:8700/")
    assert redirect(spider, "http://127.0.0.1:8700/b.html", url="http://127.0.0.1:8700/a.html") is None


def test_only_http_urls_are_fetched():
    middleware = SafeRequestsMiddleware(crawler=None)
    spider = AnnualReportsSpider(start_urls="http://www.qingtian.gov.cn/")
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request("ftp://www.qingtian.gov.cn/a.pdf"), spider)
