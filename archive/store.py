"""Writing to the archive: raw bodies, the ledger, reports and what derives from them.

Every write here runs inside the caller's transaction (``Archive.transaction``):
a report, its sections, stats, checks, figures, search row, raw body and ledger
row are committed together or not at all. Plain SQL on purpose: sqlite-utils'
``insert_all`` opens its own transaction/savepoint per call, which would commit a
half-stored report, and costs a third of a crawl's CPU at ~200 stats rows per
report.
"""
from __future__ import annotations

import json
import os
import sqlite3
import zlib
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from parsing import Report
from parsing.indicators import Panel, read_indicators

from .indicators import write_indicators
from .raw import now_iso
from .schema import FTS_TABLE, MIGRATIONS, VIEWS, ensure_schema, is_current
from .search import delete_from_index, index_text

CHILD_TABLES = ("sections", "stat_cells", "checks", "figures", "indicators")
ZLIB_LEVEL = 6


SQLITE_MAGIC = b"SQLite format 3\x00"
# nianbao's mark in the SQLite header (PRAGMA application_id, bytes 68-71): "NBao". Every archive
# nianbao creates or upgrades carries it; a database with another mark, or none and not
# nianbao's tables, is someone else's and is never written to.
APPLICATION_ID = 0x4E42616F
# An archive made before the mark and before schema_migrations (tests/files/archive_v1.db):
# recognised by its tables and some of their columns, not by one table name.
FIRST_SCHEMA = {
    "portals": {"url", "name", "province", "county"},
    "reports": {"url", "title", "year", "issuer", "published", "template", "body", "portal_id"},
    "sections": {"report_id", "number", "heading", "kind", "text"},
    "checks": {"report_id", "check", "ok", "expected", "actual"},
    "fetches": {"url", "portal_url", "outcome", "reason", "http_status"},
}
# What recognise() finds at a path.
NEW, CURRENT, PREVIOUS = "new", "current", "previous"


class ArchiveError(Exception):
    """The archive cannot be opened or written. str() is one line saying what to do (the CLI's exit 3)."""


class NotAnArchive(ArchiveError):
    """The file is not a nianbao archive; it is left as it was."""


class ArchiveDamaged(ArchiveError):
    """The archive's pages are damaged (SQLite's quick_check or a read found it); nothing is written."""

    def __init__(self, path: str, detail: str):
        self.path, self.detail = path, detail
        super().__init__(
            f"the archive {path} is damaged ({detail}); nothing was written to it. Copy what it still holds "
            f"into a new archive with: sqlite3 {path} \".recover\" | sqlite3 recovered.db, then use --db "
            f"recovered.db (the sqlite3 of sqlite.org's sqlite-tools has .recover; Debian's and Ubuntu's lack it)")


class ArchiveFull(ArchiveError):
    """No space left on the device holding the archive: the write that failed was rolled back."""

    def __init__(self, path: str):
        self.path = path
        where = Path(path).resolve().parent
        try:
            stat = os.statvfs(where)
            free = f", {stat.f_bavail * stat.f_frsize / 1e6:.1f} MB free"
        except OSError:
            free = ""
        super().__init__(
            f"no space left on the device holding the archive {path} (mounted at {mount_point(where)}{free}); "
            f"the write that failed was rolled back, nothing is half-written. Free some space there "
            f"(or move the archive to a larger disk) and run the command again")


class ArchiveErrors(list):
    """Where the crawl pipeline puts the ArchiveError that stopped it, for `nianbao crawl` to report
    (setting NIANBAO_ARCHIVE_ERRORS). Scrapy deep-copies its settings: this list is not copied."""

    def __deepcopy__(self, memo):
        return self


def mount_point(path: Path) -> Path:
    """The mount point of the file system holding PATH (named in a disk-full message)."""
    path = path.resolve()
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def storage_error(exc: sqlite3.Error, path: str) -> ArchiveError | None:
    """What an SQLite error says about the archive's storage (full, damaged), else None."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if code is not None else None
    if primary == sqlite3.SQLITE_FULL:
        return ArchiveFull(path)
    if primary == sqlite3.SQLITE_IOERR and path != ":memory:" and _device_is_full(path):
        # a write refused by the file system for want of space is sometimes reported as an I/O error
        return ArchiveFull(path)
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return ArchiveDamaged(path, str(exc))
    return None


def _device_is_full(path: str) -> bool:
    try:
        stat = os.statvfs(Path(path).resolve().parent)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < 1 << 20


def recognise(path: str) -> str:
    """NEW (nothing there yet), CURRENT (carries nianbao's mark) or PREVIOUS (made by an older
    nianbao, before the mark); raises NotAnArchive for anything else, ArchiveDamaged when its
    schema cannot be read. Reads without writing (mode=ro)."""
    p = Path(path)
    if path == ":memory:" or not p.exists() or (p.is_file() and p.stat().st_size == 0):
        return NEW
    if not p.is_file():
        raise NotAnArchive(f"cannot open the archive {path}: it is not a file")
    try:
        with p.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise NotAnArchive(f"cannot open the archive {path}: {exc.strerror or exc}") from None
    if not header.startswith(SQLITE_MAGIC):
        raise NotAnArchive(f"cannot open the archive {path}: it is not a nianbao archive (not an SQLite "
                           f"database); give a new --db path")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id == APPLICATION_ID:
        return CURRENT
    if application_id:
        raise NotAnArchive(f"cannot open the archive {path}: it is not a nianbao archive (another "
                           f"application's database, application_id {application_id:#x}); give a new --db path")
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
        try:
            columns = {name: {row[1] for row in conn.execute("select * from pragma_table_info(?)", [name])}
                       for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
            applied = set()
            if "name" in columns.get("schema_migrations", ()):
                applied = {row[0] for row in conn.execute("select name from schema_migrations")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problem = storage_error(exc, path)  # damaged; or a full disk (a reader of a WAL file needs its -shm)
        if problem is not None:
            raise problem from None
        raise NotAnArchive(f"cannot open the archive {path}: {exc}") from None
    if applied & {name for name, _ in MIGRATIONS}:
        return PREVIOUS
    if all(needed <= columns.get(table, set()) for table, needed in FIRST_SCHEMA.items()):
        return PREVIOUS
    raise NotAnArchive(f"cannot open the archive {path}: it is not a nianbao archive (an SQLite database "
                       f"without nianbao's mark or tables); give a new --db path")


def check_intact(conn: sqlite3.Connection, path: str) -> None:
    """Raise ArchiveDamaged when SQLite's quick_check finds damaged pages (it reads every page:
    about a second per GB, see docs/archive-safety.md)."""
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ArchiveDamaged(path, str(exc)) from None
    if rows != [("ok",)]:
        raise ArchiveDamaged(path, "; ".join(row[0] for row in rows))


def _schema_is_current(db: sqlite_utils.Database) -> bool:
    """True when ensure_schema would change nothing (it rewrites the views on every run: a write)."""
    if db.journal_mode != "wal" or not is_current(db):
        return False
    stored = dict(db.execute("select name, sql from sqlite_master where type = 'view'").fetchall())
    return all(name in stored and stored[name].rstrip().endswith(sql.rstrip()) for name, sql in VIEWS.items())


def open_archive(path: str, verify: bool = True) -> "Archive":
    """Open (creating if needed) an archive and bring its schema up to date.

    A file that is not a nianbao archive is refused (NotAnArchive) and left as it was. With
    ``verify``, an existing archive is checked for damaged pages first (ArchiveDamaged, nothing
    written). A full disk is ArchiveFull. Opening an up-to-date archive writes nothing."""
    kind = recognise(path)
    db = sqlite_utils.Database(path) if path != ":memory:" else sqlite_utils.Database(memory=True)
    try:
        # A crawl and `nianbao serve` may share the file: wait for a lock rather than fail.
        db.execute("PRAGMA busy_timeout = 30000")
        # In WAL mode, NORMAL keeps the file intact after kill -9 or a crash (a power loss can lose the
        # last commits, never corrupt); FULL would fsync every report's transaction (8% of a crawl).
        db.execute("PRAGMA synchronous = NORMAL")
        # Autocommit outside explicit transactions: Archive.transaction() is the only unit of work.
        db.conn.isolation_level = None
        if verify and kind != NEW:
            check_intact(db.conn, path)
        if kind != CURRENT:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if _schema_is_current(db):
            db.execute("PRAGMA foreign_keys = ON")
        else:
            ensure_schema(db)
    except sqlite3.Error as exc:
        db.close()
        problem = storage_error(exc, path)
        if problem is not None:
            raise problem from None
        raise
    except BaseException:
        db.close()
        raise
    return Archive(db, path)


def open_archive_read_only(path: str) -> "Archive":
    """An archive to read from (export): nothing is created, upgraded or written."""
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    return Archive(sqlite_utils.Database(conn), path)


class Archive:
    """One archive database and the writes nianbao makes to it."""

    def __init__(self, db: sqlite_utils.Database, path: str = ":memory:"):
        self.db = db
        self.path = path
        self.conn: sqlite3.Connection = db.conn
        self._portal_ids: dict[str, int] = {}
        self._label_ids: dict[tuple[str, str], int] = {}

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on any exception). A full disk raises ArchiveFull,
        damaged pages ArchiveDamaged (the SQLite error is their cause)."""
        if self.conn.in_transaction:  # nested: the outer transaction commits
            yield
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                problem = storage_error(exc, self.path)
                if problem is not None:
                    raise problem from exc
            raise

    def _rollback(self) -> None:
        # After SQLITE_FULL or an I/O error SQLite has often rolled the transaction back itself:
        # a second ROLLBACK would raise "no transaction is active" and hide the first error.
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the first error is the one to report; SQLite rolls back on the next open
        # ids handed out in the rolled-back transaction are gone
        self._label_ids.clear()
        self._portal_ids.clear()

    # --- portals --------------------------------------------------------------------------
    def portal_id(self, url: str | None, **fields) -> int | None:
        """The portal's id, creating its row; ``fields`` (name, province, …) update it."""
        if not url:
            return None
        values = {k: v for k, v in fields.items() if v not in (None, "")}
        cached = self._portal_ids.get(url)
        if cached is not None and not values:
            return cached
        row = self.conn.execute("select id from portals where url = ?", [url]).fetchone()
        if row is None:
            cur = self.conn.execute("insert into portals (url, first_seen) values (?, ?)", [url, now_iso()])
            portal_id = cur.lastrowid
        else:
            portal_id = row[0]
        if values:
            sets = ", ".join(f"[{k}] = ?" for k in values)
            self.conn.execute(f"update portals set {sets} where id = ?", [*values.values(), portal_id])
        self._portal_ids[url] = portal_id
        return portal_id

    def portal_place(self, portal_id: int | None) -> tuple[str | None, str | None, str | None]:
        if portal_id is None:
            return (None, None, None)
        row = self.conn.execute("select province, city, county from portals where id = ?", [portal_id]).fetchone()
        return tuple(row) if row else (None, None, None)

    def portal_codes(self, portal_id: int | None) -> dict | None:
        """What places a portal: the CSV's code and names, the 标识码 its pages print, and the
        division nianbao read from them (archive.ingest.portal_division)."""
        if portal_id is None:
            return None
        row = self.conn.execute("select code, site_id, province, city, county, division_code from portals "
                                "where id = ?", [portal_id]).fetchone()
        return dict(zip(("code", "site_id", "province", "city", "county", "division_code"), row)) if row else None

    def set_portal_fields(self, portal_id: int, **fields) -> None:
        sets = ", ".join(f"[{k}] = ?" for k in fields)
        self.conn.execute(f"update portals set {sets} where id = ?", [*fields.values(), portal_id])

    def gazetteer(self, reload: bool = False):
        """The archive's divisions (registry and demo rows), read once per Archive (again after
        rows were added: ``reload``)."""
        if reload or getattr(self, "_gazetteer", None) is None:
            from .divisions import Gazetteer

            self._gazetteer = Gazetteer.from_db(self.conn)
        return self._gazetteer

    # --- raw bodies -----------------------------------------------------------------------
    def put_body(self, body: bytes, sha256: str) -> None:
        """Store ``body`` once under its SHA-256 (compressed when that helps)."""
        if self.conn.execute("select 1 from bodies where sha256 = ?", [sha256]).fetchone():
            return
        packed = zlib.compress(body, ZLIB_LEVEL)
        compression = "zlib"
        if len(packed) >= len(body):
            packed, compression = body, "none"
        self.conn.execute("insert into bodies (sha256, size, stored_size, compression, data) values (?, ?, ?, ?, ?)",
                          [sha256, len(body), len(packed), compression, packed])

    def get_body(self, sha256: str) -> bytes | None:
        row = self.conn.execute("select compression, data from bodies where sha256 = ?", [sha256]).fetchone()
        if row is None:
            return None
        compression, data = row
        return zlib.decompress(data) if compression == "zlib" else bytes(data)

    # --- the ledger -----------------------------------------------------------------------
    def record_response(self, *, url: str, outcome: str, run_id: int | None = None, portal_id: int | None = None,
                        final_url: str | None = None, method: str = "GET", status: int | None = None,
                        headers: list[tuple[str, str]] | None = None, body_sha256: str | None = None,
                        fetched_at: str | None = None, route: str | None = None, reason: str | None = None,
                        title: str | None = None, report_id: int | None = None,
                        parent_url: str | None = None, link_date: str | None = None,
                        request_body: bytes | None = None) -> int:
        """Append one ledger row; returns its id."""
        cur = self.conn.execute(
            "insert into responses (run_id, portal_id, url, final_url, method, status, headers, body_sha256,"
            " fetched_at, route, outcome, reason, title, report_id, parent_url, link_date, request_body)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, portal_id, url, final_url or url, method, status,
             json.dumps(headers, ensure_ascii=False) if headers is not None else None, body_sha256,
             fetched_at or now_iso(), route, outcome, reason, title, report_id, parent_url, link_date,
             request_body])
        return cur.lastrowid

    # --- reports --------------------------------------------------------------------------
    def report_state(self, url: str) -> dict | None:
        """What the archive holds for report ``url`` (None when unknown)."""
        cur = self.conn.execute(
            "select id, title, body, content_sha256, section_count, fetched_at, response_id, gone_since, attachment_url"
            " from reports where url = ?", [url])
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row))

    def write_report(self, report: Report, *, url: str, report_id: int | None = None, new_id: int | None = None,
                     indexed: tuple[str, str] | None = None, panel: Panel | None = None, **meta) -> int:
        """Insert or replace the derived rows of one report (typed: a parsing.Report).

        ``report_id``: the row to replace; else a new row (with id ``new_id`` when given).
        ``indexed``: (title, body) as archive.search.index_text made them, when a parser
        worker already did (it costs ~2.6 ms a report: better spent off the storing process).
        ``panel``: parsing.indicators.read_indicators of the report, when a worker already read it (~2 ms).
        ``meta``: fetched_at, portal_id, portal_url, http_status, content_sha256, response_id,
        parser_version, attachment_url, attachment_sha256, province, city, county, level.
        """
        contact = report.contact
        # the panel (archive/indicators.py): its disagreements are failed checks too
        if panel is None:
            panel = read_indicators(report.stats, report.body, report.figures)
        row = {
            "url": url, "title": report.title, "year": report.year, "issuer": report.issuer,
            "published": report.published, "template": report.template, "body": report.body,
            "address": contact.address, "postcode": contact.postcode,
            "phones": json.dumps(list(contact.phones), ensure_ascii=False),
            "fax": json.dumps(list(contact.fax), ensure_ascii=False),
            "email": contact.email, "encoding": report.encoding,
            "section_count": len(report.sections),
            "tables_missing": json.dumps(list(report.tables_missing)),
            "checks_failed": sum(1 for c in report.checks if not c.ok) + len(panel.disagreements),
            "warnings": json.dumps(list(report.warnings), ensure_ascii=False),
            "image_only": int(report.image_only),
            # the pictures an image-only report (图片版) is made of; nianbao does no OCR
            "images": json.dumps(list(report.images), ensure_ascii=False) if report.image_only else None,
            "gone_since": None,
            **meta,
        }
        if report_id is None:
            if new_id is not None:
                row["id"] = new_id
            columns = ", ".join(f"[{k}]" for k in row)
            marks = ", ".join("?" for _ in row)
            report_id = self.conn.execute(f"insert into reports ({columns}) values ({marks})",
                                          list(row.values())).lastrowid
        else:
            delete_from_index(self.conn, "id = ?", [report_id])  # before the row changes: needs its old text
            sets = ", ".join(f"[{k}] = ?" for k in row)
            self.conn.execute(f"update reports set {sets} where id = ?", [*row.values(), report_id])
            for table in CHILD_TABLES:
                self.conn.execute(f"delete from [{table}] where report_id = ?", [report_id])
        self.conn.executemany(
            "insert into sections (report_id, number, heading, kind, text) values (?, ?, ?, ?, ?)",
            [(report_id, s.number, s.heading, s.kind, s.text) for s in report.sections])
        self.conn.executemany(
            "insert or replace into stat_cells (report_id, table_no, row_key, column_key, label_id, value, unit,"
            " blank, position) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(report_id, c.table, c.row_key, c.column_key, self.label_id(c.row, c.column), c.value, c.unit,
              int(c.blank), position) for position, c in enumerate(report.stats)])
        self.conn.executemany(
            "insert or replace into checks (report_id, [check], ok, expected, actual) values (?, ?, ?, ?, ?)",
            [(report_id, c.check, int(c.ok), c.expected, c.actual) for c in report.checks])
        self.conn.executemany(
            "insert or replace into figures (report_id, name, value, unit, sentence) values (?, ?, ?, ?, ?)",
            [(report_id, f.name, f.value, f.unit, f.sentence) for f in report.figures])
        write_indicators(self.conn, report_id, panel, year=row["year"], level=row.get("level"),
                         division_code=row.get("division_code"))
        self.conn.execute(f"insert into [{FTS_TABLE}] (rowid, title, body) values (?, ?, ?)",
                          [report_id, *(indexed or (index_text(report.title), index_text(report.body)))])
        return report_id

    def label_id(self, row_label: str, column_label: str) -> int:
        """The id of a pair of statistics labels as written (stored once for every report)."""
        key = (row_label, column_label)
        found = self._label_ids.get(key)
        if found is None:
            self.conn.execute("insert or ignore into stat_labels (row_label, column_label) values (?, ?)", key)
            found = self.conn.execute("select id from stat_labels where row_label = ? and column_label = ?",
                                      key).fetchone()[0]
            self._label_ids[key] = found
        return found

    def keep_revision(self, report_id: int, state: dict, replaced_at: str) -> None:
        """The report as it was before new bytes replaced it."""
        url = self.conn.execute("select url from reports where id = ?", [report_id]).fetchone()[0]
        self.conn.execute(
            "insert into revisions (report_id, url, fetched_at, content_sha256, title, body, response_id, replaced_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?)",
            [report_id, url, state["fetched_at"], state["content_sha256"], state["title"], state["body"],
             state["response_id"], replaced_at])

    def set_report_fields(self, report_id: int, **fields) -> None:
        sets = ", ".join(f"[{k}] = ?" for k in fields)
        self.conn.execute(f"update reports set {sets} where id = ?", [*fields.values(), report_id])

    # --- runs -----------------------------------------------------------------------------
    def start_run(self, start_urls: list[str], pid: int) -> int:
        with self.transaction():
            return self.conn.execute("insert into crawl_runs (started, start_urls, pid) values (?, ?, ?)",
                                     [now_iso(), json.dumps(start_urls, ensure_ascii=False), pid]).lastrowid

    def finish_run(self, run_id: int, counts: dict[str, int], exit_status: int) -> None:
        fields = {k: counts.get(k, 0) for k in ("new", "changed", "unchanged", "failed", "blocked", "skipped",
                                                  "requests")}
        sets = ", ".join(f"[{k}] = ?" for k in fields)
        with self.transaction():
            self.conn.execute(f"update crawl_runs set finished = ?, exit_status = ?, {sets} where id = ?",
                              [now_iso(), exit_status, *fields.values(), run_id])


class ArchiveLocked(ArchiveError):
    """Another nianbao process is writing to this archive."""


def lock_archive(path: str):
    """Take the archive's writer lock (an flock on the database file itself; no lock
    file to leave behind, and the kernel releases it when the process dies, kill -9
    included). Returns the open file that holds the lock; raises ArchiveLocked."""
    import fcntl

    if path == ":memory:":
        return None
    handle = open(path, "rb")  # read-only: flock needs a descriptor, not write access
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ArchiveLocked(f"another nianbao crawl or reparse is writing to {path}; wait for it to finish "
                            f"or use another --db") from None
    return handle


# Outcomes after which a URL's last response was a good page (a report or a page the parser read).
GOOD_OUTCOMES = ("stored", "changed", "unchanged", "not_modified", "image_only", "not_report", "attachment_only")


def known_pages(archive: Archive):
    """(url, fetched_at, etag, last_modified, is_report) for every report/attachment URL whose
    last good response the archive holds: what a re-crawl may ask for conditionally, or skip."""
    rows = archive.conn.execute(f"""
        select url, max(fetched_at) as fetched_at,
               (select headers from responses r2 where r2.url = responses.url and r2.status = 200
                  and r2.body_sha256 is not null order by r2.id desc limit 1) as headers,
               exists(select 1 from reports where reports.url = responses.url) as is_report
        from responses
        where route in ('report', 'attachment', 'start')
          and outcome in ({", ".join("?" for _ in GOOD_OUTCOMES)})
        group by url
    """, GOOD_OUTCOMES)
    for url, fetched_at, headers, is_report in rows:
        etag = last_modified = None
        for name, value in json.loads(headers) if headers else []:
            if name.lower() == "etag":
                etag = value
            elif name.lower() == "last-modified":
                last_modified = value
        yield url, fetched_at, etag, last_modified, bool(is_report)


def read_only_uri(path: str | Path) -> str:
    """An SQLite URI that opens PATH read-only: immutable (nothing created or changed) unless a
    writer has pages in its -wal file, which immutable would not see (a crawl's newest reports,
    or the whole schema of an archive created by a crawl still running)."""
    uri = Path(path).resolve().as_uri()
    return uri + ("?mode=ro" if being_written(path) else "?immutable=1")


def being_written(path: str | Path) -> bool:
    """True while a writer has the archive open in WAL mode with uncheckpointed pages."""
    wal = Path(str(path) + "-wal")
    return wal.exists() and wal.stat().st_size > 0
