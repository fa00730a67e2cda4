"""WARC out and in (archive.warc): export passes warcio's checker, import reads other
tools' WARCs through the one ingest path, and export → import gives the same reports.

Fixtures: tests/files/warc/ (wget-, Heritrix-shaped, truncated and damaged WARCs, made by
tests/files/warc/make_fixtures.py from the saved pages in tests/files)."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from archive.ingest import ingest, report_url
from archive.raw import RawResponse
from archive.store import open_archive
from archive.warc import WarcError, export_warc, import_warc
from nianbao.cli import cli

FILES = Path(__file__).parent / "files"
WARCS = FILES / "warc"
PORTAL = "http://www.qingxi.gov.cn/"
REPORT_COLUMNS = ("url", "title", "year", "issuer", "published", "body", "section_count", "template",
                  "content_sha256", "attachment_url", "encoding", "postcode", "phones", "email")
LEDGER_COLUMNS = ("url", "final_url", "method", "status", "headers", "body_sha256", "fetched_at", "route",
                  "outcome", "parent_url")


def served(name: str, url: str, *, headers=(), route="report", fetched_at="2026-01-05T08:00:00+00:00",
           **context) -> RawResponse:
    """A saved page as a crawl receives it: Scrapy has decoded gzip, the headers are as served."""
    path = FILES / name
    content_type = "application/pdf" if name.endswith(".pdf") else "text/html"
    return RawResponse(url=url, status=200, body=path.read_bytes(), route=route, portal_url=PORTAL,
                       fetched_at=fetched_at,
                       headers=[("Server", "nginx"), ("Content-Type", content_type),
                                ("ETag", f'"{hashlib.md5(path.read_bytes()).hexdigest()[:12]}"'),
                                ("Last-Modified", "Mon, 20 Jan 2020 07:58:24 GMT"), *headers],
                       **context)


GZIPPED = [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]


def crawl_like_responses() -> list[RawResponse]:
    page = PORTAL + "art/2020/1/20/art_1229425866_3896712.html"
    stub = PORTAL + "zwgk/xxgknb/202401/t20240125_1.html"
    return [
        served("listings/trs_index.html", PORTAL + "zwgk/xxgknb/index.html", route="listing", headers=GZIPPED),
        served("reports/seed_qingtian.html", page, headers=GZIPPED, link_title="青田县2019年度报告"),
        # GBK bytes, the charset only in a meta; a redirect followed to another URL
        served("reports/031.html", PORTAL + "nb/031.html", final_url=PORTAL + "nb/2017/t20170721_1341809.htm",
               headers=[("Content-Length", "4156")]),
        served("reports/050.html", PORTAL + "nb/050.html", headers=GZIPPED),
        served("pages/signals/attachment_only.html", stub),
        served("documents/report_2023.pdf", PORTAL + "zwgk/xxgknb/202401/P020240125.pdf", route="attachment",
               parent_url=stub),
        # a re-crawl: the same bytes again (unchanged), then a 304 to a conditional request
        served("reports/seed_qingtian.html", page, headers=GZIPPED, fetched_at="2026-02-05T08:00:00+00:00"),
        RawResponse(url=PORTAL + "nb/050.html", status=304, headers=[("ETag", '"x"')], route="report",
                    portal_url=PORTAL, fetched_at="2026-02-05T08:01:00+00:00"),
        # a decision without a response: not a WARC record
        RawResponse(url=PORTAL + "nb/tongzhi.html", route="report", portal_url=PORTAL, outcome="skipped",
                    reason="look-alike link"),
    ]


def build_archive(path=":memory:"):
    archive = open_archive(str(path))
    for raw in crawl_like_responses():
        ingest(archive, raw)
    return archive


def report_rows(archive) -> list[tuple]:
    return archive.conn.execute(f"select {', '.join(REPORT_COLUMNS)} from reports order by url").fetchall()


def derived_counts(archive) -> list[tuple]:
    return archive.conn.execute("""
        select reports.url, (select count(*) from sections where report_id = reports.id),
               (select count(*) from stats where report_id = reports.id),
               (select count(*) from checks where report_id = reports.id),
               (select count(*) from figures where report_id = reports.id),
               (select count(*) from reports_fts where rowid = reports.id)
        from reports order by reports.url""").fetchall()


def ledger(archive) -> list[tuple]:
    return archive.conn.execute(f"select {', '.join(LEDGER_COLUMNS)} from responses where status is not null"
                                " order by id").fetchall()


def warcio_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from warcio.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=60)


def records(path) -> list:
    """(type, target, rec headers, http headers, payload) of every record, via warcio."""
    out = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers,
                        record.http_headers, record.content_stream().read()))
    return out


@pytest.fixture
def exported(tmp_path):
    archive = build_archive()
    out = tmp_path / "out.warc.gz"
    count = export_warc(archive, out)
    return archive, out, count


# --- export -----------------------------------------------------------------------------------

def test_export_passes_warcio_check_and_index_lists_every_response(exported):
    archive, out, count = exported
    with_response = archive.conn.execute("select count(*) from responses where status is not null").fetchone()[0]
    assert count == with_response == 8
    check = warcio_cli("check", "-v", str(out))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "failed" not in check.stdout
    index = [json.loads(line) for line in warcio_cli("index", "-f", "warc-type,warc-target-uri",
                                                     str(out)).stdout.splitlines()]
    assert index[0]["warc-type"] == "warcinfo"
    kinds = [row["warc-type"] for row in index]
    assert kinds.count("request") == count and kinds.count("response") + kinds.count("revisit") == count
    targets = {row.get("warc-target-uri") for row in index if row["warc-type"] in ("response", "revisit")}
    assert targets == {r[0] or r[1] for r in archive.conn.execute(
        "select final_url, url from responses where status is not null")}


def test_export_writes_the_bytes_served_with_headers_fit_for_the_decoded_body(exported):
    archive, out, _ = exported
    all_records = records(out)
    assert all_records[0][2].protocol == "WARC/1.1"
    responses = {}  # target -> its first response record (later ones: revisit, 304)
    for kind, target, rec, http, payload in all_records:
        if kind == "response":
            responses.setdefault(target, (rec, http, payload))
    for final_url, sha, fetched_at, headers in archive.conn.execute(
            "select final_url, body_sha256, fetched_at, headers from responses where id in"
            " (select min(id) from responses where body_sha256 is not null group by body_sha256)"):
        rec, http, payload = responses[final_url]
        body = archive.get_body(sha)
        assert payload == body
        assert rec.get_header("WARC-Date").replace("Z", "+00:00") == fetched_at
        digest = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
        assert rec.get_header("WARC-Payload-Digest") == digest
        assert http.get_header("Content-Length") == str(len(body))
        assert http.get_header("Content-Encoding") is None and http.get_header("Transfer-Encoding") is None
        for name, value in json.loads(headers):
            if name.lower() in ("content-encoding", "transfer-encoding"):
                assert http.get_header("X-Archive-Orig-" + name) == value
            elif name.lower() != "content-length":
                assert http.get_header(name) == value   # ETag, Last-Modified … as served
    # the redirected page is recorded under the URL that answered
    redirected = archive.conn.execute("select final_url from responses where url != final_url").fetchone()[0]
    assert redirected in responses
    # the unchanged re-fetch is a revisit of the first capture; the 304 a server-not-modified
    # revisit of its URL's last 200 capture, with an empty block (tests/test_warc_fidelity.py)
    revisits = [r for r in all_records if r[0] == "revisit"]
    identical = [r for r in revisits if r[2].get_header("WARC-Profile").endswith("identical-payload-digest")]
    assert len(identical) == 1 and identical[0][2].get_header("WARC-Refers-To-Target-URI") == identical[0][1]
    not_modified = [r for r in revisits if r[2].get_header("WARC-Profile").endswith("server-not-modified")]
    assert len(not_modified) == 1 and not_modified[0][4] == b"" and not_modified[0][3] is None


# --- round trip ---------------------------------------------------------------------------------

def test_export_then_import_into_an_empty_archive_gives_the_same_reports(exported, tmp_path):
    archive, out, _ = exported
    copy = open_archive(str(tmp_path / "copy.db"))
    counts = import_warc(copy, out)
    assert sum(counts.values()) == 9         # 8 responses and the skipped link (a ledger row alone)
    assert report_rows(copy) == report_rows(archive)
    assert len(report_rows(copy)) == 4      # seed, 031 (GBK, redirected), 050 and the PDF under its page
    assert derived_counts(copy) == derived_counts(archive)
    assert ledger(copy) == ledger(archive)  # same decisions, headers as served, same bodies
    assert copy.conn.execute("pragma integrity_check").fetchone() == ("ok",)


def test_importing_the_same_warc_twice_changes_no_report(exported):
    _, out, _ = exported
    archive = open_archive(":memory:")
    first = import_warc(archive, out)
    before = report_rows(archive), ledger(archive)
    second = import_warc(archive, out)
    assert first.get("stored", 0) == 4
    assert second == {"already_archived": 9}   # every record is in the ledger already: nothing added
    assert (report_rows(archive), ledger(archive)) == before
    assert archive.conn.execute("select count(*) from revisions").fetchone() == (0,)
    assert archive.conn.execute("select count(*) from reports").fetchone() == (4,)


# --- other tools' WARCs --------------------------------------------------------------------------

def directly_ingested(*names) -> dict[str, tuple]:
    """What the same saved pages give when ingested as RawResponses: the reference."""
    archive = open_archive(":memory:")
    out = {}
    for name in names:
        result = ingest(archive, served(name, PORTAL + name, route="start"))
        row = archive.conn.execute("select title, year, issuer, body, section_count from reports where id = ?",
                                   [result.report_id]).fetchone()
        out[name] = row
    return out


def test_a_wget_warc_stores_its_reports_decoded_of_chunking_and_gzip():
    archive = open_archive(":memory:")
    counts = import_warc(archive, WARCS / "wget.warc.gz")
    assert counts == {"listing": 1, "stored": 3, "attachment_only": 1, "http_error": 1,
                      "ignored_redirect": 1, "ignored_not_page": 1}
    expected = directly_ingested("reports/seed_qingtian.html", "reports/031.html")
    stored = archive.conn.execute("select title, year, issuer, body, section_count from reports "
                                  "where attachment_url is null order by id").fetchall()
    assert stored == [expected["reports/seed_qingtian.html"], expected["reports/031.html"]]
    # the PDF was requested with its 详见附件 page as Referer: its report is kept under that page
    pdf = archive.conn.execute("select url, attachment_url, section_count, year from reports "
                               "where attachment_url is not null").fetchone()
    assert pdf[1].endswith(".pdf") and pdf[0] == pdf[1].rsplit("/", 1)[0] + "/t20240125_1.html"
    assert pdf[2] >= 6 and pdf[3] == 2023
    # headers as served (the body is kept decoded, as a crawl keeps it), times in UTC
    url, headers, fetched_at, portal = archive.conn.execute(
        "select responses.url, headers, fetched_at, portals.url from responses join portals "
        "on portals.id = responses.portal_id where outcome = 'stored' order by responses.id").fetchone()
    assert ["Content-Encoding", "gzip"] in json.loads(headers) and ["ETag", '"5e255f40-53fd"'] in json.loads(headers)
    assert fetched_at == "2020-01-20T08:01:00+00:00" and portal == "http://www.qingxi.gov.cn/"
    body = archive.get_body(archive.conn.execute("select content_sha256 from reports where url = ?", [url]).fetchone()[0])
    assert body == (FILES / "reports" / "seed_qingtian.html").read_bytes()


def test_a_heritrix_warc_skips_dns_and_metadata_and_resolves_its_revisit():
    archive = open_archive(":memory:")
    counts = import_warc(archive, WARCS / "heritrix.warc.gz")
    assert counts == {"ignored_not_http": 1, "ignored_not_page": 1, "stored": 1, "unchanged": 1}
    urls = [row[0] for row in archive.conn.execute("select url from responses")]
    assert not [u for u in urls if not u.startswith("http")]
    assert archive.conn.execute("select outcome, fetched_at from responses order by id").fetchall() == [
        ("stored", "2011-03-01T08:02:00+00:00"), ("unchanged", "2011-06-01T08:00:00+00:00")]
    assert archive.conn.execute("select count(*) from reports").fetchone() == (1,)
    expected = directly_ingested("reports/044.html")["reports/044.html"]
    assert archive.conn.execute("select title, year, issuer, body, section_count from reports").fetchone() == expected


# --- damaged files --------------------------------------------------------------------------------

def corrupt_files(tmp_path) -> dict[str, Path]:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    html = tmp_path / "page.warc.gz"
    html.write_bytes((FILES / "reports" / "seed_qingtian.html").read_bytes())
    bad_gzip = tmp_path / "bad_gzip.warc.gz"
    data = bytearray((WARCS / "wget.warc.gz").read_bytes())
    data[len(data) // 2: len(data) // 2 + 64] = b"\0" * 64
    bad_gzip.write_bytes(bytes(data))
    return {"truncated": WARCS / "truncated.warc.gz", "damaged": WARCS / "damaged.warc", "empty": empty,
            "not a warc": html, "zeroed gzip bytes": bad_gzip}


@pytest.mark.parametrize("kind", ["truncated", "damaged", "empty", "not a warc", "zeroed gzip bytes"])
def test_a_damaged_warc_raises_warcerror_naming_the_file_and_leaves_the_archive_as_it_was(tmp_path, kind):
    path = corrupt_files(tmp_path)[kind]
    archive = build_archive(tmp_path / "a.db")
    before = (report_rows(archive), ledger(archive), archive.conn.execute("select count(*) from bodies").fetchone())
    with pytest.raises(WarcError) as error:
        import_warc(archive, path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)
    assert (report_rows(archive), ledger(archive),
            archive.conn.execute("select count(*) from bodies").fetchone()) == before
    assert archive.conn.execute("pragma integrity_check").fetchone() == ("ok",)


def test_an_import_that_fails_half_way_writes_nothing(tmp_path, monkeypatch):
    import archive.warc as warc

    archive = open_archive(str(tmp_path / "a.db"))
    calls = []

    def failing_ingest(archive_, raw):
        calls.append(raw.url)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return ingest(archive_, raw)

    monkeypatch.setattr(warc, "ingest", failing_ingest)
    with pytest.raises(RuntimeError):
        import_warc(archive, WARCS / "wget.warc.gz")
    assert len(calls) == 3
    assert archive.conn.execute("select (select count(*) from responses), (select count(*) from reports),"
                                " (select count(*) from bodies)").fetchone() == (0, 0, 0)


def test_a_payload_whose_content_encoding_lies_is_recorded_not_raised(tmp_path):
    """Bad input gives a recorded outcome: gzip declared, plain bytes sent (warcio passes them
    through), or bytes that are neither (kept as a parse_error with the reason)."""
    from warcio.warcwriter import WARCWriter
    import io

    path = tmp_path / "lying.warc.gz"
    page = (FILES / "reports" / "seed_qingtian.html").read_bytes()
    broken = gzip.compress(page)[:200] + b"\x00garbage" * 10
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, payload in enumerate([page, broken]):
            http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(payload)) + payload
            writer.write_record(writer.create_warc_record(
                f"http://www.qingxi.gov.cn/nb/{n}.html", "response", payload=io.BytesIO(http), length=len(http),
                warc_headers_dict={"WARC-Date": "2020-01-20T08:00:00Z"}))
    archive = open_archive(":memory:")
    counts = import_warc(archive, path)
    assert counts == {"stored": 1, "parse_error": 1}
    reason = archive.conn.execute("select reason from responses where outcome = 'parse_error'").fetchone()[0]
    assert "decoded" in reason


# --- the CLI ---------------------------------------------------------------------------------------

def test_cli_export_then_import(tmp_path):
    source = tmp_path / "source.db"
    build_archive(source).close()
    out = tmp_path / "out.warc.gz"
    result = CliRunner().invoke(cli, ["export-warc", "--db", str(source), str(out)])
    assert result.exit_code == 0, result.output
    assert "8 responses written" in result.output
    assert warcio_cli("check", str(out)).returncode == 0
    target = tmp_path / "copy.db"
    result = CliRunner().invoke(cli, ["import-warc", str(out), str(WARCS / "heritrix.warc.gz"), "--db", str(target)])
    assert result.exit_code == 0, result.output
    assert "imported 2 WARC file(s)" in result.output and "stored=5" in result.output
    copy = open_archive(str(target))
    assert copy.conn.execute("select count(*) from reports").fetchone() == (5,)


def test_cli_import_of_a_corrupt_warc_exits_1_with_one_line(tmp_path):
    target = tmp_path / "copy.db"
    result = CliRunner().invoke(cli, ["import-warc", str(WARCS / "truncated.warc.gz"), "--db", str(target)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()   # the file's one line, then the summary
    assert len(lines) == 2 and "Traceback" not in result.output
    assert lines[0].startswith("nianbao: ") and "truncated.warc.gz: truncated" in lines[0]
    assert lines[1].endswith("imported 0 WARC file(s): nothing; 1 refused: " + str(WARCS / "truncated.warc.gz"))
    assert open_archive(str(target)).conn.execute("select count(*) from responses").fetchone() == (0,)
