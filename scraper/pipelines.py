"""The pipeline that hands items to the archive (archive.store decides how)."""
from __future__ import annotations

import logging

from archive.store import open_archive, record_fetch, store_report, upsert_portal
from scraper.items import FetchItem, ReportItem

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, db_path: str, crawler=None):
        self.db_path = db_path
        self.crawler = crawler
        self.db = None
        self.counts: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("NIANBAO_DB"), crawler)

    def open_spider(self, spider=None):
        self.db = open_archive(self.db_path)
        spider = spider or getattr(self.crawler, "spider", None)
        for portal in getattr(spider, "portals", []):
            upsert_portal(self.db, portal.url, name=portal.name, province=portal.province,
                          city=portal.city, county=portal.county)
        logger.info("archive: %s", self.db_path)

    def close_spider(self, spider=None):
        summary = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items())) or "nothing"
        logger.info("archive %s: %s", self.db_path, summary)
        if self.db is not None:
            self.db.close()

    def process_item(self, item, spider=None):
        if isinstance(item, ReportItem):
            report_id = store_report(self.db, item.report, portal_url=item.portal_url,
                                     fetched_at=item.fetched_at, http_status=item.http_status,
                                     content_sha256=item.content_sha256)
            record_fetch(self.db, item.report["url"], "stored", title=item.report.get("title"),
                         portal_url=item.portal_url, http_status=item.http_status)
            logger.info("stored report %d: %s", report_id, item.report.get("title"))
            self._count("stored")
        elif isinstance(item, FetchItem):
            record_fetch(self.db, item.url, item.outcome, reason=item.reason, title=item.title,
                         portal_url=item.portal_url, http_status=item.http_status)
            self._count(item.outcome)
        return item

    def _count(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
