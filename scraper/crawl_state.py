"""What a crawl remembers about the URLs it meets, kept on disk instead of in Python sets.

A national crawl meets millions of URLs. Every per-URL structure the spider keeps (the requests
it made, the items each column's lists showed, every URL a portal's lists showed, the archive's
known pages) lives in a scratch SQLite database: memory stays at SQLite's page cache
(SCRATCH_CACHE_KIB) however many pages are crawled (benchmarks/crawl_memory.py measures it).

A scratch database is an anonymous file (SQLite's "" filename): SQLite unlinks it as soon as it
is opened, so nothing is left behind, not even after kill -9. Nobody else reads it and nothing in
it must survive the process, so it is written in one transaction that is never committed, with
no journal: pages beyond the cache go to the file, and no write waits for a commit.

Why not a library: sqlitedict and diskcache (the well-kept SQLite-backed dicts) pickle every key
and commit every write (diskcache also keeps sizes and access times for its eviction), which costs
several times the one indexed statement these sets need; shelve/dbm have no "insert if absent"
and dbm.gnu is not everywhere. A table with a primary key is all that is needed.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scraper.items import KnownPage

# Page cache of one scratch database, in KiB (SQLite's default is 2000): what it holds in memory.
SCRATCH_CACHE_KIB = 4096
# A pair member (method, URL) is stored as one string: the two parts joined by this character,
# which no method and no URL Scrapy requests contains.
PAIR_SEPARATOR = "\x00"


def scratch_db(path: str = "") -> sqlite3.Connection:
    """A private SQLite database for one crawl's bookkeeping: an anonymous file (the default), or
    ``path``. Used from the reactor thread only, but Scrapy may create it in another one."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute(f"pragma cache_size = -{SCRATCH_CACHE_KIB}")
    db.execute("pragma synchronous = off")
    if not path:
        db.execute("pragma journal_mode = off")
        db.execute("begin")  # never committed: see the module's docstring
    return db


class DiskSet:
    """A set of strings (or of (method, URL) pairs, with ``pairs``) in one group of a scratch table."""

    def __init__(self, db: sqlite3.Connection, table: str, group: str | None = "", pairs: bool = False,
                 create: bool = True):
        # (a group None, as a dict key may be, is stored as "")
        self.db, self.table, self.group, self.pairs = db, table, group or "", pairs
        if create:
            db.execute(f"create table if not exists {table} (grp text not null, member text not null, "
                   f"primary key (grp, member)) without rowid")

    def _member(self, value) -> str:
        return PAIR_SEPARATOR.join(value) if self.pairs else value

    def __contains__(self, value) -> bool:
        return self.db.execute(f"select 1 from {self.table} where grp = ? and member = ?",
                               [self.group, self._member(value)]).fetchone() is not None

    def add(self, value) -> None:
        self.db.execute(f"insert or ignore into {self.table} values (?, ?)", [self.group, self._member(value)])

    def update(self, values: Iterable) -> None:
        self.db.executemany(f"insert or ignore into {self.table} values (?, ?)",
                            ((self.group, self._member(v)) for v in values))

    def __iter__(self) -> Iterator:
        for (member,) in self.db.execute(f"select member from {self.table} where grp = ?", [self.group]):
            yield tuple(member.split(PAIR_SEPARATOR, 1)) if self.pairs else member

    def __len__(self) -> int:
        return self.db.execute(f"select count(*) from {self.table} where grp = ?", [self.group]).fetchone()[0]

    def __bool__(self) -> bool:
        return self.db.execute(f"select 1 from {self.table} where grp = ? limit 1", [self.group]).fetchone() \
            is not None

    def clear(self) -> None:
        self.db.execute(f"delete from {self.table} where grp = ?", [self.group])


class DiskSets:
    """A mapping name → DiskSet (a defaultdict(set) on disk): every group of one scratch table."""

    def __init__(self, db: sqlite3.Connection, table: str):
        self.db, self.table = db, table
        DiskSet(db, table)  # creates the table

    def __getitem__(self, group: str) -> DiskSet:
        return DiskSet(self.db, self.table, group, create=False)

    def get(self, group: str, default=None):
        members = self[group]
        return members if members else default

    def keys(self) -> list[str]:
        return [g for (g,) in self.db.execute(f"select distinct grp from {self.table} order by grp")]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, group: str) -> bool:
        return bool(self[group])

    def items(self) -> list[tuple[str, DiskSet]]:
        return [(group, self[group]) for group in self.keys()]

    def values(self) -> list[DiskSet]:
        return [members for _, members in self.items()]

    def __len__(self) -> int:
        return len(self.keys())

    def __bool__(self) -> bool:
        return self.db.execute(f"select 1 from {self.table} limit 1").fetchone() is not None

    def clear(self) -> None:
        self.db.execute(f"delete from {self.table}")


class KnownPages:
    """URL → KnownPage for every page the archive held when the crawl started (a snapshot: pages
    archived during the crawl are not "known" to it, as before), in a scratch database."""

    def __init__(self, pages: Iterable[KnownPage] = (), db: sqlite3.Connection | None = None):
        self.db = db or scratch_db()
        self.db.execute("create table if not exists known (url text primary key, fetched_at text, etag text, "
                        "last_modified text, is_report integer) without rowid")
        self.db.executemany("insert or replace into known values (?, ?, ?, ?, ?)",
                            ((p.url, p.fetched_at, p.etag, p.last_modified, int(p.is_report)) for p in pages))

    def get(self, url: str, default=None) -> KnownPage | None:
        row = self.db.execute("select url, fetched_at, etag, last_modified, is_report from known where url = ?",
                              [url]).fetchone()
        if row is None:
            return default
        return KnownPage(row[0], row[1], row[2], row[3], bool(row[4]))

    def __getitem__(self, url: str) -> KnownPage:
        page = self.get(url)
        if page is None:
            raise KeyError(url)
        return page

    def __contains__(self, url: str) -> bool:
        return self.db.execute("select 1 from known where url = ?", [url]).fetchone() is not None

    def __len__(self) -> int:
        return self.db.execute("select count(*) from known").fetchone()[0]

    def __bool__(self) -> bool:
        return self.db.execute("select 1 from known limit 1").fetchone() is not None


# Folders of the crawls' request queues (Scrapy's JOBDIR) in the temporary folder: this prefix,
# the crawl's process id, a dash.
JOB_DIR_PREFIX = "nianbao-crawl-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@contextmanager
def request_queue_dir():
    """A JOBDIR for one crawl, so that Scrapy keeps its queue of requests not yet made on disk
    (its pickled disk queues) rather than in memory, where a portal's lists put every report
    request before the reports are fetched (benchmarks/crawl_memory.py). The folder is removed
    when the crawl ends. A crawl killed with kill -9 leaves it behind: the next crawl removes the
    folders of crawls whose process is gone. Nothing in it is resumed: a crawl goes on from the
    archive's ledger (what is archived is not fetched again), as it always has."""
    temp = Path(tempfile.gettempdir())
    for left in temp.glob(JOB_DIR_PREFIX + "*"):
        pid = left.name[len(JOB_DIR_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and left.is_dir() and not _alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    folder = tempfile.mkdtemp(prefix=f"{JOB_DIR_PREFIX}{os.getpid()}-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
