"""``nianbao reparse``: rebuild everything derived from the stored responses.

The ledger is replayed in the order it was written, through the same decisions
a crawl makes (``archive.ingest``), with today's parser: the result is the
archive a crawl would have built had today's parser run then. Parsing runs in
worker processes (``--jobs``), storing in this one, all in one transaction: a
reparse that is interrupted leaves the archive as it was.

Reports kept by an archive made before raw responses were stored (no
``response_id``) have nothing to be re-parsed from and are left untouched.
Report ids are kept for URLs that are still reports, so links into the archive
stay valid.
"""
from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import zlib
from dataclasses import dataclass
from typing import Callable

from .ingest import ingest, read_response
from .raw import RawResponse
from .search import delete_from_index
from .store import CHILD_TABLES, Archive
from .workers import start_parser_worker

# Routes whose responses may hold a report.
REPORT_ROUTES = ("report", "attachment", "start")
CHUNK = 16
BATCH = 512


@dataclass
class ReparseResult:
    responses: int
    reports: int
    revisions: int


# The ledger rows as archive.reparse._raw reads them (merge adds its own where clause).
LEDGER_REPLAY_SQL = """
    select responses.id, responses.url, responses.final_url, responses.method, responses.status,
           responses.headers, responses.fetched_at, responses.route, responses.outcome, responses.reason,
           responses.title, responses.parent_url, responses.link_date, responses.run_id, portals.url,
           bodies.compression, bodies.data
    from responses
    left join bodies on bodies.sha256 = responses.body_sha256
    left join portals on portals.id = responses.portal_id
"""


def _rows(archive: Archive):
    return archive.conn.execute(
        f"{LEDGER_REPLAY_SQL} where responses.route in ({', '.join('?' for _ in REPORT_ROUTES)}) order by responses.id",
        REPORT_ROUTES)


def _raw(row) -> tuple[int, RawResponse]:
    (response_id, url, final_url, method, status, headers, fetched_at, route, outcome, reason, title,
     parent_url, link_date, run_id, portal_url, compression, data) = row
    body = None
    if data is not None:
        body = zlib.decompress(data) if compression == "zlib" else bytes(data)
    raw = RawResponse(url=url, final_url=final_url, method=method or "GET", status=status,
                      headers=[tuple(h) for h in json.loads(headers)] if headers else [], body=body,
                      fetched_at=fetched_at, route=route, portal_url=portal_url, link_title=title,
                      parent_url=parent_url, link_date=link_date, run_id=run_id,
                      # rows without a response keep the fetcher's own decision (skipped, error …)
                      outcome=outcome if status is None else None, reason=reason if status is None else None)
    return response_id, raw


def _read(row):
    response_id, raw = _raw(row)
    return response_id, raw, read_response(raw)


def readings(cursor, pool):
    """(response_id, raw, reading) for the ledger rows of ``cursor`` (LEDGER_REPLAY_SQL), in its
    order. Rows are read here (an sqlite3 connection belongs to its thread, and Pool.imap would read
    its input in a feeder thread); workers parse one batch while this process stores the previous one."""
    if pool is None:
        yield from map(_read, cursor)
        return
    pending = None
    while True:
        batch = list(itertools.islice(cursor, BATCH))
        started = pool.map_async(_read, batch, CHUNK) if batch else None
        if pending is not None:
            yield from pending.get()
        if started is None:
            return
        pending = started


def parser_pool(jobs: int):
    """``jobs`` parser processes for a replay, or None for one job (parse in this process).
    Spawned, not forked: a forked worker inherits the archive's writer lock (an flock belongs to the
    open file, which fork shares), so a reparse or merge killed with kill -9 would keep the archive
    locked until its workers noticed, and running it again would be refused for a while."""
    if jobs <= 1:
        return None
    return multiprocessing.get_context("spawn").Pool(jobs, initializer=start_parser_worker,
                                                     initargs=(os.getpid(),))


class ReportIds(dict):
    """``reuse_ids`` for ingest in a replay: a report derived again gets its old id back (links into
    the archive stay valid), and a URL that becomes a report only now the next id after every id the
    archive held before the replay, not SQLite's max(id) + 1 of the moment, which may be the id of a
    report deleted to be derived again and given back later in the replay. Ingest asks with .get
    only when it writes a report that has no row."""

    def __init__(self, kept, next_id: int):
        super().__init__(kept)
        self.next_id = next_id

    def __bool__(self) -> bool:  # ingest reads ``reuse_ids or {}``: an empty map is still this one
        return True

    def get(self, url, default=None):
        if url not in self:
            self[url] = self.next_id
            self.next_id += 1
        return self[url]


def responses_to_reparse(archive: Archive) -> int:
    return archive.conn.execute(f"select count(*) from responses where route in ({', '.join('?' for _ in REPORT_ROUTES)})",
                                REPORT_ROUTES).fetchone()[0]


def reparse_archive(archive: Archive, jobs: int = 2,
                    progress: Callable[[int, int], None] | None = None) -> ReparseResult:
    conn = archive.conn
    total = responses_to_reparse(archive)
    # Foreign keys are checked row by row (2.5x slower stats inserts); every row reparse writes
    # points at a report it has just written, so the checks are off for the rebuild.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        return _rebuild(archive, jobs, progress, total)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _rebuild(archive: Archive, jobs: int, progress, total: int) -> ReparseResult:
    conn = archive.conn
    done = revisions = 0
    with archive.transaction():
        # a URL that becomes a report only now gets an id above every old one: SQLite's max(id) + 1
        # could be an id a kept report is given back later in the replay
        keep_ids = ReportIds(conn.execute("select url, id from reports where response_id is not null"),
                              next_id=(conn.execute("select max(id) from reports").fetchone()[0] or 0) + 1)
        derived = "select id from reports where response_id is not null"
        for table in CHILD_TABLES:
            conn.execute(f"delete from [{table}] where report_id in ({derived})")
        delete_from_index(conn, "response_id is not null")
        conn.execute(f"delete from revisions where report_id in ({derived})")
        conn.execute("delete from reports where response_id is not null")
        pool = parser_pool(jobs)
        try:
            for response_id, raw, reading in readings(_rows(archive), pool):
                result = ingest(archive, raw, reading, record=False, response_id=response_id,
                                reuse_ids=keep_ids)
                if result.outcome == "changed":
                    revisions += 1
                done += 1
                if progress and (done % 50 == 0 or done == total):
                    progress(done, total)
        finally:
            if pool:
                pool.close()
                pool.join()
        reports = conn.execute("select count(*) from reports").fetchone()[0]
    if progress:
        progress(total, total)
    return ReparseResult(done, reports, revisions)
