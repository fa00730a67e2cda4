"""Exports for the tools researchers use: CSV Excel opens on Chinese Windows, JSON columns as JSON,
counts as integers."""
import asyncio
import csv
import io
import json
import sqlite3

import pytest
import sqlite_utils

from archive.schema import ensure_schema
from archive.web.serve import make_datasette
from tests.test_datasette_fixtures import build_corpus_archive, corpus_reports

UTF8_BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "corpus.db"
    ids = build_corpus_archive(path, image_only=True)
    return make_datasette(path), ids


def get(ds, path, **params):
    async def fetch():
        return await ds.client.get(path, params=params)
    response = asyncio.run(fetch())
    assert response.status_code == 200, (path, response.text[:500])
    return response


@pytest.mark.parametrize("path, params", [
    ("/corpus/reports.csv", {"_bom": "1"}),
    ("/corpus/reports.csv", {"_bom": "1", "_dl": "1", "_stream": "1", "_size": "max"}),
    ("/corpus/requests_by_county.csv", {"_bom": "1", "province": "东江省"}),
    ("/corpus.csv", {"_bom": "1", "sql": "select issuer, year from reports order by id"}),
])
def test_csv_with_a_bom_for_excel_on_chinese_windows(served, path, params):
    ds, _ = served
    with_bom = get(ds, path, **params).content
    without = get(ds, path, **{k: v for k, v in params.items() if k != "_bom"}).content
    assert with_bom.startswith(UTF8_BOM) and with_bom.count(UTF8_BOM) == 1
    assert not without.startswith(UTF8_BOM)
    assert with_bom[len(UTF8_BOM):] == without   # the same CSV otherwise
    # what Excel does with a BOM: reads UTF-8, the Chinese intact
    rows = list(csv.reader(io.StringIO(with_bom.decode("utf-8-sig"))))
    assert any("县" in cell for row in rows[1:] for cell in row)


def test_csv_bom_link_on_table_and_query_pages(served):
    ds, _ = served
    for path, params in [("/corpus/reports", {}), ("/corpus/requests_by_county", {"province": "东江省"})]:
        html = get(ds, path, **params).text
        assert "_bom=1" in html and "CSV (UTF-8 BOM)" in html, path


def test_an_error_page_gets_no_bom(served):
    ds, _ = served

    async def fetch():
        return await ds.client.get("/corpus/no_such_table.csv", params={"_bom": "1"})
    response = asyncio.run(fetch())
    assert response.status_code == 404 and not response.content.startswith(UTF8_BOM)


def test_json_columns_are_json_arrays(served):
    ds, _ = served
    rows = get(ds, "/corpus/reports.json", _shape="array", _size="max").json()
    for column in ("phones", "fax", "tables_missing", "warnings"):
        assert all(isinstance(r[column], list) for r in rows), column
    assert any(r["phones"] for r in rows) and any(r["tables_missing"] for r in rows)
    image_only = [r for r in rows if r["image_only"]]
    assert image_only and all(isinstance(r["images"], list) and r["images"] for r in image_only)
    # the default shape, a row page and a view too
    data = get(ds, "/corpus/reports.json").json()
    assert isinstance(data["rows"][0][data["columns"].index("phones")], list)
    row = get(ds, f"/corpus/reports/{rows[0]['id']}.json").json()
    assert isinstance(row["rows"][0][row["columns"].index("tables_missing")], list)
    overview = get(ds, "/corpus/report_overview.json", _shape="array").json()
    assert all(isinstance(r["phones"], list) for r in overview)


def test_json_columns_are_arrays_in_query_results_and_text_stays_text(served):
    ds, _ = served
    rows = get(ds, "/corpus.json", _shape="array",
               sql="select phones, title as warnings, '[not json' as fax from reports limit 3").json()
    assert all(isinstance(r["phones"], list) for r in rows)
    assert all(isinstance(r["warnings"], str) for r in rows)   # a column of that name holding plain text
    assert all(r["fax"] == "[not json" for r in rows)          # text that only looks like JSON


def test_figures_values_are_integers_where_the_report_wrote_integers(served):
    ds, _ = served
    rows = get(ds, "/corpus/figures.json", _shape="array", _size="max").json()
    written = {(f["name"], f["sentence"]): f["value"] for r in corpus_reports() for f in r["figures"]}
    assert rows
    for row in rows:
        value = written[(row["name"], row["sentence"])]
        if float(value).is_integer():
            assert isinstance(row["value"], int) and row["value"] == value, row
        else:
            assert row["value"] == value
    csv_text = get(ds, "/corpus/figures.csv", _size="max").text
    assert not any(cell.endswith(".0") for line in csv_text.splitlines()[1:] for cell in line.split(","))


def test_an_older_archive_gets_integer_figures_on_upgrade(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    ensure_schema(db)
    # figures as nianbao made it before: REAL affinity, 215 stored as 215.0
    db.execute("drop table figures")
    db.execute("create table figures (report_id INTEGER REFERENCES reports(id), name TEXT, value FLOAT, unit TEXT, "
               "sentence TEXT, PRIMARY KEY (report_id, name))")
    db.execute("insert into reports (id, url) values (1, 'http://example.gov.cn/1.html')")
    db.execute("insert into figures values (1, 'requests_received', 215, '件', '收到申请215件'), "
               "(1, 'fees', 20.3, '万元', '收费20.3万元')")
    db.execute("delete from schema_migrations where name = '2026-12-figures-value-numeric'")
    db.conn.commit()
    assert db.execute("select typeof(value) from figures where name = 'requests_received'").fetchone()[0] == "real"
    ensure_schema(db)
    assert db.execute("select value, typeof(value) from figures order by name").fetchall() == [
        (20.3, "real"), (215, "integer")]
    # and a new row keeps the type the report wrote
    db.execute("insert into figures values (1, 'granted', 12.0, '件', '')")
    assert db.execute("select typeof(value) from figures where name = 'granted'").fetchone()[0] == "integer"
    db.close()
    conn = sqlite3.connect(path)
    assert json.loads(json.dumps(conn.execute("select value from figures where name = 'requests_received'")
                                 .fetchone()[0])) == 215
    conn.close()
