"""Scrapy's duplicate-request filter with its fingerprints in SQLite instead of a Python set.

Scrapy's RFPDupeFilter keeps every request's fingerprint in a set in memory (with JOBDIR, in a file
as well, read back into the set): about 100 bytes per request, a set that grows with the crawl.
SQLiteDupeFilter is the same filter (same fingerprints, same log lines and stats) with the set in a
scratch SQLite table (scraper.crawl_state; the module says why no library is used): without JOBDIR
an anonymous file deleted when the crawl ends; with JOBDIR, ``requests.seen.sqlite`` in it, kept for
a resumed job as Scrapy's ``requests.seen`` is. scraper/settings.py makes it the DUPEFILTER_CLASS;
a distributed crawl (--redis) uses scrapy-redis's filter in Redis instead (scraper.distributed).
"""
from __future__ import annotations

from pathlib import Path

from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

from scraper.crawl_state import scratch_db

# With JOBDIR, fingerprints are committed every this many new requests (and when the crawl ends):
# a crawl killed with kill -9 forgets at most these, as Scrapy's buffered requests.seen does.
COMMIT_EVERY = 1000


class SQLiteDupeFilter(RFPDupeFilter):
    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter=None):
        super().__init__(None, debug, fingerprinter=fingerprinter)  # no requests.seen file
        self._fingerprints = frozenset()  # nothing is held here: a stray add() fails loudly
        self.path = str(Path(path, "requests.seen.sqlite")) if path else ""
        self.db = scratch_db(self.path)
        if self.path:
            self.db.execute("pragma journal_mode = wal")
        self.db.execute("create table if not exists seen (fingerprint blob primary key) without rowid")
        self.uncommitted = 0
        if self.path:
            self.db.execute("begin")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(job_dir(crawler.settings), crawler.settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter)

    def request_seen(self, request) -> bool:
        cursor = self.db.execute("insert or ignore into seen values (?)", [self._fingerprint(request)])
        if not cursor.rowcount:
            return True
        if self.path:
            self.uncommitted += 1
            if self.uncommitted >= COMMIT_EVERY:
                self.db.execute("commit")
                self.db.execute("begin")
                self.uncommitted = 0
        return False

    def __len__(self) -> int:
        return self.db.execute("select count(*) from seen").fetchone()[0]

    def close(self, reason: str) -> None:
        if self.path:
            self.db.execute("commit")
        self.db.close()
