"""What a researcher sees: the reports list, a report page, facets, metadata, canned queries, charts."""
import asyncio
import json
import re
from urllib.parse import urlencode

import pytest
from markupsafe import escape

from archive.web.metadata import CANNED_QUERIES, REPORT_LIST_COLUMNS
from archive.web.serve import make_datasette
from tests.test_datasette_fixtures import CORPUS, IMAGE_ONLY_URL, build_corpus_archive


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "corpus.db"
    ids = build_corpus_archive(path, image_only=True)
    return make_datasette(path), ids


def fetch(ds, path, **params):
    async def request():   # a path with its own query string keeps it (params would replace it)
        return await (ds.client.get(path, params=params) if params else ds.client.get(path))
    return asyncio.run(request())


def get(ds, path, **params):
    response = fetch(ds, path, **params)
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
    "counties_without_report": {"province": "东江省", "year": "2023"}, "divisions_with_vanished_reports": {},
}
# Queries with nothing to find in the corpus archive: no portals, revisions, division codes or vanished reports.
CANNED_EMPTY_HERE = {"portals_without_report", "revision_changes", "counties_without_report",
                     "divisions_with_vanished_reports"}


@pytest.mark.parametrize("name", [name for name, _, _ in CANNED_QUERIES])
def test_canned_queries_answer(served, name):
    ds, _ = served
    rows = get(ds, f"/corpus/{name}.json", _shape="array", **CANNED_PARAMS[name]).json()
    if name not in CANNED_EMPTY_HERE:
        assert rows, name


def test_requests_by_county_sums_table_three(served):
    ds, ids = served
    rows = get(ds, "/corpus/requests_by_county.json", _shape="array", province="东江省").json()
    # counts are integers; a county-year whose government gave no number (only its departments or
    # townships did: their own columns) has none, since levels are never added together (docs/panel.md)
    assert all(isinstance(r["received"], int) for r in rows if r["received"] is not None)
    assert sum(r["received"] or 0 for r in rows) > 0


def test_dashboard_is_served_with_bundled_assets(served):
    ds, _ = served
    html = get(ds, "/-/dashboards/nianbao").text
    assert "年报数字" in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts and all(s.startswith("/") for s in scripts), scripts   # nothing from a CDN
    for src in scripts:
        assert get(ds, src).status_code == 200


# --- Datasette leads with the archive ----------------------------------------------------------

START_PAGES = {"/corpus/reports": "年度报告", "/-/nianbao/search": "搜索", "/-/nianbao/coverage": "覆盖情况",
               "/-/dashboards/nianbao": "图表"}


@pytest.mark.parametrize("page", ["/", "/corpus"])
def test_home_page_leads_to_reports_search_coverage_and_charts_above_the_tables(served, page):
    ds, _ = served
    html = get(ds, page).text
    nav = re.search(r'<nav class="nianbao-start".*?</nav>', html, re.S)
    assert nav, "no start links"
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(0)))
    assert {href: label.split()[0] for href, label in links.items()} == START_PAGES
    # above the list of tables
    first_table_link = min(html.find(f'href="/corpus/{t}"') for t in ("stat_cells", "sections", "checks")
                           if f'href="/corpus/{t}"' in html)
    assert nav.start() < first_table_link
    for href in links:   # each answers
        get(ds, href)


def test_reports_list_id_opens_the_readable_page_and_the_row_is_one_click_away(served):
    ds, ids = served
    html = get(ds, "/corpus/reports").text
    cells = re.findall(r'<td data-column="id"[^>]*>(.*?)</td>', html, re.S)
    assert cells
    for cell in cells:
        report_id = re.search(r'<a class="nianbao-read" href="/-/nianbao/report/(\d+)"[^>]*>(\d+)</a>', cell)
        assert report_id and report_id.group(1) == report_id.group(2), cell
        assert f'href="/corpus/reports/{report_id.group(1)}"' in cell   # the raw row
    # the list says what the id does, and it is true
    assert "点击编号阅读全文" in html


def stats_header(html, table_no):
    return re.search(rf'<table [^>]*data-table="{table_no}">.*?</thead>', html, re.S).group(0)


def test_report_page_keeps_a_header_with_a_slash_as_written(served):
    ds, ids = served
    html = get(ds, f"/-/nianbao/report/{ids[label('full_2019_a')['response']['url']]}").text
    header = stats_header(html, 2)
    assert "<th>本年增/减</th>" in header
    assert not re.search(r"<th[^>]*>本年增</th>", header) and "<th>减</th>" not in header
    assert "colspan" not in header   # table 二 has no column groups
    # table 三's template groups stay: 法人或其他组织 over its five columns
    assert re.search(r'<th colspan="5">法人或其他组织</th>', stats_header(html, 3))


def test_report_page_cells_carry_their_column_label_for_phones(served):
    ds, ids = served
    html = get(ds, f"/-/nianbao/report/{ids[label('full_2019_a')['response']['url']]}").text
    for table_no in (2, 3, 4):
        table = re.search(rf'<table [^>]*data-table="{table_no}">(.*?)</table>', html, re.S).group(1)
        headers = re.findall(r"<th>([^<]+)</th>", stats_header(html, table_no))
        labels = re.findall(r'<td data-column="([^"]*)"', table)
        assert labels and all(labels), table_no
        # every label names a column of the header (table 三: "group · column")
        assert {label.split(" · ")[-1] for label in labels} <= set(headers), table_no
    assert 'data-column="法人或其他组织 · 商业企业"' in html


def test_image_only_report_says_so_and_links_its_images(tmp_path):
    import sqlite3

    from tests.test_datasette_fixtures import image_only_report

    path = tmp_path / "images.db"
    ids = build_corpus_archive(path, image_only=True)
    images = image_only_report()["images"]
    conn = sqlite3.connect(path)   # the first picture was fetched and its body kept
    with conn:
        response_id = conn.execute("insert into responses (url, outcome, body_sha256, route) values (?, 'attachment', ?, "
                                   "'attachment')", [images[0], "ab" * 32]).lastrowid
    conn.close()
    html = get(make_datasette(path), f"/-/nianbao/report/{ids[IMAGE_ONLY_URL]}").text
    notice = re.search(r'<section class="nianbao-image-only">.*?</section>', html, re.S)
    assert notice and "图片版" in notice.group(0)
    for url in images:
        assert f'href="{url}"' in notice.group(0)
    assert f'href="/images/responses/{response_id}"' in notice.group(0)
    assert notice.group(0).count("未存档") == len(images) - 1
    # a report with text has no such notice
    text_report = get(make_datasette(path), f"/-/nianbao/report/{ids[label('full_2019_a')['response']['url']]}").text
    assert "nianbao-image-only" not in text_report


# --- Errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("params, says", [
    ({"q": "\x00"}, "control character"),
    ({"q": "公开\x00行政"}, "control character"),
    ({"q": "公开", "page": "9223372036854775807"}, "page must be a whole number"),
    ({"q": "公开", "page": "99999999999999999999999"}, "page must be a whole number"),
    ({"q": "公开", "page": "0"}, "page must be a whole number"),
    ({"q": "公开", "page": "-1"}, "page must be a whole number"),
    ({"q": "公开", "page": "x"}, "page must be a whole number"),
    ({"q": "公开", "page": "1.5"}, "page must be a whole number"),
    ({"q": "公开" * 300}, "longer than"),
])
def test_search_page_bad_parameters_are_400_with_a_message(served, params, says):
    ds, _ = served
    response = fetch(ds, "/-/nianbao/search", **params)
    assert response.status_code == 400, response.status_code
    assert says in visible_text(response.text)


def test_search_page_last_allowed_page_answers(served):
    from archive.web.datasette_plugin import MAX_SEARCH_PAGE

    ds, _ = served
    html = get(ds, "/-/nianbao/search", q="公开", page=str(MAX_SEARCH_PAGE)).text
    assert "nianbao-results" in html


@pytest.mark.parametrize("path", ["/corpus/reports", "/corpus/reports.json", "/-/nianbao/report/99999999",
                                  "/-/nianbao/report/999999999999999999"])
def test_other_bad_requests_are_not_500(served, path):
    ds, _ = served
    response = fetch(ds, path, _search="\x00") if path.startswith("/corpus") else fetch(ds, path)
    assert 400 <= response.status_code < 500, (path, response.status_code)


# --- Canned queries ---------------------------------------------------------------------------

def test_canned_query_tab_title_is_its_title_not_its_sql(served):
    ds, _ = served
    for name, _, query in CANNED_QUERIES:
        html = get(ds, f"/corpus/{name}", **CANNED_PARAMS[name]).text
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        assert title == str(escape(query["title"])), (name, title)


def test_canned_query_says_which_parameter_it_needs_instead_of_0_rows(served):
    ds, _ = served
    html = get(ds, "/corpus/requests_by_county").text
    needs = re.search(r'<p class="nianbao-needs[^"]*">(.*?)</p>', html, re.S)
    assert needs and "province" in needs.group(1)
    assert "nianbao-needs-params" in re.search(r'<body class="([^"]*)"', html).group(1)   # hides "0 results"
    # given, the rows come and the note goes
    html = get(ds, "/corpus/requests_by_county", province="东江省").text
    assert "nianbao-needs" not in html and "青溪县" in html
    # optional parameters (":province = '' or …") are not asked for
    assert "nianbao-needs" not in get(ds, "/corpus/review_litigation", province="").text


def test_a_query_needing_a_year_lists_nothing_without_it(served):
    ds, _ = served
    assert get(ds, "/corpus/issuers_without_report.json", _shape="array", year="", province="").json() == []
    assert get(ds, "/corpus/issuers_without_report.json", _shape="array", year="2023", province="").json()


def test_lists_of_years_are_in_year_order(tmp_path):
    from tests.test_datasette_fixtures import corpus_reports, insert_report, open_test_archive

    path = tmp_path / "years.db"
    db = open_test_archive(path)
    report = next(r for r in corpus_reports() if r.get("issuer"))
    with db.conn:   # one issuer's reports archived out of year order
        for year in (2021, 2019, 2023, 2020):
            insert_report(db, {**report, "url": f"{report['url']}?{year}", "year": year},
                          province="东江省", county="青溪县")
    db.close()
    rows = get(make_datasette(path), "/years/issuers_without_report.json", _shape="array", year="2022",
               province="").json()
    assert [r["years_with_report"] for r in rows] == ["2019, 2020, 2021, 2023"]


def test_year_facet_is_in_year_order(served):
    ds, _ = served
    html = get(ds, "/corpus/reports").text
    facet = re.search(r'id="facet-year".*?</ul>', html, re.S).group(0)
    years = [int(y) for y in re.findall(r">(\d{4})</a>", facet)]
    assert len(years) > 3 and years == sorted(years)
    counts = get(ds, "/corpus/reports.json").json()["facet_results"]["year"]["results"]
    assert [c["value"] for c in counts] != sorted(c["value"] for c in counts)   # Datasette's own order differs


def test_metadata_says_how_to_search_from_sql_and_its_example_runs(served):
    from archive.web.metadata import SQL_SEARCH_EXAMPLE

    ds, _ = served
    html = get(ds, "/corpus").text
    assert "nianbao_query(" in visible_text(html) and "match nianbao_query" in visible_text(html)
    rows = get(ds, "/corpus.json", sql=SQL_SEARCH_EXAMPLE, _shape="array").json()
    assert rows and all("«" in r["snippet"] and "»" in r["snippet"] for r in rows)
    # and the plain MATCH it warns about finds nothing
    plain = SQL_SEARCH_EXAMPLE.replace("nianbao_query('行政复议')", "'行政复议'")
    assert get(ds, "/corpus.json", sql=plain, _shape="array").json() == []


# --- Table search at scale ----------------------------------------------------------------------

def test_a_table_search_matching_too_many_reports_reads_only_its_page(served, monkeypatch):
    import archive.web.datasette_plugin as plugin

    ds, _ = served
    common = get(ds, "/corpus/reports.json", _search="公开", _size="max", _shape="objects").json()
    assert common["filtered_table_rows_count"] > 12 and common["facet_results"]
    newest_first = sorted(common["rows"], key=lambda r: -r["id"])
    monkeypatch.setattr(plugin, "RANK_LIMIT", 5)   # as if the archive were 100,000 reports
    large = get(ds, "/corpus/reports.json", _search="公开", _size="max", _shape="objects").json()
    assert large["filtered_table_rows_count"] is None and not large["facet_results"]
    assert large["rows"] == newest_first   # every match, newest archived first
    # page by page: nothing skipped, nothing twice
    shown, url = [], "/corpus/reports.json?" + urlencode({"_search": "公开", "_size": "5", "_shape": "objects"})
    while url:
        page = get(ds, url).json()
        shown += page["rows"]
        url = page["next_url"] and "/" + page["next_url"].split("://", 1)[1].split("/", 1)[1]
    assert shown == newest_first
    # with a filter
    year = newest_first[0]["year"]
    filtered = get(ds, "/corpus/reports.json", _search="公开", year=str(year), _size="max", _shape="objects").json()
    assert filtered["rows"] == [r for r in newest_first if r["year"] == year]
    # sorted by the person: Datasette's own search, still without total and facets
    by_year = get(ds, "/corpus/reports.json", _search="公开", _sort="year", _size="max", _shape="objects").json()
    assert sorted(r["id"] for r in by_year["rows"]) == sorted(r["id"] for r in newest_first)
    assert [r["year"] for r in by_year["rows"]] == sorted(r["year"] for r in newest_first)
    assert by_year["filtered_table_rows_count"] is None and not by_year["facet_results"]
    html = get(ds, "/corpus/reports", _search="公开").text
    assert "nianbao-large-search" in html and 'id="facet-year"' not in html
    assert 'value="公开"' in html   # the search box keeps the words
    # a search that matches few gets its total and facets, from a large search's link or its search box
    for params in ({"_nianbao_search": "自然资源局", "_sort_desc": "id", "_nocount": "1", "_nofacet": "1"},
                   {"_search": "自然资源局", "_nianbao_search": "公开", "_nocount": "1", "_nofacet": "1"}):
        rare = get(ds, "/corpus/reports.json", **params).json()
        assert 0 < rare["filtered_table_rows_count"] <= 5 and rare["facet_results"], params
    assert "nianbao-large-search" not in get(ds, "/corpus/reports", _search="自然资源局").text


def test_the_reports_list_page_selects_only_the_columns_it_shows(served, monkeypatch):
    """Datasette renders every selected cell before the template picks the list's columns: the page asks
    for REPORT_LIST_COLUMNS only (the body and ~20 other columns cost most of a large search's page).
    Asserted on the SQL Datasette runs; the JSON, a visitor's own ?_col= and "show all columns" keep theirs."""
    import archive.web.datasette_plugin as plugin
    from datasette.tracer import capture_traces

    ds, _ = served

    def page_select(path, **params):
        traces = []

        async def request():   # traces are captured per asyncio task
            with capture_traces(traces):
                return await (ds.client.get(path, params=params) if params else ds.client.get(path))
        response = asyncio.run(request())
        assert response.status_code == 200, (path, params, response.text[:300])
        selects = [t["sql"] for t in traces if re.match(r"select (?!count\().* from reports\b.* limit \d+$", t["sql"], re.S)
                   and "count(*)" not in t["sql"]]   # the page's rows, not its count or facets
        assert len(selects) == 1, selects
        return response, re.match(r"select (.*?) from reports", selects[0], re.S).group(1)

    monkeypatch.setattr(plugin, "RANK_LIMIT", 5)   # as if the archive were 100,000 reports
    for params in ({}, {"_search": "公开"}, {"_search": "自然资源局"}, {"year": "2021"}):
        response, columns = page_select("/corpus/reports", **params)
        assert columns.split(", ") == [c for c in REPORT_LIST_COLUMNS if c in columns.split(", ")], params
        assert "body" not in columns and {"id", "year", "issuer", "title"} <= set(columns.split(", "))
        shown = re.findall(r'data-column="([^"]+)"', re.search(r"<thead>.*?</thead>", response.text, re.S).group(0))
        assert shown == [c for c in REPORT_LIST_COLUMNS if c in shown] and "title" in shown
    html = page_select("/corpus/reports", _search="公开")[0].text
    assert "More than 5 reports contain these words" in html   # the count a large search shows
    # a link on the page (next page, sort, facet) asks again for the list's columns, not for the ones in its URL
    small_page = page_select("/corpus/reports", _search="公开", _size="2")[0].text
    next_link = re.search(r'href="(?:http://localhost)?([^"]*_next=[^"]*)"', small_page).group(1).replace("&amp;", "&")
    assert "_nianbao_list=1" in next_link
    assert "body" not in page_select(next_link)[1]
    # every column where asked: the JSON, "show all columns", a visitor's own ?_col=
    assert "body" in page_select("/corpus/reports.json", _search="公开")[1]
    all_columns = re.search(r'href="([^"]*_allcols=1[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "_nianbao_list" not in all_columns and "body" in page_select(all_columns)[1]
    assert page_select("/corpus/reports", _col="body")[1] == "id, body"


def test_a_large_table_search_says_how_many_it_counted_and_nothing_else_claims_it(served, monkeypatch):
    """The count a large search shows ("more than RANK_LIMIT") is what the bounded count found: in the page
    and in the JSON (nianbao_matches_more_than); a URL carrying _nocount/_nofacet or the mark itself claims
    nothing on a search that matches few."""
    import archive.web.datasette_plugin as plugin

    ds, _ = served
    monkeypatch.setattr(plugin, "RANK_LIMIT", 5)   # as if the archive were 100,000 reports
    for params in ({}, {"_sort": "year"}, {"year": "2021"}):
        large = get(ds, "/corpus/reports.json", _search="公开", **params).json()
        assert large["filtered_table_rows_count"] is None and large["nianbao_matches_more_than"] == 5, params
        assert "More than 5 reports contain these words" in get(ds, "/corpus/reports", _search="公开", **params).text
    for params in ({"_nocount": "1", "_nofacet": "1"}, {"_nianbao_more_than": "99", "_nocount": "1", "_nofacet": "1"},
                   {"_nianbao_more_than": "99"}):
        rare = get(ds, "/corpus/reports.json", _search="自然资源局", **params).json()
        assert "nianbao_matches_more_than" not in rare, params
        html = get(ds, "/corpus/reports", _search="自然资源局", **params).text
        assert "nianbao-large-search" not in html and "More than" not in html, params
    # the mark is not kept on a row page either
    report_id = get(ds, "/corpus/reports.json", _search="自然资源局", _shape="array").json()[0]["id"]
    assert "More than 99" not in get(ds, f"/corpus/reports/{report_id}", _nianbao_more_than="99", _search="x").text
