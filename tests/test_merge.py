"""nianbao merge: archives crawled on several machines (or in several years) brought into one.

The demo portal is crawled once whole and once split in two (three portals per machine);
the two halves merged equal the whole crawl row for row (ids and times aside). Smaller
archives made through the one ingest path check the rules of a report fetched on two
machines, and a real kill -9 checks that a merge is finished by running it again."""
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.ingest import ingest
from archive.raw import RawResponse
from archive.reparse import reparse_archive
from archive.search import fts_query
from archive.store import lock_archive, open_archive
from demo_portal import server as demo_server
from nianbao.cli import cli

REPO = Path(__file__).resolve().parent.parent
FILES = Path(__file__).parent / "files"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NIANBAO_BLOCK_COOLDOWN=0"]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
# Columns that are an archive's own (ids, when a row was written), not what it holds.
OWN_COLUMNS = {"id", "report_id", "response_id", "portal_id", "run_id", "label_id", "fetched_at", "replaced_at",
               "first_seen", "last_crawled"}
SEARCHES = ("公开", "行政复议", "依申请公开", "县", "2020", "财政", "图片版", "邮编")


# --- what an archive holds, without its ids and times ------------------------------------------
def columns(conn, table):
    return [row[1] for row in conn.execute(f"pragma table_info([{table}])") if row[1] not in OWN_COLUMNS]


def without_date(headers):
    """A ledger row's headers without the server's Date (the time of that machine's fetch)."""
    return json.dumps([h for h in json.loads(headers) if h[0].lower() != "date"]) if headers else headers


def holdings(path) -> dict:
    """Every report, section, statistics cell, check, figure, revision, portal, ledger row and body,
    and what search finds, as whole rows keyed by URL instead of ids."""
    conn = sqlite3.connect(path)
    out = {}
    report = columns(conn, "reports")
    out["reports"] = sorted(conn.execute(
        f"select {', '.join(f'r.[{c}]' for c in report)}, p.url from reports r left join portals p on p.id = r.portal_id"))
    for table in ("sections", "stats", "checks", "figures", "revisions"):
        cols = columns(conn, table)
        out[table] = sorted(conn.execute(f"select r.url, {', '.join(f't.[{c}]' for c in cols)} from [{table}] t "
                                         "join reports r on r.id = t.report_id"), key=repr)
    out["portals"] = sorted(conn.execute(f"select {', '.join(columns(conn, 'portals'))} from portals"), key=repr)
    ledger = columns(conn, "responses")
    at = ledger.index("headers")
    out["responses"] = sorted((tuple(without_date(v) if i == at else v for i, v in enumerate(row))
                               for row in conn.execute(f"select {', '.join(ledger)} from responses")), key=repr)
    out["response_reports"] = sorted(conn.execute(
        "select responses.url, responses.outcome, reports.url from responses join reports on reports.id = responses.report_id"))
    out["bodies"] = sorted(conn.execute("select sha256, size, compression from bodies"))
    out["search"] = {term: sorted(conn.execute("select r.url from reports_fts f join reports r on r.id = f.rowid "
                                               "where reports_fts match ?", [fts_query(term)]))
                     for term in SEARCHES}
    out["integrity"] = conn.execute("pragma integrity_check").fetchone()[0]
    conn.close()
    return out


def whole_tables(path) -> dict:
    """Every row of every table, ids included (merging again must change nothing at all)."""
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' "
                                        "and name not like 'reports_fts%' and name != 'schema_migrations'")]
    out = {name: sorted(conn.execute(f"select * from [{name}]"), key=repr) for name in names}
    conn.close()
    return out


def merge(*args):
    return CliRunner().invoke(cli, ["merge", *map(str, args)])


def crawl(homepages, db):
    result = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", *homepages, "--db", str(db), *FAST],
                            cwd=REPO, capture_output=True, text=True, timeout=240, env=ENV)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The demo portal crawled on 'one machine' (whole.db) and on 'two' (half_a.db: three portals,
    half_b.db: the other three), from the same server."""
    folder = tmp_path_factory.mktemp("crawls")
    server = demo_server.start()
    try:
        homepages = server.homepages
        assert len(homepages) == 6
        crawl(homepages, folder / "whole.db")
        crawl(homepages[:3], folder / "half_a.db")
        crawl(homepages[3:], folder / "half_b.db")
    finally:
        server.stop()
    return folder


def test_two_machines_merged_equal_one_machine(crawled, tmp_path):
    a, b, whole = crawled / "half_a.db", crawled / "half_b.db", crawled / "whole.db"
    result = merge(a, b, "--into", tmp_path / "merged.db")
    assert result.exit_code == 0, result.output
    expected = holdings(whole)
    got = holdings(tmp_path / "merged.db")
    assert expected["reports"] and expected["stats"] and expected["sections"] and expected["search"]["行政复议"]
    for part in expected:
        assert got[part] == expected[part], part
    # each half brought its own reports, nothing was already there
    halves = [sqlite3.connect(p).execute("select count(*), (select count(*) from responses), "
                                         "(select count(*) from bodies) from reports").fetchone() for p in (a, b)]
    for path, (reports, responses, bodies) in zip((a, b), halves):
        assert (f"merged {path}: responses {responses} new / 0 already there, bodies {bodies} new / 0 already there, "
                f"reports {reports} new / 0 already there") in result.output
    assert f"the archive holds {len(expected['reports'])} reports" in result.output
    # the sources were only read
    assert holdings(a)["integrity"] == "ok" and not Path(str(a) + "-wal").exists()


def test_the_order_of_the_sources_does_not_matter(crawled, tmp_path):
    assert merge(crawled / "half_b.db", crawled / "half_a.db", "--into", tmp_path / "ba.db").exit_code == 0
    assert holdings(tmp_path / "ba.db") == holdings(crawled / "whole.db")


def test_merging_the_same_archives_again_adds_nothing(crawled, tmp_path):
    into = tmp_path / "merged.db"
    assert merge(crawled / "half_a.db", crawled / "half_b.db", "--into", into).exit_code == 0
    before = whole_tables(into)
    again = merge(crawled / "half_b.db", crawled / "half_a.db", crawled / "half_a.db", "--into", into)
    assert again.exit_code == 0, again.output
    assert whole_tables(into) == before
    responses, bodies, reports = sqlite3.connect(crawled / "half_a.db").execute(
        "select (select count(*) from responses), (select count(*) from bodies), count(*) from reports").fetchone()
    assert (f"merged {crawled / 'half_a.db'}: responses 0 new / {responses} already there, bodies 0 new / {bodies} "
            f"already there, reports 0 new / {reports} already there (0 updated)") in again.output
    # an archive merged into a copy of itself is already there too
    copy = tmp_path / "copy.db"
    shutil.copy(crawled / "whole.db", copy)
    before = whole_tables(copy)
    assert merge(crawled / "whole.db", "--into", copy).exit_code == 0
    assert whole_tables(copy) == before


# --- refused: not an archive, a newer nianbao's, one being written ---------------------------------
def file_state(path: Path):
    """The file's bytes and the files beside it (no -wal or -shm may appear)."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in path.parent.iterdir())


def newer_archive(crawled, folder, change):
    path = folder / "newer.db"
    shutil.copy(crawled / "half_a.db", path)
    conn = sqlite3.connect(path)
    conn.execute(change)
    conn.commit()
    conn.execute("pragma journal_mode = delete")
    conn.close()
    return path


@pytest.mark.parametrize("kind, message", [
    ("text", "not a nianbao archive; nothing merged"),
    ("sqlite", "not a nianbao archive; nothing merged"),
    ("migration", "made by a newer nianbao than this one; upgrade nianbao to merge it (data migration '2099-01-"),
    ("column", "made by a newer nianbao than this one; upgrade nianbao to merge it (column reports.sentiment"),
    ("table", "made by a newer nianbao than this one; upgrade nianbao to merge it (table 'report_topics'"),
])
def test_a_file_that_is_not_an_archive_this_nianbao_can_merge_is_refused(crawled, tmp_path, kind, message):
    folder = tmp_path / "their"
    folder.mkdir()
    if kind == "text":
        foreign = folder / "notes.db"
        foreign.write_text("年报 notes, not a database\n" * 50)
    elif kind == "sqlite":
        foreign = folder / "shop.db"
        conn = sqlite3.connect(foreign)
        conn.execute("create table orders (id integer primary key, item text)")
        conn.execute("insert into orders (item) values ('tea')")
        conn.commit()
        conn.close()
    else:
        foreign = newer_archive(crawled, folder, {
            "migration": "insert into schema_migrations values ('2099-01-reports-by-topic', '2099-01-01')",
            "column": "alter table reports add column sentiment text",
            "table": "create table report_topics (report_id integer, topic text)"}[kind])
    before = file_state(foreign)
    into = tmp_path / "merged.db"
    # with a good archive first: nothing is merged when one source is refused
    result = merge(crawled / "half_b.db", foreign, "--into", into)
    assert result.exit_code == 3
    assert result.output.count("\n") == 1 and result.output.startswith(f"nianbao: {foreign}: ")
    assert message in result.output
    assert file_state(foreign) == before
    assert not into.exists()


def test_an_archive_being_written_is_refused_until_the_writer_is_done(crawled, tmp_path):
    source = tmp_path / "busy.db"
    shutil.copy(crawled / "half_a.db", source)
    lock = lock_archive(str(source))  # what a crawl, reparse or import holds while it writes
    result = merge(source, "--into", tmp_path / "merged.db")
    assert result.exit_code == 3 and "another nianbao crawl, reparse or import is writing to it" in result.output
    lock.close()
    assert merge(source, "--into", tmp_path / "merged.db").exit_code == 0


def test_an_archive_cannot_be_merged_into_itself(crawled, tmp_path):
    path = tmp_path / "self.db"
    shutil.copy(crawled / "half_a.db", path)
    result = merge(path, "--into", path)
    assert result.exit_code == 2 and "is one of the archives to merge" in result.output


# --- one report fetched on two machines -----------------------------------------------------------
URL = "http://www.qingtian.gov.cn/art/2020/1/20/art_1229425866_3896712.html"
PORTAL = "http://www.qingtian.gov.cn/"
HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGE = (FILES / "reports" / "seed_qingtian.html").read_bytes()
CORRECTED = PAGE.replace("323900".encode(), "323999".encode())
OTHER = ["036.html", "050.html", "010.html"]


def fetched(body, when, status=200, url=URL):
    return RawResponse(url=url, status=status, headers=HTML, body=body, route="report", portal_url=PORTAL,
                       fetched_at=when)


def machine(path, *responses):
    """An archive that fetched RESPONSES, in that order, through the one ingest path."""
    archive = open_archive(str(path))
    for raw in responses:
        ingest(archive, raw)
    archive.close()
    return path


def report(path, url=URL):
    conn = sqlite3.connect(path)
    row = conn.execute("select postcode, content_sha256, gone_since from reports where url = ?", [url]).fetchone()
    revisions = conn.execute("select content_sha256, fetched_at from revisions").fetchall()
    conn.close()
    return row, revisions


def sha(body):
    return hashlib.sha256(body).hexdigest()


def ledger_in_fetch_order(path) -> bool:
    conn = sqlite3.connect(path)
    times = [t for (t,) in conn.execute("select fetched_at from responses where url = ? order by id", [URL])]
    conn.close()
    return times == sorted(times)


@pytest.mark.parametrize("older_first", [True, False])
def test_the_newest_good_version_is_the_report_and_the_other_a_revision(tmp_path, older_first):
    older = machine(tmp_path / "older.db", fetched(PAGE, "2025-03-01T08:00:00+00:00"),
                    *(fetched((FILES / "reports" / name).read_bytes(), "2025-03-01T09:00:00+00:00",
                              url=f"{PORTAL}{name}") for name in OTHER))
    newer = machine(tmp_path / "newer.db", fetched(CORRECTED, "2026-03-01T08:00:00+00:00"))
    into = tmp_path / "merged.db"
    sources = (older, newer) if older_first else (newer, older)
    result = merge(*sources, "--into", into)
    assert result.exit_code == 0, result.output
    (postcode, content, gone), revisions = report(into)
    assert (postcode, content) == ("323999", sha(CORRECTED))
    assert revisions == [(sha(PAGE), "2025-03-01T08:00:00+00:00")]
    # the ledger keeps every URL's fetches in fetch order, so a reparse replays them as the merge did
    assert ledger_in_fetch_order(into)
    before = holdings(into)
    archive = open_archive(str(into))
    reparse_archive(archive, jobs=1)
    archive.close()
    assert holdings(into) == before


def test_the_same_text_in_other_bytes_is_no_revision(tmp_path):
    visited = PAGE.replace(b"</body>", b"<!-- visits: 1024 --></body>")
    assert visited != PAGE
    a = machine(tmp_path / "a.db", fetched(PAGE, "2025-03-01T08:00:00+00:00"))
    b = machine(tmp_path / "b.db", fetched(visited, "2026-03-01T08:00:00+00:00"))
    assert merge(b, a, "--into", tmp_path / "merged.db").exit_code == 0
    (postcode, content, gone), revisions = report(tmp_path / "merged.db")
    assert postcode == "323900" and revisions == []


def test_a_worse_page_fetched_later_elsewhere_does_not_replace_the_report(tmp_path):
    maintenance = (FILES / "pages" / "signals" / "maintenance.html").read_bytes()
    a = machine(tmp_path / "a.db", fetched(CORRECTED, "2025-03-01T08:00:00+00:00"))
    b = machine(tmp_path / "b.db", fetched(PAGE, "2025-01-01T08:00:00+00:00"),
                fetched(maintenance, "2026-03-01T08:00:00+00:00"))
    assert merge(a, b, "--into", tmp_path / "merged.db").exit_code == 0
    (postcode, content, gone), revisions = report(tmp_path / "merged.db")
    # newest good: a's correction (b's later page is a maintenance page), b's older copy a revision
    assert (postcode, content, gone) == ("323999", sha(CORRECTED), None)
    assert revisions == [(sha(PAGE), "2025-01-01T08:00:00+00:00")]
    conn = sqlite3.connect(tmp_path / "merged.db")
    assert conn.execute("select outcome from latest_responses where url = ?", [URL]).fetchone() == ("degraded",)


@pytest.mark.parametrize("last", ["gone", "back"])
def test_gone_since_follows_the_latest_evidence(tmp_path, last):
    gone = fetched(b"<h1>404 Not Found</h1>", "2026-02-01T08:00:00+00:00", status=404)
    good = fetched(PAGE, "2025-03-01T08:00:00+00:00" if last == "gone" else "2026-05-01T08:00:00+00:00")
    first = machine(tmp_path / "good.db", good)
    second = machine(tmp_path / "gone.db", fetched(PAGE, "2024-03-01T08:00:00+00:00"), gone)
    assert merge(first, second, "--into", tmp_path / "merged.db").exit_code == 0
    (postcode, content, gone_since), revisions = report(tmp_path / "merged.db")
    assert gone_since == ("2026-02-01" if last == "gone" else None)
    assert postcode == "323900" and revisions == []


# --- archives of other years and other machines ---------------------------------------------------
def test_an_archive_made_before_responses_were_kept_is_merged_from_an_upgraded_copy(crawled, tmp_path):
    old = tmp_path / "old" / "archive_v1.db"
    old.parent.mkdir()
    shutil.copy(FILES / "archive_v1.db", old)
    before = file_state(old)
    into = tmp_path / "merged.db"
    shutil.copy(crawled / "half_a.db", into)
    result = merge(old, "--into", into)
    assert result.exit_code == 0, result.output
    assert file_state(old) == before  # upgraded in a temporary copy, not in place
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".nianbao-merge-")]
    source = sqlite3.connect(old)
    conn = sqlite3.connect(into)
    expected = sorted(source.execute("select url, title, body, year, issuer from reports"))
    assert len(expected) == 8
    assert sorted(conn.execute("select url, title, body, year, issuer from reports where response_id is null")) == expected
    assert conn.execute("select count(*) from sections s join reports r on r.id = s.report_id "
                        "where r.response_id is null").fetchone()[0] == source.execute(
        "select count(*) from sections").fetchone()[0]
    assert conn.execute("select count(*) from stats s join reports r on r.id = s.report_id "
                        "where r.response_id is null").fetchone()[0] == source.execute(
        "select count(*) from stats").fetchone()[0]
    # its reports are found by search like the others
    title = expected[0][1]
    found = conn.execute("select r.title from reports_fts f join reports r on r.id = f.rowid where reports_fts match ?",
                         [fts_query(title)]).fetchall()
    assert (title,) in found
    assert holdings(into)["integrity"] == "ok"


def test_ids_are_remapped_and_portals_and_runs_unioned(crawled, tmp_path):
    into = tmp_path / "merged.db"
    shutil.copy(crawled / "half_b.db", into)
    assert merge(crawled / "half_a.db", "--into", into).exit_code == 0
    conn = sqlite3.connect(into)
    assert conn.execute("select count(*) from portals").fetchone()[0] == 6
    assert conn.execute("select count(distinct url) from portals").fetchone()[0] == 6
    assert conn.execute("select count(*) from crawl_runs").fetchone()[0] == 2
    # every ledger row points at a run, a portal and (when it did at home) a report of this archive
    assert conn.execute("select count(*) from responses where run_id not in (select id from crawl_runs)"
                        " or portal_id not in (select id from portals)"
                        " or report_id not in (select id from reports)").fetchone()[0] == 0
    a = sqlite3.connect(crawled / "half_a.db")
    by_url = lambda c: sorted(c.execute("select r.url, p.url, p.name, p.province from reports r "  # noqa: E731
                                        "join portals p on p.id = r.portal_id"))
    assert set(by_url(a)) <= set(by_url(conn))
    assert conn.execute("select count(*) from reports where response_id not in (select id from responses)"
                        ).fetchone()[0] == 0
    assert conn.execute("pragma foreign_key_check").fetchall() == []


def test_portals_fields_and_divisions_are_unioned(crawled, tmp_path):
    into, source = tmp_path / "merged.db", tmp_path / "half_a.db"
    shutil.copy(crawled / "whole.db", into)
    shutil.copy(crawled / "half_a.db", source)
    conn = sqlite3.connect(source)
    if "divisions" not in {r[0] for r in conn.execute("select name from sqlite_master")}:
        pytest.skip("this nianbao has no divisions registry")
    # a machine whose portals CSV gave codes, and whose registry holds a (demo) division the other lacks
    conn.execute("update portals set code = '990101', name = '其他名字'")
    conn.execute("insert into divisions (code, name, level, parent_code, valid_from, source) "
                 "values ('990101', '合并县', 'county', '990100', 1980, 'demo')")
    conn.commit()
    conn.close()
    home = sqlite3.connect(into)
    home.execute("update portals set name = '演示' || id || '县人民政府'")
    home.commit()
    names = dict(home.execute("select url, name from portals"))
    divisions = home.execute("select count(*) from divisions").fetchone()[0]
    home.close()
    assert merge(source, "--into", into).exit_code == 0
    conn = sqlite3.connect(into)
    coded = dict(conn.execute("select url, code from portals where code is not null"))
    assert len(coded) == 3 and set(coded.values()) == {"990101"}
    assert dict(conn.execute("select url, name from portals")) == names  # a name it had stays
    assert conn.execute("select name, source from divisions where code = '990101'").fetchall() == [("合并县", "demo")]
    assert conn.execute("select count(*) from divisions").fetchone()[0] == divisions + 1


# --- kill -9 -------------------------------------------------------------------------------------
BIG = 600  # responses: a merge of them outlasts its first progress line on a quiet machine


def big_archive(path, n=BIG):
    """N stored report pages (saved real pages at N URLs): ledger rows and bodies only, as a crawl
    writes them before parsing; the merge derives every report (slow enough to be killed)."""
    pages = sorted((FILES / "reports").glob("*.html"))[:12]
    archive = open_archive(str(path))
    with archive.transaction():
        portal_id = archive.portal_id("http://www.big.gov.cn/", name="大县人民政府")
        for i in range(n):
            body = pages[i % len(pages)].read_bytes()
            digest = sha(body)
            archive.put_body(body, digest)
            archive.record_response(url=f"http://www.big.gov.cn/nb/{i}.html", outcome="stored", portal_id=portal_id,
                                    status=200, headers=HTML, body_sha256=digest, route="report",
                                    fetched_at=f"2026-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+00:00")
    archive.close()
    return path


def test_a_merge_killed_with_sigkill_is_finished_by_running_it_again(crawled, tmp_path):
    big = big_archive(tmp_path / "big.db")
    reference = tmp_path / "reference.db"
    assert merge(crawled / "half_a.db", big, "--into", reference).exit_code == 0

    into = tmp_path / "killed.db"
    # with its parser workers (--jobs 2): they must not keep the archive locked once the merge is killed
    command = [sys.executable, "-m", "nianbao.cli", "merge", str(crawled / "half_a.db"), str(big), "--into", str(into),
               "--jobs", "2"]
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=ENV)
    lines = []
    try:
        for line in process.stderr:  # a progress line every 2 s while the big archive's reports are derived
            lines.append(line)
            if f"{big}: re-parsing responses " in line:
                break
        assert process.poll() is None, "".join(lines)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert any(f"merged {crawled / 'half_a.db'}" in line for line in lines)
    # the first source is in, none of the second
    conn = sqlite3.connect(into)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select count(*) from responses where url like 'http://www.big.gov.cn/%'").fetchone()[0] == 0
    assert conn.execute("select count(*) from reports").fetchone()[0] > 0
    conn.close()
    again = merge(crawled / "half_a.db", big, "--into", into)
    assert again.exit_code == 0, again.output
    assert "responses 0 new" in again.output and f"responses {BIG} new / 0 already there" in again.output
    assert whole_tables(into) == whole_tables(reference)
    assert holdings(into) == holdings(reference)
