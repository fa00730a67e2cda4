"""Downloader middleware that keeps the crawler on public HTTP(S) pages of the portals.

Scrapy's OffsiteMiddleware keeps requests (redirects included) on the start
URLs' hosts; this adds what it does not check: a redirect from a public
address to a private or loopback one (an internal service behind the portal)
is not followed unless the crawl itself started on such an address (tests),
and only http/https URLs are fetched.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

ALLOWED_SCHEMES = {"http", "https"}


def is_private_host(host: str | None) -> bool:
    """True for loopback, private, link-local and reserved literal addresses and localhost."""
    if not host:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


class SafeRequestsMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _starts_private(self, spider) -> bool:
        return any(is_private_host(urlsplit(p.url).hostname) for p in getattr(spider, "portals", []))

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        parts = urlsplit(request.url)
        if parts.scheme not in ALLOWED_SCHEMES:
            raise IgnoreRequest(f"not an http(s) URL: {request.url[:200]}")
        if request.meta.get("redirect_times") and is_private_host(parts.hostname) and not self._starts_private(spider):
            raise IgnoreRequest(f"redirect to a private address not followed: {request.url[:200]}")
        return None
