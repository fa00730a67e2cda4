"""The annual_reports spider: decides what to fetch, nothing else.

From each start URL (a portal homepage or a 年报 column page) it follows report
columns, list pages and their pagination (scraper.cms knows each CMS family's
patterns), and fetches the articles whose link text names an annual report.
What a page says is decided by parsing.parse_report; how it is kept, by the
archive pipeline.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
import scrapy

from parsing import is_annual_report_title, parse_report
from scraper.cms import find_column_links, parse_listing
from scraper.items import FetchItem, ReportItem
from scraper.portals import Portal, read_portals


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _content_type(response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, start_urls: str | list[str] | None = None, portals: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.portals: list[Portal] = [Portal(url=u) for u in (start_urls or [])]
        if portals:
            self.portals += read_portals(portals)
        if not self.portals:
            raise ValueError("annual_reports needs start_urls=URL1,URL2 or portals=FILE.csv")
        # Stay on the portals' own hosts (Scrapy's OffsiteMiddleware reads this):
        # spam mirrors copy report pages under other domains.
        self.allowed_domains = sorted({p.host for p in self.portals if p.host})

    async def start(self):
        for portal in self.portals:
            yield scrapy.Request(portal.url, callback=self.parse, errback=self.on_error,
                                 meta={"portal_url": portal.url}, dont_filter=True)

    def parse(self, response):
        """A homepage or a list page: follow columns, list items and next pages."""
        portal_url = response.meta["portal_url"]
        content_type = _content_type(response)
        listing = parse_listing(response.body, response.url, content_type)
        if not listing.items:
            # Maybe the user gave a report itself.
            report = yield from self._parse_or_record(response, portal_url)
            if report is not None and report.is_report and report.sections:
                yield self._report_item(response, report, portal_url)
                return
        for column in find_column_links(response.body, response.url):
            yield response.follow(column.url, callback=self.parse, errback=self.on_error,
                                  meta={"portal_url": portal_url})
        for item in listing.items:
            if is_annual_report_title(item.title):
                yield response.follow(item.url, callback=self.parse_report_page, errback=self.on_error,
                                      meta={"portal_url": portal_url, "link_title": item.title})
            else:
                yield FetchItem(url=item.url, outcome="skipped", reason="link text is not an annual report title",
                                title=item.title, portal_url=portal_url)
        for next_page in listing.next_pages:
            yield response.follow(next_page, callback=self.parse, errback=self.on_error,
                                  meta={"portal_url": portal_url})
        self.logger.debug("listing %s (%s): %d items, %d next pages", response.url, listing.family,
                          len(listing.items), len(listing.next_pages))

    def parse_report_page(self, response):
        portal_url = response.meta["portal_url"]
        report = yield from self._parse_or_record(response, portal_url)
        if report is None:
            return
        if not report.is_report:
            self.logger.info("not a report: %s (%s)", response.url, report.title)
            yield FetchItem(url=response.url, outcome="not_report", title=report.title,
                            reason="page title is not an annual report title",
                            portal_url=portal_url, http_status=response.status)
            return
        for warning in report.warnings:
            self.logger.warning("%s: %s", response.url, warning)
        yield self._report_item(response, report, portal_url)

    def _parse_or_record(self, response, portal_url):
        """parse_report, or a parse_error ledger row: a hostile page must not stop
        the crawl, and must leave a trace."""
        try:
            return parse_report(response.body, response.url, _content_type(response))
        except Exception as exc:
            self.logger.error("parse_error %s: %r", response.url, exc)
            yield FetchItem(url=response.url, outcome="parse_error", reason=repr(exc)[:500],
                            title=response.meta.get("link_title"), portal_url=portal_url,
                            http_status=response.status)
            return None

    def _report_item(self, response, report, portal_url) -> ReportItem:
        return ReportItem(report=report.to_dict(), portal_url=portal_url, fetched_at=_now(),
                          http_status=response.status,
                          content_sha256=hashlib.sha256(response.body).hexdigest())

    def on_error(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        outcome = "http_error" if status else "error"
        self.logger.warning("%s %s: %s", outcome, request.url, failure.getErrorMessage())
        yield FetchItem(url=request.url, outcome=outcome, reason=failure.getErrorMessage()[:500],
                        portal_url=request.meta.get("portal_url"), http_status=status)
