"""The annual_reports spider: decides what to fetch and records what it got.

From each start URL (a portal homepage, a 年报 column page, or a report) it
discovers report columns within a few hops, reads list pages (by their CMS
family's rules, else the generic rule; a page reached as a list is a list even
without a pager), follows pagination within budgets, and fetches the items whose
link text names an annual report, as pages or as PDF/DOCX files.

Every response becomes an ``archive.raw.RawResponse`` item, and so does every
decision not to fetch (a look-alike link, a malformed link, a budget reached, a
report fetched recently). The spider parses no report: the archive pipeline
ingests each record (``archive.ingest``).
"""
from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest

from archive.raw import RawResponse
from parsing import is_annual_report_title
from parsing.blocked import detect_block
from scraper.cms import discover_links, parse_listing
from parsing.encoding import decode_html
from scraper.cms.articles import looks_like_article
from scraper.cms.common import URL_NOISE_RE, anchor_url, is_attachment, link_title, parse_html
from scraper.cms.types import ATTACHMENT, ListingItem, PageRequest
from scraper.crawl_state import DiskSet, DiskSets, scratch_db
from scraper.items import KnownPage
from scraper.middlewares import on_portal_hosts
from scraper.portals import Portal, read_portals

# Link texts or file names of report-looking attachments (附件：XX县2023年政府信息公开工作年度报告.pdf).
ATTACHMENT_REPORT_RE = re.compile(r"年报|年度报告|工作报告")
ATTACHMENT_EXT_RE = re.compile(r"\.(?:pdf|docx?|wps)$", re.I)
# Bytes that every page linking a file carries somewhere (an extension, a CMS download script).
ATTACHMENT_HINT_RE = re.compile(rb"\.(?:pdf|docx?|wps|xlsx?|zip|rar|7z|ofd)\b|down(?:load|file)?\w*\.(?:jsp|php|aspx?)",
                                re.I)
# Reasons (scraper.cms.common.resolve) for hrefs that are not links to fetch, and not broken either.
INERT_SCHEME_RE = re.compile(r"scheme (?:javascript|mailto|tel|sms|weixin)$")
# After this many blocked answers from a host, no further requests go to it in this run.
BLOCKS_BEFORE_GIVING_UP = 3
# A URL refused for its length is kept in the ledger up to this many characters.
URL_KEPT_CHARS = 8192


class MissingStartUrls(ValueError):
    """The spider was given nothing to crawl (a one-line message for the user)."""


def _headers(response) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in response.headers.items() for v in values]


def _failure_reason(failure) -> str:
    message = failure.getErrorMessage()
    return f"{type(failure.value).__name__}: {message}" if message else repr(failure.value)


def _failure_outcome(failure) -> str:
    text = _failure_reason(failure)
    if "max size" in text or "DOWNLOAD_MAXSIZE" in text or "maxsize" in text.lower():
        return "too_large"
    if failure.check(IgnoreRequest):
        return "skipped"
    return "error"


def attachment_links(body: bytes, url: str, content_type: str | None = None) -> list[ListingItem]:
    """Links to files (PDF/DOC/DOCX/WPS …) anywhere on a report page; bad hrefs are ignored."""
    if not ATTACHMENT_HINT_RE.search(body):
        return []  # most report pages link no file: no need to parse them a second time
    text, _ = decode_html(body, content_type)
    found: dict[str, ListingItem] = {}
    for a in parse_html(text).iter("a"):
        href = a.get("href")
        if not href or not is_attachment(URL_NOISE_RE.sub("", href).strip()):
            continue  # resolving every nav/footer link (~90 a page) cost a sixth of a crawl
        link = anchor_url(a, url, None)
        if link and is_attachment(link):
            found.setdefault(link, ListingItem(url=link, title=link_title(a), date=None, kind=ATTACHMENT))
    return list(found.values())


def attachment_is_report(title: str, url: str) -> bool:
    """A file linked from a list or a report page that reads as the report itself."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    text = ATTACHMENT_EXT_RE.sub("", title or "")
    if text and is_annual_report_title(text):
        return True
    return bool(ATTACHMENT_REPORT_RE.search(text) and is_annual_report_title(ATTACHMENT_EXT_RE.sub("", name) or text)) \
        or is_annual_report_title(ATTACHMENT_EXT_RE.sub("", name))


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"
    # The archive pipeline stores the records of this spider only (`scrapy bench`, `scrapy fetch`
    # and other spiders run from the repo root must not create or write an archive).
    nianbao_archive = True

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
        except MissingStartUrls as exc:
            # `scrapy crawl annual_reports` without -a start_urls: a person's mistake, one line and
            # exit 2 (an exception here would reach the user as an asyncio task traceback)
            print(exc, file=sys.stderr)
            raise SystemExit(2) from None
        # Bytes received per request: a body cut at DOWNLOAD_MAXSIZE while streaming (chunked, no
        # Content-Length) fails as a bare DownloadCancelledError, which only this count explains.
        crawler.signals.connect(spider._bytes_received, signal=signals.bytes_received)
        return spider

    def __init__(self, start_urls: str | list[str] | None = None, portals: str | list[Portal] | None = None,
                 known: dict[str, KnownPage] | None = None, full: bool = False, refresh: bool = False,
                 recheck_days: float = 30, **kwargs):
        super().__init__(**kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.portals: list[Portal] = [Portal(url=u) for u in (start_urls or [])]
        if isinstance(portals, str):
            self.portals += read_portals(portals)
        elif portals:
            self.portals += list(portals)
        if not self.portals:
            raise MissingStartUrls("annual_reports needs start_urls=URL1,URL2 or portals=FILE.csv "
                                   "(scrapy crawl annual_reports -a start_urls=URL)")
        # Stay on the portals' own hosts (checked before every request, and by Scrapy's
        # OffsiteMiddleware): spam mirrors copy report pages under other domains.
        self.allowed_domains = sorted({p.host for p in self.portals if p.host})
        # URL -> KnownPage: the CLI hands a disk-backed snapshot of the archive (scraper.crawl_state);
        # a plain dict works too (tests).
        self.known = known if known is not None else {}
        self.full = bool(full)
        self.refresh = bool(refresh)
        self.recheck_after = timedelta(days=float(recheck_days))
        self.list_pages = Counter()             # column -> list pages requested
        self.portal_pages = Counter()           # portal -> requests of every kind made for it
        self.over_budget = Counter()            # portal -> requests not made because its budget was spent
        self.discovery_pages = Counter()        # portal -> discovery pages requested
        # Every per-URL structure of the crawl is on disk, in one scratch database (scraper.crawl_state):
        # they grow with the pages crawled, the spider's memory must not.
        self.scratch = scratch_db()
        self.column_items = DiskSets(self.scratch, "column_items")  # column -> item URLs its lists showed
        self.blocks = Counter()                 # host -> blocked answers
        self.recent_skipped = 0
        # (method, URL) of every request made: a repeat costs no budget (the dupefilter drops it),
        # and a redirect back to one of them is not followed (scraper.middlewares).
        self.requested = DiskSet(self.scratch, "requested", pairs=True)
        # Addresses each portal's start host resolved to: the only internal addresses its requests
        # may connect to (scraper.middlewares.SafeRequestsMiddleware fills it).
        self.portal_addresses: dict[str, set[str]] = defaultdict(set)
        # For vanished reports: what this run's lists showed, per portal, and the portals whose
        # lists were not read to their end (a budget, an error, incremental paging).
        self.listed = DiskSets(self.scratch, "listed")
        self.incomplete_portals: set[str] = set()

    # --- settings ---------------------------------------------------------------------------
    def _setting(self, name: str, default: int) -> int:
        return self.crawler.settings.getint(name, default) if getattr(self, "crawler", None) else default

    async def start(self):
        for portal in self.portals:
            self.portal_pages[portal.url] += 1
            self.requested.add(("GET", portal.url))
            yield scrapy.Request(portal.url, callback=self.parse_start, errback=self.on_error, dont_filter=True,
                                 meta={"portal_url": portal.url, "route": "start", "hops": 0})

    # --- the one way a request is made ------------------------------------------------------
    def spend_budget(self, portal: str | None, url: str, meta: dict, route: str | None = None,
                     link_title: str | None = None):
        """Count one request against ``portal``'s page budget (NIANBAO_MAX_PORTAL_PAGES): None when
        it may be made, else the ``budget`` record to yield (only for the first refusal of the
        portal: a trap would otherwise write thousands of them), or False for later ones."""
        limit = self._setting("NIANBAO_MAX_PORTAL_PAGES", 3000)
        if self.portal_pages[portal] < limit:
            self.portal_pages[portal] += 1
            return None
        self.over_budget[portal] += 1
        self.incomplete_portals.add(portal)
        if self.over_budget[portal] > 1:
            return False
        self.logger.warning("page budget of portal %s reached (%d requests): %s and every later request of "
                            "the portal not made", portal, limit, url)
        return self.decision(url, "budget", f"portal page budget ({limit} requests) reached: this and every "
                             f"later request of the portal not made", meta, route=route, link_title=link_title)

    def _request(self, url: str, *, callback, meta: dict, route: str, link_title: str | None = None,
                 method: str = "GET", formdata: dict | None = None, headers: dict | None = None,
                 dont_filter: bool = False):
        """Yield the request for ``url``, or the ledger row saying why it is not made: a URL off the
        portal's hosts, a URL too long to fetch, or the portal's page budget spent. Every request the
        spider makes goes through here, so each one is counted and none is dropped silently."""
        limit = self._setting("URLLENGTH_LIMIT", 2083)
        if limit and len(url) > limit:
            kept = url[:URL_KEPT_CHARS]
            self.logger.warning("a URL of %d characters on %s not fetched (URLLENGTH_LIMIT %d)", len(url),
                                meta.get("parent_url") or meta.get("portal_url"), limit)
            yield self.decision(kept, "skipped", f"URL of {len(url)} characters, longer than URLLENGTH_LIMIT "
                                f"({limit}): not fetched", meta, route=route, link_title=link_title)
            return
        host = urlsplit(url).hostname
        if not on_portal_hosts(host, self.allowed_domains):
            self.logger.info("off the portal's hosts, not fetched: %s", url)
            yield self.decision(url, "skipped", f"link off the portal's hosts ({host}): not fetched", meta,
                                route=route, link_title=link_title)
            return
        key = (method, url)
        if key not in self.requested or dont_filter or formdata:
            over = self.spend_budget(meta.get("portal_url"), url, meta, route, link_title)
            if over is not None:
                if over:
                    yield over
                return
            self.requested.add(key)
        if method == "POST" and formdata is not None:
            yield scrapy.FormRequest(url, formdata=formdata, callback=callback, errback=self.on_error, meta=meta,
                                     dont_filter=dont_filter)
        else:
            yield scrapy.Request(url, method=method, callback=callback, errback=self.on_error, meta=meta,
                                 headers=headers, dont_filter=dont_filter)

    # --- records ----------------------------------------------------------------------------
    def record(self, response, **extra) -> RawResponse:
        meta = response.meta
        first_url = (meta.get("redirect_urls") or [response.request.url])[0]
        return RawResponse(
            url=first_url, final_url=response.url, status=response.status, headers=_headers(response),
            body=response.body, method=response.request.method, route=meta.get("route", "report"),
            portal_url=meta.get("portal_url"), link_title=meta.get("link_title"),
            link_date=meta.get("link_date"), parent_url=meta.get("parent_url"),
            reason=meta.get("refused_redirect"),
            # a POST's form tells page 1 from page 2 of the same URL (kept for WARC request records)
            request_body=(response.request.body or None) if response.request.method == "POST" else None, **extra)

    def decision(self, url: str, outcome: str, reason: str, meta: dict, **extra) -> RawResponse:
        return RawResponse(url=url, outcome=outcome, reason=reason, route=extra.pop("route", meta.get("route")),
                           portal_url=meta.get("portal_url"), link_title=extra.pop("link_title", None), **extra)

    def _checked(self, response):
        """The records for a response before any callback reads it: the response itself (a truncated
        body or a refused redirect says so), and the redirect that was not followed. Returns
        (records, usable): a truncated response is retried or recorded, never read."""
        meta = response.meta
        if "dataloss" in response.flags:
            # A body shorter than its Content-Length: the connection was cut. Try again (Scrapy's
            # retry budget); then keep the bytes, as a worse copy of a known report or an error.
            retry = get_retry_request(response.request, spider=self, reason="truncated body")
            if retry is not None:
                return [retry], False
            expected = response.headers.get(b"Content-Length", b"?").decode("latin-1")
            reason = f"truncated: {len(response.body)} of {expected} bytes (body shorter than its Content-Length)"
            known = self.known.get((meta.get("redirect_urls") or [response.request.url])[0])
            outcome = "degraded" if known is not None and known.is_report else "error"
            if meta.get("route") in ("start", "listing", "discovery"):
                self.incomplete_portals.add(meta.get("portal_url"))
            self.logger.warning("%s %s: %s", outcome, response.url, reason)
            truncated = self.record(response, outcome=outcome)
            truncated.reason = reason
            return [truncated], False
        out = [self.record(response, outcome=meta.get("refused_outcome"))] if meta.get("refused_outcome") \
            else [self.record(response)]
        if meta.get("refused_target") and response.status < 300:
            # a meta refresh that was not followed: the page is recorded, and so is the refusal
            target, outcome = meta["refused_target"]
            out.append(self.decision(target, outcome, meta["refused_redirect"], meta,
                                     link_title=meta.get("link_title")))
        return out, True

    # --- callbacks --------------------------------------------------------------------------
    def parse_start(self, response):
        """A start URL: a homepage, a column, or a report itself (the archive decides that)."""
        out, usable = self._checked(response)
        yield from out
        if not usable or response.status >= 300 or self._blocked(response):
            return
        listing = parse_listing(response.body, response.url, self._content_type(response))
        links = self._discovered(response)
        if not listing.items and not any(link.kind != "report_candidate" for link in links):
            listing = parse_listing(response.body, response.url, self._content_type(response), as_list=True)
        yield from self._follow_listing(response, listing, column=response.url)
        yield from self._follow_discovered(response, links)

    def parse_discovery(self, response):
        """A gateway page (政务公开, 信息公开 …): look for the 年报 column."""
        out, usable = self._checked(response)
        yield from out
        if not usable or response.status >= 300 or self._blocked(response):
            return
        yield from self._follow_discovered(response, self._discovered(response))

    def parse_list_page(self, response):
        """A list page: items, further pages, sub-columns."""
        out, usable = self._checked(response)
        yield from out
        if not usable:
            return
        fallback = response.meta.get("fallback")
        if response.status >= 400 and fallback is None:
            self.incomplete_portals.add(response.meta.get("portal_url"))
        if response.status >= 400 and fallback is not None:
            # a Hanweb dataproxy.jsp that refuses POST: ask the way some portals answer (GET)
            self.logger.info("%s %s answered %d: trying %s %s", response.request.method, response.url,
                             response.status, fallback.method, fallback.url)
            yield from self._request(fallback.url, method=fallback.method, callback=self.parse_list_page,
                                     dont_filter=True, route="listing",
                                     meta={**response.meta, "fallback": fallback.fallback})
            return
        if response.status >= 300 or self._blocked(response):
            return
        column = response.meta.get("column") or response.url
        listing = parse_listing(response.body, response.url, self._content_type(response), as_list=True)
        yield from self._follow_listing(response, listing, column)
        yield from self._follow_discovered(response, [link for link in self._discovered(response)
                                                      if link.kind == "sub_column"])

    def parse_report(self, response):
        """A report page or file: recorded for the archive; report-looking attachments followed."""
        out, usable = self._checked(response)
        yield from out
        if not usable:
            return
        if response.status != 200 or self._blocked(response) or response.meta.get("route") == "attachment":
            return
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for link in attachment_links(response.body, response.url, self._content_type(response)):
            if attachment_is_report(link.title, link.url):
                # the file carries no 发布日期 of its own: keep the date the list showed for the page
                yield from self._request_report(response, link.url, link.title, route="attachment",
                                                parent_url=response.url, link_date=response.meta.get("link_date"))
        if not looks_like_article(response.body, response.url):
            # A link that read like a report led to a list (a 2023年报 sub-column): read it as one.
            listing = parse_listing(response.body, response.url, self._content_type(response), as_list=True)
            if any(is_annual_report_title(item.title) for item in listing.items):
                yield from self._follow_listing(response, listing, column=response.url)

    # --- following --------------------------------------------------------------------------
    def _follow_listing(self, response, listing, column: str):
        meta = response.meta
        for href, reason in listing.bad_links:
            if INERT_SCHEME_RE.match(reason):  # javascript:void(0), mailto: … are not broken links
                continue
            self.logger.warning("unusable link on %s: %r (%s)", response.url, href, reason)
            yield self.decision(href, "skipped", f"unusable link: {reason}", meta, route="report")
        seen = self.column_items[column]
        self.listed[meta.get("portal_url")].update(item.url for item in listing.items)
        new_items = [item for item in listing.items if item.url not in seen]
        seen.update(item.url for item in listing.items)
        for item in new_items:
            if item.kind == ATTACHMENT:
                if attachment_is_report(item.title, item.url):
                    yield from self._request_report(response, item.url, item.title, route="attachment",
                                                    link_date=item.date)
                else:
                    yield self.decision(item.url, "skipped", "attachment is not an annual report",
                                        meta, route="attachment", link_title=item.title)
            elif is_annual_report_title(item.title):
                yield from self._request_report(response, item.url, item.title, route="report",
                                                link_date=item.date)
            else:
                yield self.decision(item.url, "skipped", "link text is not an annual report title",
                                    meta, route="report", link_title=item.title)
        if listing.items and not new_items:
            self.logger.info("list page %s repeats items already seen in its column: column ends", response.url)
            return
        if not self.full and new_items and all(item.url in self.known for item in new_items):
            self.logger.info("every item of %s is already archived: not paging further (--full pages on)",
                             response.url)
            if listing.next_pages:
                self.incomplete_portals.add(meta.get("portal_url"))
            return
        for page in listing.next_pages:
            yield from self._request_list_page(response, page, column)

    def _request_list_page(self, response, page: PageRequest, column: str):
        meta = response.meta
        portal = meta.get("portal_url")
        max_column = self._setting("NIANBAO_MAX_LIST_PAGES", 300)
        if self.list_pages[column] >= max_column:
            self.logger.warning("page budget of the column reached (%d pages): %s not fetched", max_column, page.url)
            self.incomplete_portals.add(portal)
            yield self.decision(page.url, "budget", f"column page budget ({max_column}) reached", meta,
                                route="listing")
            return
        self.list_pages[column] += 1
        request_meta = {"portal_url": portal, "route": "listing", "column": column,
                        "fallback": page.fallback, "hops": meta.get("hops", 0)}
        yield from self._request(page.url, method=page.method, formdata=(page.form or {}) if page.method == "POST"
                                 else None, callback=self.parse_list_page, meta=request_meta, route="listing")

    def _discovered(self, response):
        return discover_links(response.body, response.url, self._content_type(response))

    def _follow_discovered(self, response, links):
        meta = response.meta
        portal = meta.get("portal_url")
        hops = meta.get("hops", 0)
        max_hops = self._setting("NIANBAO_DISCOVERY_HOPS", 3)
        budget = self._setting("NIANBAO_DISCOVERY_BUDGET", 40)
        # Gateways (政务公开 …) are looked through only when the page itself shows no 年报 column.
        has_column = any(link.kind in ("report_column", "sub_column") for link in links)
        for link in links:
            if link.kind in ("report_column", "sub_column"):
                if self.list_pages[link.url] == 0:
                    self.list_pages[link.url] += 1
                    yield from self._request(link.url, callback=self.parse_list_page, route="listing",
                                             link_title=link.title,
                                             meta={"portal_url": portal, "route": "listing", "column": link.url,
                                                   "link_title": link.title, "hops": hops + 1})
            elif link.kind == "gateway":
                if has_column or hops + 1 > max_hops:
                    continue
                if self.discovery_pages[portal] >= budget:
                    self.logger.warning("discovery budget of %s reached (%d pages): %s not fetched",
                                        portal, budget, link.url)
                    yield self.decision(link.url, "budget", f"discovery budget ({budget}) reached", meta,
                                        route="discovery", link_title=link.title)
                    continue
                self.discovery_pages[portal] += 1
                yield from self._request(link.url, callback=self.parse_discovery, route="discovery",
                                         link_title=link.title,
                                         meta={"portal_url": portal, "route": "discovery", "link_title": link.title,
                                               "hops": hops + 1})
            elif link.kind == "report_candidate" and is_annual_report_title(link.title):
                self.listed[portal].add(link.url)
                yield from self._request_report(response, link.url, link.title, route="report")

    def _request_report(self, response, url: str, title: str, *, route: str, parent_url: str | None = None,
                        link_date: str | None = None):
        meta = {"portal_url": response.meta.get("portal_url"), "route": route, "link_title": title,
                "parent_url": parent_url, "link_date": link_date}
        if self.blocks[urlsplit(url).hostname] >= BLOCKS_BEFORE_GIVING_UP:
            yield self.decision(url, "blocked", "host keeps answering with a challenge: cooled down for this run",
                                meta, route=route, link_title=title)
            return
        headers = {}
        known = self.known.get(url)
        if known is not None and not self.refresh:
            if known.has_validators:
                if known.etag:
                    headers["If-None-Match"] = known.etag
                if known.last_modified:
                    headers["If-Modified-Since"] = known.last_modified
            elif self._recent(known):
                self.recent_skipped += 1
                return
        yield from self._request(url, callback=self.parse_report, headers=headers, meta=meta, route=route,
                                 link_title=title)

    def _recent(self, known: KnownPage) -> bool:
        try:
            fetched = datetime.fromisoformat(known.fetched_at)
        except (TypeError, ValueError):
            return False
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=timezone.utc)
        return datetime.now(timezone.utc) - fetched < self.recheck_after

    # --- blocks and errors ------------------------------------------------------------------
    def _blocked(self, response) -> bool:
        """An anti-bot answer: cool the host down (the archive records the page as blocked)."""
        reason = detect_block(response.status, _headers(response), response.body)
        if not reason:
            return False
        host = urlsplit(response.url).hostname
        self.blocks[host] += 1
        cooldown = self._setting("NIANBAO_BLOCK_COOLDOWN", 60)
        slot = self.crawler.engine.downloader.slots.get(response.meta.get("download_slot")) \
            if getattr(self, "crawler", None) and self.crawler.engine else None
        if slot is not None:
            slot.delay = max(slot.delay, cooldown)
        self.logger.info("blocked (%s) at %s: host %s cooled down", reason, response.url, host)
        return True

    @staticmethod
    def _content_type(response) -> str | None:
        value = response.headers.get(b"Content-Type")
        return value.decode("latin-1") if value else None

    def _bytes_received(self, data, request, spider=None):
        request.meta["bytes_received"] = request.meta.get("bytes_received", 0) + len(data)

    def _too_large(self, request) -> str | None:
        """Why ``request``'s download was cut for its size, when it was (else None)."""
        limit = request.meta.get("download_maxsize", self._setting("DOWNLOAD_MAXSIZE", 0))
        received = request.meta.get("bytes_received", 0)
        if limit and received > limit:
            return f"larger than DOWNLOAD_MAXSIZE ({limit} bytes): cut after {received} bytes"
        return None

    def on_error(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None:  # an HTTP error page: keep it whole
            yield self.record(response)
            return
        fallback = request.meta.get("fallback")
        if fallback is not None:
            self.logger.info("%s %s failed (%s): trying %s %s", request.method, request.url,
                             _failure_reason(failure), fallback.method, fallback.url)
            meta = {**request.meta, "fallback": fallback.fallback}
            yield from self._request(fallback.url, method=fallback.method, callback=self.parse_list_page,
                                     meta=meta, route="listing", dont_filter=True)
        too_large = self._too_large(request) if failure.check(DownloadCancelledError) else None
        outcome = "too_large" if too_large else _failure_outcome(failure)
        reason = too_large or _failure_reason(failure)
        if request.meta.get("route") in ("start", "listing", "discovery"):
            self.incomplete_portals.add(request.meta.get("portal_url"))
        log = self.logger.info if outcome == "skipped" else self.logger.warning
        log("%s %s: %s", outcome, request.url, reason)
        # a redirect that was not followed is recorded under the URL that was asked for
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        yield RawResponse(url=first_url, final_url=request.url, outcome=outcome, reason=reason[:500],
                          method=request.method,
                          route=request.meta.get("route", "report"), portal_url=request.meta.get("portal_url"),
                          link_title=request.meta.get("link_title"), parent_url=request.meta.get("parent_url"))
