"""One ingest path: a raw response → ledger row, raw body and derived rows, in one transaction.

Responses here are whole (status, headers, body) saved pages from tests/files: real report pages,
real-looking challenge pages and signal pages (maintenance, soft 404) that were not made by the
code under test.
"""
from pathlib import Path

import pytest

from archive.ingest import ingest
from archive.raw import RawResponse, parse_http_message
from archive.store import open_archive
from parsing.version import PARSER_VERSION

FILES = Path(__file__).parent / "files"
URL = "http://www.qingtian.gov.cn/art/2020/1/20/art_1229425866_3896712.html"
PORTAL = "http://www.qingtian.gov.cn/"
HTML = [("Content-Type", "text/html; charset=utf-8")]


def page(name: str, url: str = URL, status: int = 200, **context) -> RawResponse:
    return RawResponse(url=url, status=status, headers=HTML, body=(FILES / "reports" / name).read_bytes(),
                       portal_url=PORTAL, route="report", **context)


def saved(path: str, url: str = URL, **context) -> RawResponse:
    data = (FILES / "pages" / path).read_bytes()
    if path.endswith(".http"):
        return parse_http_message(data, url, portal_url=PORTAL, route="report", **context)
    return RawResponse(url=url, status=200, headers=HTML, body=data, portal_url=PORTAL, route="report", **context)


@pytest.fixture
def archive():
    return open_archive(":memory:")


def rows(archive, sql, *args):
    return archive.conn.execute(sql, args).fetchall()


def test_a_new_report_is_stored_with_its_raw_body_and_ledger_row(archive):
    raw = page("seed_qingtian.html")
    result = ingest(archive, raw)
    assert result.outcome == "stored"
    report = archive.db["reports"].get(result.report_id)
    assert report["title"] == "青田县政府信息公开工作2019年度报告"
    assert report["parser_version"] == PARSER_VERSION
    assert report["response_id"] == result.response_id
    assert report["content_sha256"] == raw.sha256
    assert archive.get_body(raw.sha256) == raw.body
    ledger = archive.db["responses"].get(result.response_id)
    assert (ledger["outcome"], ledger["status"], ledger["route"], ledger["report_id"]) == (
        "stored", 200, "report", result.report_id)
    assert ["Content-Type", "text/html; charset=utf-8"] in __import__("json").loads(ledger["headers"])


def test_the_same_bytes_again_add_a_ledger_row_and_nothing_else(archive):
    first = ingest(archive, page("seed_qingtian.html"))
    second = ingest(archive, page("seed_qingtian.html"))
    assert second.outcome == "unchanged" and second.report_id == first.report_id
    assert rows(archive, "select count(*) from responses") == [(2,)]
    assert rows(archive, "select count(*) from bodies") == [(1,)]
    assert rows(archive, "select count(*) from revisions") == [(0,)]


def test_a_corrected_report_keeps_its_previous_version_in_revisions(archive):
    original = page("seed_qingtian.html")
    first = ingest(archive, original)
    old = archive.db["reports"].get(first.report_id)
    corrected = page("seed_qingtian.html")
    corrected.body = corrected.body.replace("323900".encode(), "323999".encode())
    second = ingest(archive, corrected)
    assert second.outcome == "changed" and second.report_id == first.report_id
    new = archive.db["reports"].get(first.report_id)
    assert new["postcode"] == "323999" and new["content_sha256"] == corrected.sha256
    assert rows(archive, "select report_id, content_sha256, title, body, fetched_at from revisions") == [
        (first.report_id, original.sha256, old["title"], old["body"], old["fetched_at"])]


@pytest.mark.parametrize("worse", ["maintenance", "truncated", "attachment_only", "not_a_report"])
def test_a_worse_page_never_replaces_a_good_report(archive, worse):
    first = ingest(archive, page("seed_qingtian.html"))
    before = rows(archive, "select title, body, section_count from reports")
    if worse == "maintenance":
        raw = saved("signals/maintenance.html")
    elif worse == "attachment_only":
        raw = saved("signals/attachment_only.html")
    elif worse == "truncated":  # a lying Content-Length: the body stops a third of the way in
        raw = page("seed_qingtian.html")
        raw.body = raw.body[: len(raw.body) // 3]
    else:
        raw = page("seed_qingtian.html")
        raw.body = (FILES / "listings" / "trs_index.html").read_bytes()
    result = ingest(archive, raw)
    assert result.outcome == "degraded", result
    assert result.report_id == first.report_id
    assert rows(archive, "select title, body, section_count from reports") == before
    assert rows(archive, "select count(*) from revisions") == [(0,)]
    # kept raw and visible in the ledger
    assert archive.get_body(raw.sha256) == raw.body
    assert rows(archive, "select outcome from fetches") == [("degraded",)]


def test_a_vanished_report_is_kept_with_gone_since_and_comes_back(archive):
    first = ingest(archive, page("seed_qingtian.html", fetched_at="2026-01-05T00:00:00+00:00"))
    gone = ingest(archive, RawResponse(url=URL, status=404, headers=HTML, body=b"<h1>404</h1>", route="report",
                                       portal_url=PORTAL, fetched_at="2026-03-01T00:00:00+00:00"))
    assert gone.outcome == "gone"
    assert archive.db["reports"].get(first.report_id)["gone_since"] == "2026-03-01"
    assert rows(archive, "select report_id, gone_since from vanished_reports") == [(first.report_id, "2026-03-01")]
    again = ingest(archive, page("seed_qingtian.html"))
    assert again.outcome == "unchanged"
    assert archive.db["reports"].get(first.report_id)["gone_since"] is None


def test_a_redirect_to_the_homepage_and_a_soft_404_mean_gone(archive):
    first = ingest(archive, page("seed_qingtian.html"))
    home = saved("signals/soft_404.html")
    home.final_url = "http://www.qingtian.gov.cn/"
    assert ingest(archive, home).outcome == "gone"
    archive.set_report_fields(first.report_id, gone_since=None)
    assert ingest(archive, saved("signals/soft_404.html")).outcome == "gone"


@pytest.mark.parametrize("name", sorted(p.name for p in (FILES / "pages" / "blocked").glob("*.http")))
def test_challenge_pages_are_blocked_never_reports(archive, name):
    result = ingest(archive, saved(f"blocked/{name}"))
    assert result.outcome == "blocked"
    assert rows(archive, "select count(*) from reports") == [(0,)]
    assert rows(archive, "select outcome from fetches") == [("blocked",)]


def test_a_304_is_not_modified(archive):
    first = ingest(archive, page("seed_qingtian.html"))
    result = ingest(archive, RawResponse(url=URL, status=304, headers=[], body=b"", route="report"))
    assert (result.outcome, result.report_id) == ("not_modified", first.report_id)
    assert rows(archive, "select count(*) from revisions") == [(0,)]


def test_a_parser_crash_is_a_recorded_parse_error(archive, monkeypatch):
    import archive.ingest as ingest_module

    def crash(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ingest_module, "parse_report", crash)
    result = ingest(archive, page("seed_qingtian.html"))
    assert result.outcome == "parse_error" and "RecursionError" in result.reason
    assert rows(archive, "select count(*) from reports") == [(0,)]
    assert rows(archive, "select count(*) from bodies") == [(1,)]


def test_fetcher_decisions_are_ledger_rows_without_bodies(archive):
    ingest(archive, RawResponse(url="http://x/a.html", outcome="skipped", reason="look-alike", route="report"))
    ingest(archive, RawResponse(url="http://x/b.html", outcome="error", reason="ConnectionRefusedError"))
    assert rows(archive, "select url, outcome, reason from fetches order by id") == [
        ("http://x/a.html", "skipped", "look-alike"), ("http://x/b.html", "error", "ConnectionRefusedError")]
    assert rows(archive, "select count(*) from bodies") == [(0,)]


def test_list_pages_are_kept_raw_and_not_parsed_as_reports(archive):
    raw = RawResponse(url="http://x/list.html", status=200, headers=HTML, route="listing",
                      body=(FILES / "listings" / "trs_index.html").read_bytes())
    assert ingest(archive, raw).outcome == "listing"
    assert archive.get_body(raw.sha256) == raw.body


def test_a_missing_attachment_does_not_make_its_pages_report_vanish(archive):
    first = ingest(archive, page("seed_qingtian.html"))
    missing = ingest(archive, RawResponse(url="http://www.qingtian.gov.cn/att/report.pdf", status=404, body=b"",
                                          route="attachment", parent_url=URL, portal_url=PORTAL))
    assert missing.outcome == "http_error"
    assert archive.db["reports"].get(first.report_id)["gone_since"] is None


def test_an_image_only_report_is_stored_as_such_with_its_images(archive):
    result = ingest(archive, saved("signals/image_only.html"))
    assert result.outcome == "image_only"
    row = archive.db["reports"].get(result.report_id)
    images = __import__("json").loads(row["images"])
    assert row["image_only"] == 1 and images and all(u.startswith("http") for u in images)
