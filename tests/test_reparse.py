"""nianbao reparse: everything derived is rebuilt from the stored responses, offline."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.ingest import ingest
from archive.raw import RawResponse
from archive.reparse import reparse_archive
from archive.search import fts_query
from archive.store import open_archive
from nianbao.cli import cli

FILES = Path(__file__).parent / "files"
PAGES = ["seed_qingtian.html", "036.html", "050.html", "010.html", "022.html"]
DERIVED = ["revisions", "sections", "stat_cells", "checks", "figures", "indicators", "reports"]


def raw(name, url=None, **kw):
    return RawResponse(url=url or f"http://www.example.gov.cn/{name}", status=200,
                       headers=[("Content-Type", "text/html")], body=(FILES / "reports" / name).read_bytes(),
                       route="report", portal_url="http://www.example.gov.cn/", **kw)


def snapshot(archive):
    conn = archive.conn
    return {
        "reports": sorted(conn.execute("select url, title, year, issuer, published, template, body, address, "
                                       "postcode, phones, section_count, checks_failed, content_sha256, gone_since "
                                       "from reports")),
        "sections": sorted(conn.execute("select r.url, s.number, s.heading, s.kind, s.text from sections s "
                                        "join reports r on r.id = s.report_id")),
        "stats": sorted(conn.execute("select r.url, s.table_no, s.row_key, s.column_key, s.value from stats s "
                                     "join reports r on r.id = s.report_id")),
        "checks": sorted(conn.execute("select r.url, c.[check], c.ok from checks c join reports r on r.id = c.report_id")),
        "figures": sorted(conn.execute("select r.url, f.name, f.value from figures f join reports r on r.id = f.report_id")),
        "revisions": sorted(conn.execute("select url, title, body, content_sha256 from revisions")),
        # the index is contentless: what it finds, word by word
        "fts": {term: sorted(conn.execute("select r.url from reports_fts f join reports r on r.id = f.rowid "
                                          "where reports_fts match ?", [fts_query(term)]))
                for term in ("公开", "行政复议", "邮编", "323999", "县")},
    }


@pytest.fixture
def archive(tmp_path):
    archive = open_archive(str(tmp_path / "a.db"))
    for name in PAGES:
        ingest(archive, raw(name))
    corrected = raw("seed_qingtian.html")
    corrected.body = corrected.body.replace("323900".encode(), "323999".encode())
    ingest(archive, corrected)
    ingest(archive, RawResponse(url=raw("036.html").url, status=404, body=b"gone", route="report",
                                fetched_at="2026-05-01T00:00:00+00:00"))
    return archive


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_parsed_part_can_be_lost_and_rebuilt(archive, jobs):
    before = snapshot(archive)
    assert before["revisions"] and before["stats"] and any(r[-1] for r in before["reports"])
    with archive.transaction():
        for table in DERIVED:
            archive.conn.execute(f"delete from [{table}]")
        archive.conn.execute("insert into reports_fts (reports_fts) values ('delete-all')")
    assert not snapshot(archive)["reports"]
    result = reparse_archive(archive, jobs=jobs)
    assert snapshot(archive) == before
    assert result.reports == len(PAGES) and result.responses == len(PAGES) + 2


def test_a_parser_change_is_not_a_revision_and_ids_stay(archive, monkeypatch):
    ids = dict(archive.conn.execute("select url, id from reports"))
    import archive.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "PARSER_VERSION", "9.9+test")
    reparse_archive(archive, jobs=1)
    assert dict(archive.conn.execute("select url, id from reports")) == ids
    assert {v for (v,) in archive.conn.execute("select parser_version from reports")} == {"9.9+test"}
    assert archive.conn.execute("select count(*) from revisions").fetchone()[0] == 1  # the real correction only


def test_reports_from_before_raw_responses_are_left_alone(tmp_path):
    import shutil

    path = tmp_path / "old.db"
    shutil.copy(FILES / "archive_v1.db", path)
    archive = open_archive(str(path))
    before = archive.conn.execute("select id, url, title, body from reports order by id").fetchall()
    result = reparse_archive(archive, jobs=1)
    assert archive.conn.execute("select id, url, title, body from reports order by id").fetchall() == before
    assert result.responses == 0


def test_the_reparse_command(archive, tmp_path):
    path = archive.db.conn.execute("pragma database_list").fetchone()[2]
    archive.close()
    result = CliRunner().invoke(cli, ["reparse", "--db", path, "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "responses/s" in result.output and "5 reports" in result.output
    missing = CliRunner().invoke(cli, ["reparse", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code == 2 and "no such archive" in missing.output


def test_a_url_that_becomes_a_report_in_a_reparse_takes_no_kept_reports_id(tmp_path):
    """A page that was not a report when crawled and is one for today's parser is given a new id
    above every old one: SQLite's max(id) + 1 would collide with the id a later-kept report gets back."""
    from archive.ingest import Reading

    archive = open_archive(str(tmp_path / "a.db"))
    early = raw("036.html", url="http://www.example.gov.cn/early.html")
    ingest(archive, early, Reading())                 # read as nothing when it was crawled
    kept = ingest(archive, raw("050.html"))            # a report, id 1
    assert kept.report_id == 1
    reparse_archive(archive, jobs=1)                   # today: early.html is a report too
    ids = dict(archive.conn.execute("select url, id from reports"))
    assert ids == {"http://www.example.gov.cn/050.html": 1, early.url: 2}
