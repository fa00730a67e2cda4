"""A full disk: crawl, reparse and import-warc stop at the first failed write, say so in one line
(no space left on the device holding the archive), exit 3, and leave the archive as it was.

The disk is a real one: a tmpfs of a few MB mounted for the test (root, or CAP_SYS_ADMIN).
Where mounting is refused, SQLite's max_page_count makes the same SQLITE_FULL on the same
code path (the archive's connection is capped in the nianbao process the test runs).
"""
import base64
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.ingest import ingest
from archive.raw import RawResponse
from archive.store import ArchiveFull, open_archive
from scraper import settings
from tests.local_site import LocalSite, html

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
REPORT = (FILES / "reports" / "seed_qingtian.html").read_bytes()
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BLOCK_COOLDOWN=0",
        "-s", "RETRY_TIMES=0"]
DISK_MB = 8
# Runs the nianbao command with every archive connection capped at PAGES pages of 4 KiB (the
# fallback where no file system can be mounted): SQLite then fails writes with SQLITE_FULL.
CAPPED = """
import sys, sqlite_utils
import archive.store
PAGES = int(sys.argv.pop(1))

class Capped(sqlite_utils.Database):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conn.execute(f"PRAGMA max_page_count = {PAGES}")

archive.store.sqlite_utils = type("capped", (), {"Database": Capped})
from nianbao.cli import main
main()
"""


def mount_small_disk(where: Path) -> str | None:
    """Mount a DISK_MB tmpfs at WHERE; None when done, else why it cannot be."""
    where.mkdir()
    try:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(where)],
                                capture_output=True, text=True, timeout=30)
    except OSError as exc:
        return str(exc)
    return None if result.returncode == 0 else (result.stderr.strip() or f"mount exited {result.returncode}")


@pytest.fixture
def disk(tmp_path):
    """A small disk: (folder on it, command prefix that runs `nianbao` there)."""
    where = tmp_path / "disk"
    why_not = mount_small_disk(where)
    if why_not is None:
        yield where, [sys.executable, "-m", "nianbao.cli"]
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)
    else:
        # no mount here: the same SQLITE_FULL from a page cap (DISK_MB of 4 KiB pages)
        yield where, [sys.executable, "-c", CAPPED, str(DISK_MB * 256)]


def run(prefix, *args):
    return subprocess.run([*prefix, *args], cwd=REPO, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def incompressible(n: int, seed: int) -> bytes:
    return base64.b64encode(random.Random(seed).randbytes(n))


def big_report(n: int) -> bytes:
    """A report page carrying ~80 KB that zlib cannot shrink much (every page its own)."""
    return REPORT.replace(b"</body>", b"<!--" + incompressible(60_000, n) + b"--></body>")


def snapshot(path: Path) -> dict:
    """What the archive holds, table by table (a full disk must change none of it)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' "
                                             "and name not like 'reports_fts%' order by name")]
        return {t: hashlib.sha256(repr(sorted(map(repr, conn.execute(f"select * from [{t}]")))).encode()).hexdigest()
                for t in tables}
    finally:
        conn.close()


def assert_one_line_about_space(result, db):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 3, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "no transaction is active" not in result.stderr, result.stderr
    space = [line for line in lines if "no space left on the device holding the archive" in line]
    assert len(space) == 1 and str(db) in space[0], result.stderr
    return space[0]


def test_a_crawl_stops_fetching_at_the_first_failed_write(disk, tmp_path):
    where, nianbao = disk
    count = 200  # 200 pages of ~60 KB stored: more than the disk holds
    requested_at = []  # when each report page was asked for

    def report(n):
        def answer(path):
            requested_at.append(time.time())
            return html(big_report(n))
        return answer

    pages = {"/xxgknb/index.html": html(
        "<html><head><title>政府信息公开年报</title></head><body><div class='list'><ul>" + "".join(
            f'<li><a href="/r/{n}.html">青田县第{n}镇2019年政府信息公开工作年度报告</a><span>2020-01-20</span></li>'
            for n in range(count)) + "</ul></div></body></html>")}
    pages.update({f"/r/{n}.html": report(n) for n in range(count)})
    site = LocalSite(pages)
    log = tmp_path / "crawl.log"
    try:
        db = where / "archive.db"
        result = run(nianbao, "crawl", site.url("/xxgknb/index.html"), "--db", str(db), *FAST,
                     "-s", "NIANBAO_PARSE_WORKERS=0", "--log-file", str(log), "-s", "LOG_FORMAT=%(created)f %(message)s")
        line = assert_one_line_about_space(result, db)
        assert "free some space" in line.lower()
    finally:
        site.stop()
    conn = sqlite3.connect(db)
    stored = conn.execute("select count(*) from responses where route = 'report'").fetchone()[0]
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    # every stored report is whole: its body, ledger row and search row went in together
    assert conn.execute("select count(*) from reports where response_id not in (select id from responses) "
                        "or content_sha256 is null").fetchone()[0] == 0
    assert conn.execute("select count(*) from responses where body_sha256 is not null "
                        "and body_sha256 not in (select sha256 from bodies)").fetchone()[0] == 0
    conn.close()
    assert 0 < stored < count and len(requested_at) < count
    # it stopped fetching at the failed write: after it, only the requests already handed to the
    # downloader (at most CONCURRENT_REQUESTS) were made. (Pages downloaded before it and waiting
    # for the pipeline are not stored either: more were fetched than stored.)
    failed_at = min(float(entry.split(" ", 1)[0]) for entry in log.read_text().splitlines()
                    if "no space left on the device" in entry)
    after = [t for t in requested_at if t > failed_at]
    assert len(after) <= settings.CONCURRENT_REQUESTS < count - stored, (len(after), len(requested_at), stored)


FREE_BYTES = 96 * 1024  # left free on the full disk: the archive opens, the command's writes do not fit


@pytest.fixture
def filled_archive(disk):
    """An archive of two reports on the small disk, the rest of the disk taken by another file
    (what else is on a full disk) but FREE_BYTES; the prefix that runs nianbao there; and
    free_space(), which removes that file (what a person does next)."""
    where, nianbao = disk
    db = where / "archive.db"
    archive = open_archive(str(db))
    for n in range(2):
        ingest(archive, RawResponse(url=f"http://www.example.gov.cn/{n}.html", status=200,
                                    headers=[("Content-Type", "text/html")], body=wordy_report(n), route="report",
                                    portal_url="http://www.example.gov.cn/"))
    archive.close()
    other = where / "other-files"
    if os.path.ismount(where):
        with open(other, "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                filler.truncate(max(0, filler.tell() - FREE_BYTES))

    else:  # the page cap of the fallback: what the archive holds now
        pages = sqlite3.connect(db).execute("pragma page_count").fetchone()[0]
        nianbao = [*nianbao[:-1], str(pages)]

    def free_space():
        other.unlink(missing_ok=True)

    free_space.mounted = os.path.ismount(where)
    return db, nianbao, free_space


def wordy_report(n: int) -> bytes:
    """A report whose text itself is long (reparse rewrites its rows and search index)."""
    words = " ".join(incompressible(30_000, n).decode()[i:i + 12] for i in range(0, 40_000, 12))
    return REPORT.replace("</table>".encode(), f"</table><p>{words}</p>".encode(), 1)


def test_reparse_on_a_full_disk_is_one_line_exit_3_and_the_archive_unchanged(filled_archive):
    db, nianbao, free_space = filled_archive
    if not free_space.mounted:
        pytest.skip("no small file system can be mounted here, and a page cap cannot fill a reparse "
                    "(it rewrites rows of the same size into pages it frees)")
    before = snapshot(db)
    result = run(nianbao, "reparse", "--db", str(db), "--jobs", "1")
    assert_one_line_about_space(result, db)
    free_space()
    assert snapshot(db) == before


def test_import_warc_on_a_full_disk_is_one_line_exit_3_and_the_archive_unchanged(filled_archive, tmp_path):
    db, nianbao, free_space = filled_archive
    warc_source = open_archive(str(tmp_path / "source.db"))
    for n in range(2, 40):
        ingest(warc_source, RawResponse(url=f"http://www.example.gov.cn/{n}.html", status=200,
                                        headers=[("Content-Type", "text/html")], body=big_report(n),
                                        route="report", portal_url="http://www.example.gov.cn/"))
    warc_source.close()
    warc = tmp_path / "more.warc.gz"
    exported = run([sys.executable, "-m", "nianbao.cli"], "export-warc", "--db", str(tmp_path / "source.db"),
                   str(warc))
    assert exported.returncode == 0, exported.stderr
    before = snapshot(db)
    result = run(nianbao, "import-warc", str(warc), "--db", str(db))
    assert_one_line_about_space(result, db)
    free_space()
    assert snapshot(db) == before


def test_the_rollback_after_sqlite_rolled_back_itself_does_not_hide_the_first_error(tmp_path):
    """SQLITE_FULL rolls the transaction back inside SQLite; a second ROLLBACK raised
    'cannot rollback - no transaction is active' and the cause was lost."""
    archive = open_archive(str(tmp_path / "a.db"))
    pages = archive.conn.execute("pragma page_count").fetchone()[0]
    archive.conn.execute(f"PRAGMA max_page_count = {pages + 5}")
    with pytest.raises(ArchiveFull) as raised:
        ingest(archive, RawResponse(url="http://a/1.html", status=200, headers=[("Content-Type", "text/html")],
                                    body=big_report(1), route="report"))
    assert "no space left on the device holding the archive" in str(raised.value)
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    assert not archive.conn.in_transaction
    assert archive.conn.execute("select count(*) from responses").fetchone()[0] == 0
    archive.close()
