"""The archive: schema, raw bodies, the append-only ledger, typed report writes, upgrades."""
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from archive.schema import MIGRATIONS, TABLES, VIEWS, ensure_schema, is_current, registry_migration
from archive.search import fts_query
from archive.store import ArchiveLocked, lock_archive, open_archive
from parsing import parse_report

FILES = Path(__file__).parent / "files"
OLD_ARCHIVE = FILES / "archive_v1.db"  # made by the schema on main before the raw-first archive


@pytest.fixture
def archive():
    return open_archive(":memory:")


def report_of(name="seed_qingtian.html", url="http://www.qingtian.gov.cn/art/2020/1/20/art_1_1.html"):
    return parse_report((FILES / "reports" / name).read_bytes(), url)


def test_schema_has_public_columns(archive):
    db = archive.db
    assert {"id", "url", "title", "year", "issuer", "published", "template", "body", "address",
            "postcode", "phones", "fax", "email", "fetched_at", "portal_id", "parser_version", "response_id",
            "gone_since", "province", "city", "county", "level"} <= set(db["reports"].columns_dict)
    # stats is a view over stat_cells + stat_labels: the public columns, plus each cell's position
    assert set(db["stats"].columns_dict) == {"report_id", "table_no", "row_key", "row_label", "column_key",
                                             "column_label", "value", "unit", "blank", "position"}
    assert set(db["checks"].columns_dict) == {"report_id", "check", "ok", "expected", "actual"}
    assert {"url", "fetched_at", "content_sha256", "title", "body"} <= set(db["revisions"].columns_dict)
    # the old fetch ledger's columns, now a view of the append-only responses ledger
    assert "fetches" in db.view_names()
    assert [c.name for c in db["fetches"].columns] == ["id", "url", "portal_url", "outcome", "reason", "title",
                                                      "http_status", "fetched_at"]


def test_ensure_schema_is_rerunnable(archive):
    ensure_schema(archive.db)
    ensure_schema(archive.db)
    assert set(TABLES) <= set(archive.db.table_names())
    assert set(VIEWS) <= set(archive.db.view_names())
    assert is_current(archive.db)


def test_ensure_schema_adds_missing_columns_to_an_archive_that_lacks_them():
    old = sqlite_utils.Database(memory=True)
    old["reports"].create({"id": int, "url": str, "title": str}, pk="id")
    old["reports"].insert({"url": "http://a/1", "title": "t"})
    old["sections"].create({"report_id": int, "number": int, "heading": str, "text": str}, pk=("report_id", "number"))
    assert not is_current(old)
    ensure_schema(old)
    assert {"template", "body", "parser_version", "gone_since"} <= set(old["reports"].columns_dict)
    assert "kind" in old["sections"].columns_dict
    assert old["reports"].count == 1
    assert is_current(old)


def test_an_archive_made_by_the_previous_schema_upgrades_in_place_with_nothing_lost(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(OLD_ARCHIVE, path)
    raw = sqlite3.connect(path)
    reports_before = raw.execute("select id, url, title, body, year, issuer from reports order by id").fetchall()
    sections_before = raw.execute("select * from sections order by report_id, number").fetchall()
    stats_before = raw.execute("select report_id, table_no, row_key, row_label, column_key, column_label, value, unit, blank from stats order by report_id, table_no, row_key, column_key").fetchall()
    fetches_before = raw.execute("select url, outcome, title, http_status from fetches order by id").fetchall()
    fts_before = raw.execute("select rowid from reports_fts order by rowid").fetchall()
    assert "responses" not in {r[0] for r in raw.execute("select name from sqlite_master")}
    raw.close()

    archive = open_archive(str(path))
    conn = archive.conn
    assert conn.execute("select id, url, title, body, year, issuer from reports order by id").fetchall() == reports_before
    assert conn.execute("select * from sections order by report_id, number").fetchall() == sections_before
    assert conn.execute("select report_id, table_no, row_key, row_label, column_key, column_label, value, unit, blank from stats "
                        "order by report_id, table_no, row_key, column_key").fetchall() == stats_before
    assert conn.execute("select rowid from reports_fts order by rowid").fetchall() == fts_before
    # rebuilt as today's search index: it finds what a LIKE scan finds
    for term in ("年度报告", "县", "行政复议"):
        found = {r[0] for r in conn.execute("select rowid from reports_fts where reports_fts match ?", [fts_query(term)])}
        assert found == {r[0] for r in conn.execute("select id from reports where title || body like ?",
                                                     [f"%{term}%"])} and found
    # the old one-row-per-URL ledger became ledger rows; `fetches` reads the same
    assert conn.execute("select url, outcome, title, http_status from fetches order by id").fetchall() == fetches_before
    assert conn.execute("select count(*) from responses").fetchone()[0] == len(fetches_before)
    assert {m[0] for m in conn.execute("select name from schema_migrations")} == (
        {name for name, _ in MIGRATIONS} | {registry_migration()})
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    archive.close()
    # a second open changes nothing
    again = open_archive(str(path))
    assert again.conn.execute("select count(*) from responses").fetchone()[0] == len(fetches_before)
    again.close()


def test_bodies_are_stored_once_compressed_and_read_back_exactly(archive):
    body = (FILES / "reports" / "seed_qingtian.html").read_bytes()
    import hashlib

    sha = hashlib.sha256(body).hexdigest()
    with archive.transaction():
        archive.put_body(body, sha)
        archive.put_body(body, sha)
    size, stored = archive.conn.execute("select size, stored_size from bodies").fetchone()
    assert archive.conn.execute("select count(*) from bodies").fetchone()[0] == 1
    assert size == len(body) and stored < size / 2
    assert archive.get_body(sha) == body


def test_the_ledger_is_append_only_and_fetches_shows_the_latest(archive):
    with archive.transaction():
        archive.record_response(url="http://a/1.html", outcome="http_error", status=500)
        archive.record_response(url="http://a/1.html", outcome="stored", status=200)
    assert archive.conn.execute("select count(*) from responses").fetchone()[0] == 2
    assert archive.conn.execute("select outcome, http_status from fetches").fetchall() == [("stored", 200)]


def test_write_report_takes_a_typed_report_and_writes_every_derived_row(archive):
    report = report_of()
    with archive.transaction():
        report_id = archive.write_report(report, url=report.url, parser_version="test")
    row = archive.db["reports"].get(report_id)
    assert row["title"] == report.title and row["body"] == report.body
    assert json.loads(row["phones"]) == report.contact.phones
    assert row["section_count"] == len(report.sections) > 0
    assert archive.db["stats"].count == len(report.stats) > 0
    assert archive.db["checks"].count == len(report.checks)
    assert archive.conn.execute("select count(*) from reports_fts").fetchone()[0] == 1
    # rewriting replaces, never doubles
    with archive.transaction():
        archive.write_report(report, url=report.url, report_id=report_id)
    assert archive.db["sections"].count == len(report.sections)
    assert archive.db["stats"].count == len(report.stats)
    assert archive.conn.execute("select count(*) from reports_fts").fetchone()[0] == 1


def test_a_failure_half_way_through_a_write_leaves_nothing_half_stored(archive, monkeypatch):
    report = report_of()
    with archive.transaction():
        report_id = archive.write_report(report, url=report.url)
    before = archive.conn.execute("select title, body from reports").fetchall()
    changed = report_of("036.html", url=report.url)
    import archive.store as store

    def broken_index_text(text):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "index_text", broken_index_text)
    with pytest.raises(RuntimeError):
        with archive.transaction():
            archive.write_report(changed, url=report.url, report_id=report_id)
    assert archive.conn.execute("select title, body from reports").fetchall() == before
    assert archive.db["stats"].count == len(report.stats)
    assert archive.conn.execute("select count(*) from reports_fts").fetchone()[0] == 1


def test_one_writer_at_a_time(tmp_path):
    path = str(tmp_path / "a.db")
    open_archive(path).close()
    held = lock_archive(path)
    with pytest.raises(ArchiveLocked):
        lock_archive(path)
    held.close()
    lock_archive(path).close()


def test_statistics_keep_integers_as_integers(archive):
    report = report_of("050.html")
    with archive.transaction():
        report_id = archive.write_report(report, url=report.url)
    kinds = dict(archive.conn.execute("select typeof(value), count(*) from stats where report_id = ? group by 1",
                                      [report_id]).fetchall())
    assert kinds.get("integer", 0) > 0
    assert archive.conn.execute("select value from stats where report_id = ? and unit = '万元'",
                                [report_id]).fetchall() == [(20.3,)]
    assert not archive.conn.execute("select 1 from stats where typeof(value) = 'real' and value = cast(value as integer)"
                                    ).fetchall()


# --- whose database is it: nianbao's mark (PRAGMA application_id) or schema, never one table name ----
def foreign_database(path, kind):
    """Someone else's SQLite file that happens to have a `reports` table."""
    conn = sqlite3.connect(path)
    conn.execute("create table reports (id integer primary key, url text, title text, year integer)")
    conn.execute("insert into reports (url, title, year) values ('http://example.com/', 'Q3 sales', 2024)")
    if kind == "another application's mark":
        conn.execute("pragma application_id = 0x47504b47")  # a GeoPackage's
    elif kind == "a migrations table of its own":  # Rails, Django … keep one too
        conn.execute("create table schema_migrations (version text primary key)")
        conn.execute("insert into schema_migrations values ('20240101000000')")
    conn.commit()
    conn.close()
    return path


FOREIGN_KINDS = ["a reports table", "another application's mark", "a migrations table of its own"]


@pytest.mark.parametrize("kind", FOREIGN_KINDS)
def test_a_foreign_database_with_a_reports_table_is_refused_and_left_byte_for_byte(tmp_path, kind):
    from archive.store import NotAnArchive, recognise

    path = foreign_database(tmp_path / "theirs.db", kind)
    before = path.read_bytes()
    with pytest.raises(NotAnArchive) as raised:
        recognise(str(path))
    assert "not a nianbao archive" in str(raised.value)
    with pytest.raises(NotAnArchive):
        open_archive(str(path))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"]


@pytest.mark.parametrize("kind", FOREIGN_KINDS)
def test_crawl_and_import_refuse_a_foreign_database_with_exit_3_and_change_nothing(tmp_path, kind):
    import subprocess
    import sys

    from click.testing import CliRunner

    from nianbao.cli import cli

    path = foreign_database(tmp_path / "theirs.db", kind)
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["import-warc", str(FILES / "warc" / "wget.warc.gz"), "--db", str(path)])
    assert result.exit_code == 3 and "not a nianbao archive" in result.output, result.output
    assert "Traceback" not in result.output
    repo = Path(__file__).resolve().parent.parent
    crawl = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", "http://127.0.0.1:9/", "--db", str(path)],
                           cwd=repo, capture_output=True, text=True, timeout=120)
    assert crawl.returncode == 3 and "not a nianbao archive" in crawl.stderr, crawl.stderr
    assert len(crawl.stderr.strip().splitlines()) == 1, crawl.stderr
    reparse = CliRunner().invoke(cli, ["reparse", "--db", str(path)])
    assert reparse.exit_code != 0 and "not a nianbao archive" in reparse.output
    assert path.read_bytes() == before


def test_archives_of_the_previous_nianbao_open_upgrade_and_get_the_mark(tmp_path):
    from archive.store import APPLICATION_ID, CURRENT, PREVIOUS, recognise

    first = tmp_path / "v1.db"  # before schema_migrations existed
    shutil.copy(OLD_ARCHIVE, first)
    previous = tmp_path / "previous.db"  # schema_migrations, no mark: nianbao before the mark
    made = open_archive(str(previous))
    made.conn.execute("pragma application_id = 0")
    made.close()
    for path, reports in ((first, 8), (previous, 0)):
        assert recognise(str(path)) == PREVIOUS
        archive = open_archive(str(path))
        assert archive.conn.execute("pragma application_id").fetchone()[0] == APPLICATION_ID
        assert archive.conn.execute("select count(*) from reports").fetchone()[0] == reports
        assert is_current(archive.db)
        archive.close()
        assert recognise(str(path)) == CURRENT


def test_a_new_archive_carries_the_mark_from_its_first_write(tmp_path):
    from archive.store import APPLICATION_ID

    path = tmp_path / "new.db"
    open_archive(str(path)).close()
    assert int.from_bytes(path.read_bytes()[68:72], "big") == APPLICATION_ID
