"""What a researcher sees: the reports list, a report page, facets, metadata, canned queries, charts."""
import asyncio
import json
import re

import pytest

from archive.metadata import CANNED_QUERIES, REPORT_LIST_COLUMNS
from archive.serve import make_datasette
from tests.test_datasette_fixtures import CORPUS, build_corpus_archive


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "corpus.db"
    ids = build_corpus_archive(path)
    return make_datasette(path), ids


def get(ds, path, **params):
    async def fetch():
        return await ds.client.get(path, params=params)
    response = asyncio.run(fetch())
    assert response.status_code == 200, (path, response.text[:500])
    return response


def label(name):
    return json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))


def visible_text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("name", ["full_2019_a", "full_2021_a"])
def test_report_page_shows_sections_contact_and_tables(served, name):
    ds, ids = served
    expected = label(name)["expected"]
    html = get(ds, f"/-/nianbao/report/{ids[label(name)['response']['url']]}").text
    text = visible_text(html)
    assert expected["title"] in text and expected["issuer"] in text
    for section in expected["sections"]:
        assert f'<h2>{section["heading"]}</h2>' in html
    contact = expected["contact"]
    for value in [contact["address"], contact["postcode"], contact["email"], *contact["phones"]]:
        if value:
            assert value in text
    # tables 二/三/四 as tables, every cell of the label present in its table
    for table_no in (2, 3, 4):
        table = re.search(rf'<table [^>]*data-table="{table_no}">(.*?)</table>', html, re.S)
        assert table, table_no
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", table.group(1))
        values = [c.replace("⚠", "").strip() for c in cells if c.strip()]
        for stat in expected["stats"]:
            if stat["table"] == table_no and not stat["blank"]:
                shown = f'{stat["value"]}' + (f' {stat["unit"]}' if stat["unit"] else "")
                assert shown in values, (table_no, stat)
    # table 三's applicant columns in the template's order
    header = re.search(r'<table [^>]*data-table="3">.*?</thead>', html, re.S).group(0)
    assert [h for h in re.findall(r"<th>([^<]+)</th>", header)][:7] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def test_report_page_flags_failed_checks(served):
    ds, ids = served
    mismatch = label("full_mismatch")
    html = get(ds, f"/-/nianbao/report/{ids[mismatch['response']['url']]}").text
    for check in mismatch["expected"]["checks"]:
        assert f"<code>{check['check']}</code>" in html
    assert "nianbao-cell-failed" in html


def test_report_row_page_links_to_the_report_page(served):
    ds, ids = served
    report_id = ids[label("full_2021_a")["response"]["url"]]
    html = get(ds, f"/corpus/reports/{report_id}").text
    assert f'href="/-/nianbao/report/{report_id}"' in html


def test_reports_list_shows_the_columns_a_person_scans(served):
    ds, _ = served
    html = get(ds, "/corpus/reports").text
    header = re.search(r'<table class="rows-and-columns">.*?</thead>', html, re.S).group(0)
    shown = re.findall(r'data-column="([^"]+)"', header)
    assert shown == [c for c in REPORT_LIST_COLUMNS if c in shown]
    assert {"year", "issuer", "province", "county", "level", "title", "template", "checks_failed"} <= set(shown)
    assert "body" not in shown
    # all columns one click away
    assert "body" in re.findall(r'data-column="([^"]+)"', get(ds, "/corpus/reports", _allcols="1").text)


def test_facets_on_place_level_year_template(served):
    ds, _ = served
    data = get(ds, "/corpus/reports.json").json()
    assert {"year", "template", "province", "county", "level"} <= set(data["facet_results"])
    provinces = {r["value"]: r["count"] for r in data["facet_results"]["province"]["results"]}
    assert sum(provinces.values()) == data["filtered_table_rows_count"]
    assert not data["suggested_facets"]


def test_numbers_read_as_integers(served):
    ds, _ = served
    html = get(ds, "/corpus/stats", table_no="3", _size="50").text
    assert not re.search(r'<td class="col-value[^"]*">\d+\.0</td>', html)
    assert re.search(r'<td class="col-value[^"]*">\d+</td>', html)
    checks = get(ds, "/corpus/checks").text
    assert "✓ adds up" in checks


def test_every_table_view_and_column_is_described(served):
    ds, _ = served
    tables = ds.metadata("databases")["corpus"]["tables"]
    db = ds.get_database("corpus")

    async def names():
        return (await db.table_names()) + (await db.view_names())
    for name in asyncio.run(names()):
        meta = tables[name]
        if meta.get("hidden"):
            continue
        assert meta.get("description") or meta.get("description_html"), name
        columns = asyncio.run(db.table_columns(name))
        missing = [c for c in columns if c not in meta["columns"]]
        assert not missing, (name, missing)
        # both languages
        assert all(re.search(r"[\u4e00-\u9fff]", d) and re.search(r"[A-Za-z]", d) for d in meta["columns"].values())


CANNED_PARAMS = {
    "search": {"q": "行政复议"}, "issuers_without_report": {"year": "2023", "province": ""},
    "portals_without_report": {"year": "2023", "province": ""},
    "requests_by_county": {"province": "东江省"}, "refusals_by_province": {"year": ""},
    "review_litigation": {"province": ""}, "tables_not_adding_up": {"year": ""},
    "newest_reports": {}, "revision_changes": {"report_id": "1"},
}


@pytest.mark.parametrize("name", [name for name, _, _ in CANNED_QUERIES])
def test_canned_queries_answer(served, name):
    ds, _ = served
    rows = get(ds, f"/corpus/{name}.json", _shape="array", **CANNED_PARAMS[name]).json()
    if name not in ("portals_without_report", "revision_changes"):   # no portals / revisions in this archive
        assert rows, name


def test_requests_by_county_sums_table_three(served):
    ds, ids = served
    rows = get(ds, "/corpus/requests_by_county.json", _shape="array", province="东江省").json()
    assert all(isinstance(r["received"], int) for r in rows)
    assert sum(r["received"] for r in rows) > 0


def test_dashboard_is_served_with_bundled_assets(served):
    ds, _ = served
    html = get(ds, "/-/dashboards/nianbao").text
    assert "年报数字" in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts and all(s.startswith("/") for s in scripts), scripts   # nothing from a CDN
    for src in scripts:
        assert get(ds, src).status_code == 200
