"""The parser's labelled fixtures are whole responses: ingested as a crawl would, the archive's
report rows carry what the labels say (one format serves the parser tests and the store)."""
import json

import pytest

from archive.ingest import REPORT_WRITTEN, ingest
from archive.store import open_archive
from tests.fixtures import corpus_fixtures, load_fixture

PATHS = corpus_fixtures()


@pytest.fixture(scope="module")
def ingested():
    """Every fixture ingested into one in-memory archive: {name: (result, raw, expected)}."""
    archive = open_archive(":memory:")
    results = {}
    for path in PATHS:
        raw, expected = load_fixture(path)
        results[path.stem] = (ingest(archive, raw), raw, expected)
    return archive, results


def test_load_fixture_gives_the_response_as_served():
    raw, expected = load_fixture(PATHS[0])
    fixture = json.loads(PATHS[0].read_text(encoding="utf-8"))
    assert raw.url == fixture["response"]["url"] and raw.status == fixture["response"]["status"]
    assert [list(h) for h in raw.headers] == fixture["response"]["headers"]
    assert raw.body == (PATHS[0].parent / fixture["response"]["body_file"]).read_bytes()
    assert raw.content_type.startswith("text/html")
    assert expected == fixture["expected"]


@pytest.mark.parametrize("name", [p.stem for p in PATHS])
def test_stored_report_row_matches_the_labels(ingested, name):
    archive, results = ingested
    result, raw, expected = results[name]
    assert result.outcome in REPORT_WRITTEN, result
    row = archive.db["reports"].get(result.report_id)
    assert (row["title"], row["year"], row["issuer"], row["published"], row["section_count"]) == (
        expected["title"], expected["year"], expected["issuer"], expected["published"], len(expected["sections"]))
    assert row["url"] == raw.url and row["content_sha256"] == raw.sha256


def test_the_ledger_keeps_each_response_with_its_headers(ingested):
    archive, results = ingested
    assert archive.db["reports"].count == len(PATHS)
    for result, raw, _ in results.values():
        ledger = archive.db["responses"].get(result.response_id)
        assert (ledger["url"], ledger["status"]) == (raw.url, raw.status)
        assert json.loads(ledger["headers"]) == [list(h) for h in raw.headers]
        assert archive.get_body(raw.sha256) == raw.body
