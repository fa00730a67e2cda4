"""The archive: schema, raw bodies, the append-only ledger, typed report writes, upgrades."""
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from archive.schema import MIGRATIONS, TABLES, VIEWS, ensure_schema, is_current
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
    assert {m[0] for m in conn.execute("select name from schema_migrations")} == {name for name, _ in MIGRATIONS}
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
