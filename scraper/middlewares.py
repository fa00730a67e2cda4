"""Downloader middleware that keeps the crawler on public HTTP(S) pages of the portals.

Redirects are checked before Scrapy's RedirectMiddleware follows them (this
middleware sits closer to the downloader, so it sees a 3xx first): a redirect
that leaves the portals' hosts, or goes from a public address to a private or
loopback one (an internal service behind the portal; allowed when the crawl
itself started on such an address, as tests do), is not followed, and the 3xx
response reaches the spider, which records it with the reason. (Scrapy's
OffsiteMiddleware would drop an off-site redirect silently, leaving no trace
in the ledger.) Only http/https URLs are fetched.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urljoin, urlsplit

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
        if urlsplit(request.url).scheme not in ALLOWED_SCHEMES:
            raise IgnoreRequest(f"not an http(s) URL: {request.url[:200]}")
        return None

    def refused_redirect(self, target: str, spider) -> str | None:
        """Why a redirect to ``target`` is not followed, or None."""
        parts = urlsplit(target)
        if parts.scheme not in ALLOWED_SCHEMES:
            return f"redirect to a non-http(s) URL not followed: {target[:200]}"
        domains = getattr(spider, "allowed_domains", None)
        host = (parts.hostname or "").lower()
        if domains and not any(host == d or host.endswith("." + d) for d in domains):
            return f"redirect off the portal not followed: {target[:200]}"
        if is_private_host(parts.hostname) and not self._starts_private(spider):
            return f"redirect to a private address not followed: {target[:200]}"
        return None

    def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location and not request.meta.get("dont_redirect"):
            target = urljoin(request.url, location.decode("latin-1"))
            reason = self.refused_redirect(target, spider)
            if reason:
                request.meta["dont_redirect"] = True
                request.meta["refused_redirect"] = reason
        return response
