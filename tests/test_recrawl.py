"""Scheduled re-crawls of the demo portal (ETag / Last-Modified served): only what is new or
changed is downloaded; a corrected report keeps its previous version; a vanished one keeps its
archived copy with gone_since; a crawl killed with SIGKILL is finished by running it again."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

import demo_portal
from demo_portal import server as demo_server

REPO = Path(__file__).resolve().parent.parent
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BLOCK_COOLDOWN=0"]
REPORT_PATHS = {r["path"] for r in demo_portal.REPORTS}
CORRECTED = "/hanweb/art/2021/1/28/art_1229000001_5001.html"
LATE = "/trs/zwgk/xxgknb/202003/t20200331_1001.html"      # answers 404 at first, then is published
VANISHING = "/vsb/info/1082/16404.htm"


def command(portal, db, *extra):
    return [sys.executable, "-m", "nianbao.cli", "crawl", *portal.homepages, "--db", str(db), *FAST, *extra]


def crawl(portal, db, *extra, status=0):
    result = subprocess.run(command(portal, db, *extra), cwd=REPO, capture_output=True, text=True, timeout=240,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == status, result.stderr[-3000:]
    return result


def report_downloads(portal) -> list[str]:
    """Report paths whose body the server sent (200), in order."""
    return [r.path for r in portal.requests if r.path in REPORT_PATHS and r.status == 200]


@pytest.fixture
def portal():
    server = demo_server.start()
    yield server
    server.stop()


def test_a_recrawl_downloads_only_what_is_new_or_changed(portal, tmp_path):
    db = tmp_path / "recrawl.db"
    portal.set_variant(LATE, "gone")
    crawl(portal, db)
    first = report_downloads(portal)
    archive = sqlite_utils.Database(db)
    assert archive["reports"].count == len(REPORT_PATHS) - 1
    old = archive.execute("select id, title, body, content_sha256 from reports where url = ?",
                          [portal.url(CORRECTED)]).fetchone()

    portal.requests.clear()
    portal.set_variant(LATE, None)
    portal.set_variant(CORRECTED, "corrected")
    result = crawl(portal, db)
    # unchanged reports were asked for conditionally and not downloaded again
    assert sorted(report_downloads(portal)) == sorted([LATE, CORRECTED])
    # … every request for an unchanged report was conditional (or, past a list page whose items
    # were all archived, not made at all)
    asked = [r for r in portal.requests if r.path in REPORT_PATHS - {LATE}]
    assert asked and all(r.conditional for r in asked)
    assert [r.status for r in asked if r.path != CORRECTED] == [304] * (len(asked) - 1)
    assert len(first) == len(REPORT_PATHS) - 1
    # the new report is found, the corrected one keeps its previous text
    assert archive["reports"].count == len(REPORT_PATHS)
    new = archive.execute("select id, body from reports where url = ?", [portal.url(CORRECTED)]).fetchone()
    assert new[0] == old[0] and demo_portal.CORRECTION_NOTE in new[1]
    assert archive.execute("select report_id, title, body, content_sha256 from revisions").fetchall() == [old]
    run = archive.execute("select new, changed, unchanged from crawl_runs order by id desc limit 1").fetchone()
    assert run[:2] == (1, 1) and run[2] >= len([r for r in asked if r.status == 304])
    assert "new=1, changed=1" in result.stderr


def test_a_vanished_report_keeps_its_copy_and_a_maintenance_page_does_not_replace_it(portal, tmp_path):
    db = tmp_path / "gone.db"
    crawl(portal, db)
    archive = sqlite_utils.Database(db)
    before = archive.execute("select title, body, section_count from reports where url = ?",
                             [portal.url(CORRECTED)]).fetchone()
    portal.set_variant(VANISHING, "gone")
    portal.set_variant(CORRECTED, "maintenance")
    crawl(portal, db)
    gone = archive.execute("select gone_since, body from reports where url = ?", [portal.url(VANISHING)]).fetchone()
    assert gone[0] is not None and len(gone[1]) > 500
    assert archive.execute("select url from vanished_reports").fetchall() == [(portal.url(VANISHING),)]
    assert archive.execute("select title, body, section_count from reports where url = ?",
                           [portal.url(CORRECTED)]).fetchone() == before
    assert archive.execute("select outcome from fetches where url = ?", [portal.url(CORRECTED)]).fetchone() == (
        "degraded",)
    portal.set_variant(VANISHING, None)
    crawl(portal, db)
    assert archive.execute("select gone_since from reports where url = ?", [portal.url(VANISHING)]).fetchone() == (
        None,)


def rows_of(db):
    conn = sqlite3.connect(db)
    out = {
        "reports": sorted(conn.execute("select url, title, year, issuer, published, body, section_count, "
                                       "content_sha256 from reports")),
        "sections": conn.execute("select count(*) from sections").fetchone()[0],
        "stats": conn.execute("select count(*) from stats").fetchone()[0],
        "fts": conn.execute("select count(*) from reports_fts").fetchone()[0],
        "integrity": conn.execute("pragma integrity_check").fetchone()[0],
        "orphan_reports": conn.execute("select count(*) from reports where response_id not in "
                                       "(select id from responses)").fetchone()[0],
    }
    conn.close()
    return out


def ledger_rows(db) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        n = conn.execute("select count(*) from responses").fetchone()[0]
        conn.close()
        return n
    except sqlite3.Error:
        return 0


def test_a_crawl_killed_with_sigkill_is_finished_by_running_it_again(portal, tmp_path):
    reference = tmp_path / "reference.db"
    crawl(portal, reference)
    expected = rows_of(reference)
    portal.requests.clear()

    db = tmp_path / "killed.db"
    slow = ["-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.05"]
    in_flight = []  # report bodies downloaded but not yet stored when a crawl was killed
    for kill_after in (8, 30):  # ledger rows written when the process is killed
        asked_before = len(portal.requests)
        process = subprocess.Popen(command(portal, db, *slow), cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = time.monotonic() + 120
        while ledger_rows(db) < kill_after and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the crawl ended before it could be killed"
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        process.send_signal(signal.SIGKILL)
        process.wait()
        # the report bodies this killed process downloaded (it asks for nothing more)
        downloaded = [r.path for r in portal.requests[asked_before:] if r.path in REPORT_PATHS and r.status == 200]
        assert rows_of(db)["integrity"] == "ok"
        conn = sqlite3.connect(db)
        stored = {url.removeprefix(portal.base_url) for (url,) in conn.execute(
            "select url from responses where status = 200 and body_sha256 is not null")}
        conn.close()
        # a page waiting for the parser at both kills was downloaded, and lost, twice
        in_flight += [path for path in downloaded if path not in stored]
        # and the crawl's parser worker does not outlive it
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{child}").exists() for child in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert children and not [c for c in children if Path(f"/proc/{c}").exists()]
    crawl(portal, db)
    got = rows_of(db)
    assert got == expected
    # nothing archived is fetched again: every report body was downloaded once over the three runs,
    # but for those a killed crawl had downloaded and not yet stored (pages waiting for the parser)
    downloads = report_downloads(portal)
    assert sorted(downloads) == sorted([*REPORT_PATHS, *in_flight])


def test_two_crawls_on_one_archive_do_not_race(portal, tmp_path):
    db = tmp_path / "two.db"
    slow = ["-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.1"]
    first = subprocess.Popen(command(portal, db, *slow), cwd=REPO, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 60
    while ledger_rows(db) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    second = crawl(portal, db, status=3)
    assert "another nianbao crawl" in second.stderr
    assert first.wait(timeout=240) == 0
    assert rows_of(db)["integrity"] == "ok"
