"""The Scrapy item pipeline that hands each raw record to the archive's ingest.

Scrapy finds it through ITEM_PIPELINES (scraper/settings.py names it); the
spider does not import it. One record, one transaction (archive.ingest).

Reading a page (decode, parse, extract a file's text) runs in a worker process
(NIANBAO_PARSE_WORKERS, default 1), so the crawl uses the machine's second
core: the crawl process keeps fetching and storing while a page is parsed.
Storing stays here, in order of arrival, in one connection.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .ingest import Reading, ingest, read_response
from .raw import RawResponse
from .store import ArchiveError, ArchiveFull, lock_archive, open_archive
from .workers import exit_with

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 2.0
# Signals that stop a crawl (Ctrl-C, systemctl stop): the crawl's to handle, not its workers'.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _worker_start(parent_pid: int) -> None:
    """A parser worker ignores the stop signals (see ArchivePipeline._new_pool) and dies with the crawl."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    exit_with(parent_pid)

# How ledger outcomes add up in a run's summary (crawl_runs columns).
RUN_COUNT_OF = {
    "stored": "new", "image_only": "new", "changed": "changed", "unchanged": "unchanged",
    "not_modified": "unchanged", "degraded": "failed", "gone": "failed", "error": "failed",
    "http_error": "failed", "parse_error": "failed", "too_large": "failed", "blocked": "blocked",
    "skipped": "skipped", "budget": "skipped",
}


class ArchivePipeline:
    def __init__(self, db_path: str, crawler=None):
        self.db_path = db_path
        self.crawler = crawler
        self.archive = None
        self.lock = None
        self.run_id: int | None = None
        self.own_run = False
        self.outcomes: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.progress = None
        self.last_progress = 0.0
        self.workers = 0
        self.pool: ProcessPoolExecutor | None = None
        self.archive_error: ArchiveError | None = None  # the archive cannot be written: stop

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not getattr(crawler.spidercls, "nianbao_archive", False):
            # `scrapy bench`, `scrapy fetch`, `scrapy shell` from the repo root read the project's
            # settings too: only nianbao's spider writes an archive (no ./nianbao.db for the others).
            raise NotConfigured(f"{crawler.spidercls.__name__} is not nianbao's spider: no archive")
        pipeline = cls(crawler.settings.get("NIANBAO_DB"), crawler)
        # The run is finished after the spider closes, when Scrapy says why it closed.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        pipeline.run_id = crawler.settings.getint("NIANBAO_RUN_ID") or None
        pipeline.progress = crawler.settings.get("NIANBAO_PROGRESS")
        pipeline.workers = crawler.settings.getint("NIANBAO_PARSE_WORKERS", 1)
        return pipeline

    def open_spider(self, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        if not self.crawler or not self.crawler.settings.getbool("NIANBAO_LOCK_HELD"):
            self.archive = open_archive(self.db_path)
            self.lock = lock_archive(self.db_path)
        else:
            self.archive = open_archive(self.db_path)
        with self.archive.transaction():
            for portal in getattr(spider, "portals", []):
                self.archive.portal_id(portal.url, name=portal.name, province=portal.province,
                                       city=portal.city, county=portal.county, code=getattr(portal, "code", None))
        if self.run_id is None:
            self.own_run = True
            self.run_id = self.archive.start_run([p.url for p in getattr(spider, "portals", [])], os.getpid())
        if self.workers > 0:
            self.pool = self._new_pool()
        logger.info("archive: %s (crawl run %d)", self.db_path, self.run_id)
        self.last_progress = time.monotonic()  # the first progress line after PROGRESS_SECONDS

    def close_spider(self, spider=None):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def spider_closed(self, spider, reason):
        if reason == "finished" and getattr(spider, "full", False):
            self._mark_unlisted(spider)
        recent = getattr(spider, "recent_skipped", 0)
        if recent:
            self.counts["unchanged"] = self.counts.get("unchanged", 0) + recent
            logger.info("%d known reports fetched recently were not requested again", recent)
        summary = ", ".join(f"{k}={v}" for k, v in sorted(self.outcomes.items())) or "nothing"
        logger.info("archive %s: %s", self.db_path, summary)
        if self.archive is not None:
            self.counts["requests"] = self._requests()
            if self.archive_error is None:  # else it cannot be written (the command says why)
                self.archive.finish_run(self.run_id, self.counts, 0 if self.own_run else None)
            self.archive.close()
        if self.lock is not None:
            self.lock.close()

    def _stop_writing(self, error: ArchiveError) -> None:
        """The archive cannot be written (archive.store.ArchiveFull …): fetch nothing more. The pages
        in flight are not stored; `nianbao crawl` prints why (NIANBAO_ARCHIVE_ERRORS) and exits 3."""
        from scrapy.utils.defer import deferred_from_coro

        self.archive_error = error
        errors = self.crawler.settings.get("NIANBAO_ARCHIVE_ERRORS") if self.crawler else None
        if errors is not None:
            errors.append(error)
            logger.info("%s", error)
        else:  # no nianbao command to say it (scrapy crawl)
            logger.error("%s", error)
        if self.crawler and self.crawler.engine:
            reason = "archive_full" if isinstance(error, ArchiveFull) else "archive_error"
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _mark_unlisted(self, spider) -> None:
        """After a --full crawl that read every list of a portal: its archived reports that no list
        shows any more have vanished from the portal (they keep their copy; gone_since is set)."""
        for portal_url, listed in spider.listed.items():
            if portal_url in spider.incomplete_portals or not listed:
                continue
            portal_id = self.archive.portal_id(portal_url)
            rows = self.archive.conn.execute(
                "select url from reports where portal_id = ? and gone_since is null", [portal_id]).fetchall()
            for (url,) in rows:
                if url not in listed:
                    ingest(self.archive, RawResponse(
                        url=url, route="report", portal_url=portal_url, run_id=self.run_id, outcome="gone",
                        reason="no longer in any list of its portal"))
                    logger.warning("gone %s: no longer in any list of its portal", url)
                    self.counts["failed"] = self.counts.get("failed", 0) + 1
                    self.outcomes["gone"] = self.outcomes.get("gone", 0) + 1

    def _requests(self) -> int:
        stats = self.crawler.stats.get_stats() if self.crawler and self.crawler.stats else {}
        return int(stats.get("downloader/request_count", 0))

    async def _read(self, item: RawResponse) -> Reading:
        if self.pool is None or item.body is None or item.route in ("listing", "discovery"):
            return read_response(item)
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, read_response, item)
        except BrokenProcessPool:
            # A page that kills the parser process (not an exception: those are caught inside)
            # must cost that page only: it is recorded, and the next pages get a new worker.
            logger.error("parse_error %s: the parser process died on this page", item.url)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
            return Reading(error="the parser process died on this page")

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: workers start from a clean process, not a fork of the reactor's threads; they
        # watch this process, so a crawl killed with kill -9 leaves no parser behind.
        # Ctrl-C (SIGINT to the terminal's process group) and `systemctl stop` (SIGTERM to the whole
        # service) reach the workers too: they must not die of it mid-page (the page would be
        # recorded as "the parser process died"), so they ignore both, and the crawl's graceful
        # stop shuts them down. The signals are blocked while a worker is spawned (a blocked mask
        # is inherited, and nothing is lost: the crawl gets them when it unblocks them) until its
        # initializer has set them to be ignored.
        pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_start, initargs=(os.getpid(),))
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for _ in range(self.workers):
                pool.submit(os.getpid)  # (3.11 spawns workers in submit(), in this thread)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return pool

    async def process_item(self, item, spider=None):
        if not isinstance(item, RawResponse):
            return item
        item.run_id = self.run_id
        if self.archive_error is not None:
            return item  # the crawl is closing: nothing more is stored (see _stop_writing)
        try:
            result = ingest(self.archive, item, await self._read(item))
        except ArchiveError as exc:  # a full disk: the page's transaction was rolled back
            self._stop_writing(exc)
            return item
        outcome = result.outcome
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if outcome in RUN_COUNT_OF:
            key = RUN_COUNT_OF[outcome]
            self.counts[key] = self.counts.get(key, 0) + 1
        if outcome in ("stored", "changed", "image_only"):
            logger.info("%s report %d: %s", outcome, result.report_id, result.title)
        elif outcome == "blocked":
            logger.warning("blocked (%s) at %s: its host is cooled down", result.reason, item.url)
        elif outcome in ("degraded", "gone", "parse_error", "too_large"):
            logger.warning("%s %s: %s", outcome, item.url, result.reason)
        if self.progress is not None and time.monotonic() - self.last_progress >= PROGRESS_SECONDS:
            self.last_progress = time.monotonic()
            self.progress(dict(self.counts), self._requests())
        return item
