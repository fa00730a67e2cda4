"""Downloader middlewares that keep the crawler on public HTTP(S) pages of the portals, and polite.

- ``SafeRequestsMiddleware`` (before robots.txt, so not even a robots.txt is asked of a refused
  host): only http/https URLs; and the address a request will connect to is checked where the
  connection is made. The host name is resolved with the crawl's own resolver (Scrapy's
  ``TWISTED_DNS_RESOLVER``, formerly ``DNS_RESOLVER``, which caches the answer the connection then
  uses), and a request is refused when the address is loopback, private (RFC 1918, unique-local),
  link-local or unspecified and is not an address the portal's own start host resolved to. Start
  URLs are not checked (they define the portal). A sub-domain resolving to a public address is
  allowed. The refusal reaches the spider's errback, which records it in the ledger.
- ``GuardedRedirectMiddleware`` / ``GuardedMetaRefreshMiddleware``: Scrapy's redirect and meta-refresh
  middlewares, which build the redirect request exactly as Scrapy follows it; the request is then
  checked, and a redirect that leaves the portal's hosts, names its host ambiguously (``\\@``,
  user info), goes to an internal literal address, loops, goes back to a URL already fetched, or
  would exceed the portal's page budget is not followed: the response reaches the spider with the
  reason, and the ledger says why. (Scrapy's OffsiteMiddleware and dupefilter would drop such
  requests silently.)
- ``RetryAfterMiddleware``: Scrapy's RetryMiddleware that honours ``Retry-After`` on 429 and 503:
  the host's download slot is paused for that long (requests to other hosts go on), then the
  request is retried.
"""
from __future__ import annotations

import ipaddress
import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import maybe_deferred_to_future

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = {"http", "https"}
# Internal networks a crawl must not be led into (besides loopback, link-local and unspecified,
# which ipaddress knows): RFC 1918 and unique-local addresses.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                           "fc00::/7"))
# Statuses whose Retry-After asks a client to come back later (RFC 9110 §10.2.3).
RETRY_AFTER_STATUSES = {429, 503}


def internal_address(address: str) -> bool:
    """True for a loopback, private (RFC 1918, unique-local), link-local or unspecified address."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast
            or any(ip in net for net in PRIVATE_NETWORKS if net.version == ip.version))


def is_private_host(host: str | None) -> bool:
    """True for an internal literal address (see ``internal_address``), reserved ones and localhost."""
    if not host:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return internal_address(host) or address.is_private or address.is_reserved


def on_portal_hosts(host: str | None, domains) -> bool:
    """True when ``host`` is one of ``domains`` or a sub-domain of one (Scrapy's offsite rule);
    every host when there are no domains."""
    if not domains:
        return True
    host = (host or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def address_refusal(host: str, address: str, allowed: set[str]) -> str | None:
    """Why a connection to ``host`` at ``address`` is refused, or None. ``allowed``: the addresses
    the portal's start host resolved to (an internal portal may be crawled, but it may not lead
    the crawl to another internal service)."""
    if internal_address(address) and address not in allowed:
        own = ", ".join(sorted(allowed)) or "a public address"
        return (f"refused: {host} resolves to {address}, an internal address (loopback, private or "
                f"link-local) that is not the portal's own ({own})")
    return None


def parse_retry_after(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _is_nianbao(spider) -> bool:
    return bool(getattr(spider, "nianbao_archive", False))


# --- addresses ------------------------------------------------------------------------------
async def resolve(host: str) -> str:
    """``host``'s address as the connection will get it: the Twisted reactor's resolver (the one
    TWISTED_DNS_RESOLVER installs, whose cache the download handler then reads)."""
    from twisted.internet import reactor

    return await maybe_deferred_to_future(reactor.resolver.getHostByName(host))


class SafeRequestsMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        if parts.scheme not in ALLOWED_SCHEMES:
            raise IgnoreRequest(f"not an http(s) URL: {request.url[:200]}")
        spider = spider or getattr(self.crawler, "spider", None)
        if not _is_nianbao(spider) or not parts.hostname:
            return None
        host = parts.hostname
        try:
            address = str(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            address = await resolve(host)  # a failure is the download's error (DNS lookup failed)
        portal = request.meta.get("portal_url")
        if request.meta.get("route") == "start" and not request.meta.get("redirect_urls"):
            spider.portal_addresses[portal].add(address)
            return None
        allowed = spider.portal_addresses.get(portal) if portal else None
        if allowed is None:  # a request of no portal (robots.txt): any portal's own address
            allowed = set().union(*spider.portal_addresses.values()) if spider.portal_addresses else set()
        reason = address_refusal(host, address, allowed)
        if reason:
            logger.warning("%s: %s not fetched", reason, request.url)
            raise IgnoreRequest(reason)
        return None


# --- redirects ------------------------------------------------------------------------------
def ambiguous_host(base: str, location: str) -> bool:
    """True when a Location names its host ambiguously: user info (``a@b``) or a backslash in its
    authority, which browsers and Python's URL parser read as different hosts (``\\@``)."""
    netloc = urlsplit(urljoin(base, location)).netloc
    return "@" in netloc or "\\" in netloc


def literal_address(host: str) -> str | None:
    """The address a literal host names (an IP, or localhost), else None (a name to resolve)."""
    if host == "localhost" or host.endswith(".localhost"):
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def redirect_refusal(request: Request, target: Request, spider, raw_location: str | None = None):
    """(outcome, reason) when the redirect from ``request`` to ``target`` (the request Scrapy would
    make) is not followed, else None. Off the portal, ambiguous, internal literal, loop, already
    fetched, over budget."""
    url = target.url
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        return "http_error", f"redirect to a non-http(s) URL not followed: {url[:200]}"
    if raw_location is not None and ambiguous_host(request.url, raw_location):
        return "http_error", f"redirect with an ambiguous host not followed: {raw_location[:200]}"
    if not on_portal_hosts(parts.hostname, getattr(spider, "allowed_domains", None)):
        return "http_error", f"redirect off the portal not followed: {url[:200]}"
    if not _is_nianbao(spider):
        return None
    portal = request.meta.get("portal_url")
    host = parts.hostname or ""
    address = literal_address(host)
    if address is not None:
        reason = address_refusal(host, address, spider.portal_addresses.get(portal, set()))
        if reason:
            return "http_error", f"redirect to a private address not followed ({reason})"
    chain = [*request.meta.get("redirect_urls", []), request.url]
    if url in chain:
        return "http_error", f"redirect loop: {' -> '.join(u[:200] for u in [*chain, url])}"
    if (target.method, url) in spider.requested:
        return "skipped", f"redirect to a URL already fetched in this run not followed: {url[:200]}"
    over = spider.spend_budget(portal, url, request.meta, request.meta.get("route"), request.meta.get("link_title"))
    if over is not None:
        return "budget", f"portal page budget reached: redirect to {url[:200]} not followed"
    spider.requested.add((target.method, url))
    return None


class _GuardedRedirect:
    """Mixin: follow a redirect only when ``redirect_refusal`` has nothing against it."""

    def _guard(self, request, response, result, raw_location: str | None):
        if not isinstance(result, Request):
            return result
        refusal = redirect_refusal(request, result, self.crawler.spider, raw_location)
        if refusal is None:
            return result
        outcome, reason = refusal
        request.meta["dont_redirect"] = True
        request.meta["refused_redirect"] = reason
        if response.status < 300:
            # a meta refresh: the page is recorded as what it is, and the refresh as a decision row
            request.meta["refused_target"] = (result.url, "budget" if outcome == "budget" else "skipped")
        elif outcome != "http_error":  # (an unfollowed 3xx is an http_error by default)
            request.meta["refused_outcome"] = outcome
        logger.info("%s (from %s)", reason, request.url)
        return response

    def _too_many(self, request, response):
        request.meta["dont_redirect"] = True
        request.meta["refused_redirect"] = f"too many redirects ({request.meta.get('redirect_times', 0)}): not followed"
        return response


class GuardedRedirectMiddleware(_GuardedRedirect, RedirectMiddleware):
    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_redirect"):
            return response
        try:
            result = super().process_response(request, response)
        except IgnoreRequest:  # max redirections reached
            return self._too_many(request, response)
        location = response.headers.get(b"Location")
        return self._guard(request, response, result, location.decode("latin-1") if location else None)


class GuardedMetaRefreshMiddleware(_GuardedRedirect, MetaRefreshMiddleware):
    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_redirect"):
            return response
        try:
            result = super().process_response(request, response)
        except IgnoreRequest:
            return self._too_many(request, response)
        return self._guard(request, response, result, None)


# --- Retry-After ----------------------------------------------------------------------------
class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, honouring Retry-After (seconds or an HTTP-date) on 429 and 503:
    the host's download slot takes no request for that long, then the request is retried (within
    RETRY_TIMES). A Retry-After longer than NIANBAO_MAX_RETRY_AFTER is not waited for: the answer
    is recorded, and the host still rests that maximum.

    The host is paused on Scrapy's response_downloaded signal (where AutoThrottle adjusts a slot's
    delay): it fires before the downloader lets the slot's next request go, so not even one more
    request reaches a host that asked to be left alone."""

    def __init__(self, settings):
        super().__init__(settings)
        self.max_retry_after = settings.getfloat("NIANBAO_MAX_RETRY_AFTER", 300)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def _retry_after(self, request, response) -> float | None:
        if (response.status in RETRY_AFTER_STATUSES and response.status in self.retry_http_codes
                and not request.meta.get("dont_retry")):
            return parse_retry_after(response.headers.get(b"Retry-After"))
        return None

    def response_downloaded(self, response, request, spider=None):
        wait = self._retry_after(request, response)
        if wait is not None:
            self.pause_host(request, min(wait, self.max_retry_after))

    def process_response(self, request, response, spider=None):
        wait = self._retry_after(request, response)
        if wait is not None:
            if wait > self.max_retry_after:
                logger.warning("%s answered %d with Retry-After %.0f s, longer than NIANBAO_MAX_RETRY_AFTER "
                               "(%.0f s): not retried", request.url, response.status, wait, self.max_retry_after)
                return response
            logger.info("%s answered %d: its host rests %.1f s (Retry-After) before the retry",
                        request.url, response.status, wait)
        return super().process_response(request, response)

    def pause_host(self, request, seconds: float) -> None:
        """No request leaves ``request``'s download slot (its host) for ``seconds``: the slot's
        queue is held the way Scrapy holds it for DOWNLOAD_DELAY (slot.latercall)."""
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        slot = downloader.slots.get(request.meta.get("download_slot")) if downloader else None
        if slot is None or seconds <= 0:
            return
        if slot.latercall:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, downloader._latercall, slot)
