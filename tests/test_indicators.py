"""The panel of indicators: one row per report per indicator, from the table's cells or else the
report's text, stable keys across the 2019 and 2021 templates and the legacy reports; the table wins
a disagreement and it is flagged; level-aware series; the tidy export."""
import csv
import io
import re
import sqlite3

import pytest
from click.testing import CliRunner

from archive.indicators import DISAGREEMENT_CHECK, EXPORT_COLUMNS, UTF8_BOM
from archive.ingest import ingest
from archive.web.metadata import CANNED_QUERIES, numbers_sql
from archive.raw import RawResponse
from archive.reparse import reparse_archive
from archive.store import open_archive
from nianbao.cli import cli
from parsing.indicators import BY_KEY, INDICATORS
from parsing.report import parse_report
from parsing.stats_keys import TABLE2_COLUMNS, TABLE2_ROWS, TABLE3_ROWS, TABLE4_GROUPS, TABLE4_OUTCOMES
from tests.fixtures import CORPUS, load_fixture

FILES = CORPUS.parent / "files"


def ingest_fixture(archive, name, url=None, **raw_fields):
    raw, expected = load_fixture(CORPUS / f"{name}.json")
    if url:
        raw.url = url
    for key, value in raw_fields.items():
        setattr(raw, key, value)
    result = ingest(archive, raw)
    assert result.report_id is not None, result
    return result.report_id, expected


def panel(archive, report_id):
    return {indicator: (value, source, detail) for indicator, value, source, detail in archive.conn.execute(
        "select indicator, value, source, detail from indicators where report_id = ?", [report_id])}


def labelled(expected, table, row_key, column_key):
    """The sum of the hand-labelled cells (tests/corpus) a declared cell reference names."""
    cells = [s for s in expected["stats"] if s["table"] == table and s["column_key"] == column_key
             and (s["row_key"].startswith(row_key[:-1]) if row_key.endswith(".*") else s["row_key"] == row_key)]
    return sum(s["value"] for s in cells) if cells else None


@pytest.fixture
def archive(tmp_path):
    archive = open_archive(str(tmp_path / "a.db"))
    yield archive
    archive.close()


# --- the declaration -----------------------------------------------------------------------------

def test_indicator_keys_are_declared_once_and_name_real_cells():
    keys = [i.key for i in INDICATORS]
    assert len(keys) == len(set(keys))
    row_keys = {key for _, key, _ in TABLE2_ROWS} | {key for _, key in TABLE3_ROWS} | {"cases"}
    column_keys = ({key for _, key, _ in TABLE2_COLUMNS} | {"total"}
                   | {f"{g}.{o}" for g, _ in TABLE4_GROUPS for o, _ in TABLE4_OUTCOMES})
    for indicator in INDICATORS:
        assert indicator.zh and indicator.en and indicator.unit
        assert indicator.cells or indicator.text or indicator.figure, indicator.key
        for alternative in indicator.cells:
            for table, row_key, column_key in alternative:
                if row_key.endswith(".*"):
                    assert any(k.startswith(row_key[:-1]) for k in row_keys), (indicator.key, row_key)
                else:
                    assert row_key in row_keys, (indicator.key, row_key)
                assert column_key in column_keys, (indicator.key, column_key)
    # what the issue asks for, at least
    for key in ("requests.received", "requests.carried_over", "requests.granted", "requests.partly_granted",
                "requests.not_held", "requests.handled", "requests.carried_forward", "review.upheld",
                "review.corrected", "review.total", "litigation.corrected", "litigation.total", "regulations.issued",
                "normative_documents.issued", "fees.administrative_charges", "fees.information_processing"):
        assert key in BY_KEY, key
    assert len([k for k in keys if k.startswith("requests.refused.")]) == 8   # each reason for refusing


# --- the panel of each template ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["full_2019_a", "full_2021_b", "real_050"])
def test_table_reports_take_every_indicator_from_their_cells(archive, name):
    report_id, expected = ingest_fixture(archive, name)
    rows = panel(archive, report_id)
    checked = 0
    for indicator in INDICATORS:
        for alternative in indicator.cells:
            values = [labelled(expected, *cell) for cell in alternative]
            if any(v is not None for v in values):
                value, source, detail = rows[indicator.key]
                assert value == sum(v for v in values if v is not None), indicator.key
                assert source == "table" and detail.startswith("表"), indicator.key
                checked += 1
                break
    assert checked >= 30
    # one key across templates: 本年新制作数量 (2019) and 本年制发件数 (2021) are both .issued
    template = expected["template"]
    column = "made_this_year" if template == "2019" else "issued_this_year"
    cell = labelled(expected, 2, "art20_1.normative_documents", column)
    if cell is not None:
        assert rows["normative_documents.issued"][0] == cell


def test_the_2021_template_other_handling_sums_its_three_rows_and_fees_are_in_wan_yuan(archive):
    report_id, expected = ingest_fixture(archive, "full_2021_b")
    rows = panel(archive, report_id)
    assert rows["requests.other"][0] == labelled(expected, 3, "result.other.*", "total") == 10
    assert rows["fees.administrative_charges"][0] == 1286.45
    assert "万元" in rows["fees.administrative_charges"][2]


def test_a_legacy_report_gives_its_numbers_in_text_with_the_sentence(archive):
    report_id, _ = ingest_fixture(archive, "legacy_a")
    rows = panel(archive, report_id)
    assert {k: v for k, (v, s, _) in rows.items() if k.startswith("requests.")} == {
        "requests.received": 12, "requests.granted": 9, "requests.partly_granted": 1, "requests.refused": 0,
        # the old template's "信息不存在" 1 and "非本部门掌握" 1: the new template's one row
        "requests.not_held.not_held_by_body": 2, "requests.handled": 12}
    assert all(source == "text" for _, source, _ in rows.values())
    assert "受理政府信息公开申请12件" in rows["requests.received"][2]
    assert "同意公开9件" in rows["requests.granted"][2]
    assert rows["review.total"][0] == 0 and "未发生" in rows["review.total"][2]


def test_a_narrative_report_in_traditional_characters(archive):
    """湖南省政府办公厅 2020 (reports/018.json): 新收 190, 上年结转 10, 办结 198, 结转下年 2;
    复议 4 (维持 3, 尚未审结 1); 诉讼 4 (维持 3, 尚未审结 1) — TEMPLATE.md's real values."""
    report_id, _ = ingest_fixture(archive, "real_018")
    values = {k: v for k, (v, _, _) in panel(archive, report_id).items()}
    assert values == {"requests.received": 190, "requests.carried_over": 10, "requests.handled": 198,
                      "requests.carried_forward": 2, "review.upheld": 3, "review.pending": 1, "review.total": 4,
                      "litigation.upheld": 3, "litigation.pending": 1, "litigation.total": 4}


def test_counts_are_integers_in_the_archive(archive):
    for name in ("full_2019_a", "legacy_a", "real_018"):
        ingest_fixture(archive, name)
    types = dict(archive.conn.execute(
        "select indicator, group_concat(distinct typeof(value)) from indicators group by indicator"))
    assert types["requests.received"] == "integer" and types["review.total"] == "integer"


# --- a table-vs-text disagreement ----------------------------------------------------------------

def test_the_table_wins_a_disagreement_and_it_is_flagged(archive):
    """trad_a: 表四 行政复议 总计 prints 3; the narrative says 被申請行政復議2件."""
    report_id, _ = ingest_fixture(archive, "trad_a")
    value, source, detail = panel(archive, report_id)["review.total"]
    assert (value, source) == (3, "table")
    assert "≠ 正文 text 2" in detail and "行政復議2件" in detail
    check = archive.conn.execute("select ok, expected, actual from checks where report_id = ? and [check] = ?",
                                 [report_id, DISAGREEMENT_CHECK + "review.total"]).fetchone()
    assert check == (0, 2, 3)
    failed = archive.conn.execute("select [check] from failed_checks").fetchall()
    assert ("text.review.total",) in failed
    own = archive.conn.execute("select count(*) from checks where report_id = ? and not ok", [report_id]).fetchone()[0]
    assert archive.conn.execute("select checks_failed from reports where id = ?", [report_id]).fetchone()[0] == own
    # where the text agrees (received 18 in both), nothing is flagged
    assert "≠" not in panel(archive, report_id)["requests.received"][2]
    assert not archive.conn.execute("select 1 from checks where report_id = ? and [check] = 'text.requests.received'",
                                    [report_id]).fetchone()


def test_a_changed_narrative_number_is_flagged_against_the_table(archive):
    raw, expected = load_fixture(CORPUS / "full_2019_a.json")
    raw.body = raw.body.replace("全年共收到政府信息公开申请45件".encode(), "全年共收到政府信息公开申请46件".encode())
    report_id = ingest(archive, raw).report_id
    value, source, detail = panel(archive, report_id)["requests.received"]
    assert (value, source) == (labelled(expected, 3, "new_requests", "total"), "table") == (45, "table")
    assert "≠ 正文 text 46" in detail
    assert archive.conn.execute("select expected, actual from checks where report_id = ? and [check] = ?",
                                [report_id, "text.requests.received"]).fetchone() == (46, 45)


# --- the demo portal: 2020–2022 reports keep their counts only in text ------------------------------

def demo_archive(path):
    """The demo portal's HTML report pages, ingested offline (no server) with the portals CSV's places
    and division codes, as `nianbao demo` crawls them."""
    import demo_portal
    from archive.divisions import DEMO_REGISTRY_CSV, registry_rows
    from demo_portal.render import ORIGIN
    from nianbao.cli import DEMO_PLACES

    archive = open_archive(str(path))
    site = demo_portal.build_site()
    codes = {row["name"]: row["code"] for row in registry_rows(DEMO_REGISTRY_CSV)}
    origin = "http://127.0.0.1:8000"
    portals = {p["portal"]: p for p in demo_portal.PORTALS}
    for report in demo_portal.REPORTS:
        if report["shape"] != "page":
            continue
        portal = portals[report["portal"]]
        portal_url = origin + portal["homepage"]
        province, city = DEMO_PLACES[portal["family"]]
        archive.portal_id(portal_url, name=portal["site"], province=province, city=city, county=portal["county"],
                          code=codes[portal["county"]])
        page = site[report["path"]]
        body = page.body.replace(ORIGIN.encode(), origin.encode()) if page.absolute else page.body
        ingest(archive, RawResponse(url=origin + report["path"], status=200, body=body, route="report",
                                    headers=[("Content-Type", page.content_type)], portal_url=portal_url))
    return archive


def test_the_demo_county_2020_report_counts_come_from_its_text(tmp_path):
    archive = demo_archive(tmp_path / "demo.db")
    try:
        rows = archive.conn.execute("""
            select reports.year, indicators.value, indicators.source, indicators.detail, indicators.division_code,
                   indicators.level
            from indicators join reports on reports.id = indicators.report_id
            where reports.issuer = '鹤湾县人民政府' and indicators.indicator = 'requests.received'
            order by reports.year""").fetchall()
        by_year = {year: (value, source) for year, value, source, *_ in rows}
        assert by_year[2020] == (19, "text")
        assert by_year[2019][1] == "table"
        assert "收到政府信息公开申请19件" in rows[[r[0] for r in rows].index(2020)][3]
        # division_code and level copied from the report
        assert {(r[4], r[5]) for r in rows} == set(archive.conn.execute(
            "select division_code, level from reports where issuer = '鹤湾县人民政府'").fetchall())
        # the time series has no hole: applications_per_year reads the panel
        years = [y for (y,) in archive.conn.execute(
            "select year from applications_per_year where issuer = '鹤湾县人民政府' order by year")]
        assert 2020 in years and 2019 in years
    finally:
        archive.close()


# --- level-aware series, nothing counted twice -----------------------------------------------------

def write(archive, name, url, *, issuer, level, code="900201", province="演示东省", county="鹤湾县", gone=None):
    raw, _ = load_fixture(CORPUS / f"{name}.json")
    report = parse_report(raw.body, url)
    report.issuer = issuer
    with archive.transaction():
        report_id = archive.write_report(report, url=url, level=level, division_code=code, province=province,
                                         county=county)
        if gone:
            archive.set_report_fields(report_id, gone_since=gone)
    return report_id


def set_year(archive, report_id, year):
    archive.conn.execute("update reports set year = ? where id = ?", [year, report_id])
    archive.conn.execute("update indicators set year = ? where report_id = ?", [year, report_id])


def county_rows(archive, **params):
    sql = next(q["sql"] for name, _, q in CANNED_QUERIES if name == "requests_by_county")
    cursor = archive.conn.execute(sql, {"province": "演示东省", "level": "", **params})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def test_series_keep_levels_apart_and_count_a_report_once(archive):
    government = write(archive, "full_2019_a", "http://a/gov.html", issuer="鹤湾县人民政府", level="government")
    # the same report again at a second URL (the portal published it twice), the first one gone
    write(archive, "full_2019_a", "http://a/gov-copy.html", issuer="鹤湾县人民政府", level="government",
          gone="2025-01-01")
    dept_a = write(archive, "full_2019_b", "http://a/dept-a.html", issuer="鹤湾县民政局", level="department")
    write(archive, "full_2019_b", "http://a/dept-a-copy.html", issuer="鹤湾县民政局", level="department")
    dept_b = write(archive, "full_2019_c", "http://a/dept-b.html", issuer="鹤湾县教育局", level="department")
    town = write(archive, "full_mismatch", "http://a/town.html", issuer="鹤湾县白沙镇人民政府", level="township")
    for report_id in (dept_b, town):  # their pages say other years: all of them 2019 here
        set_year(archive, report_id, 2019)

    def received(report_id):
        return archive.conn.execute("select value from indicators where report_id = ? and "
                                    "indicator = 'requests.received'", [report_id]).fetchone()[0]

    series = {(level, value, reports) for level, value, reports in archive.conn.execute(
        "select level, value, reports from indicator_series where division_code = '900201' and year = 2019 "
        "and indicator = 'requests.received'")}
    assert series == {("government", received(government), 1),
                      ("department", received(dept_a) + received(dept_b), 2),
                      ("township", received(town), 1)}
    # the canned query: the government's own by default, departments and townships in their columns
    [row] = county_rows(archive)
    assert (row["level"], row["received"], row["reports"]) == ("government", received(government), 1)
    assert row["departments_received"] == received(dept_a) + received(dept_b) and row["department_reports"] == 2
    assert row["townships_received"] == received(town)
    [row] = county_rows(archive, level="department")
    assert row["received"] == received(dept_a) + received(dept_b)
    # the chart sums the chosen level only
    chart = {(year, measure): count for year, measure, count in archive.conn.execute(
        numbers_sql(True).replace("[[ and reports.province = :province ]]", ""), {"level": "", "issuer": ""})}
    assert chart[(2019, "本年新收申请 applications received")] == received(government)


def test_the_chart_has_a_row_for_every_year_so_a_gap_shows(archive):
    for year, url in ((2016, "http://a/2016.html"), (2019, "http://a/2019.html"), (2020, "http://a/2020.html")):
        report_id = write(archive, "full_2019_a", url, issuer="鹤湾县人民政府", level="government")
        set_year(archive, report_id, year)
    sql = numbers_sql(False)
    rows = archive.conn.execute(sql, {"level": "", "issuer": ""}).fetchall()
    received = [(year, count) for year, measure, count in rows if measure.startswith("本年新收申请")]
    assert [year for year, _ in received] == [2016, 2017, 2018, 2019, 2020]
    assert [count is None for _, count in received] == [False, True, True, False, False]
    # legends in Chinese with English
    assert all(re.search(r"[\u4e00-\u9fff]", m) and re.search(r"[a-z]", m) for _, m, _ in rows)


# --- rebuilt by reparse; filled on upgrade --------------------------------------------------------

def test_reparse_rebuilds_the_same_panel(archive):
    for name in ("full_2019_a", "full_2021_b", "legacy_a", "trad_a"):
        ingest_fixture(archive, name, route="report")

    def snapshot():
        return sorted(archive.conn.execute(
            "select r.url, i.indicator, i.value, i.source, i.detail, i.year, i.level from indicators i "
            "join reports r on r.id = i.report_id"))
    before = snapshot()
    assert before
    archive.conn.execute("update indicators set value = -1")
    archive.conn.execute("insert into indicators (report_id, indicator, value, source) "
                         "select id, 'stale.key', 1, 'table' from reports")
    reparse_archive(archive, jobs=1)
    assert snapshot() == before


def test_an_archive_made_before_the_panel_gets_it_on_upgrade(tmp_path):
    import shutil

    path = tmp_path / "old.db"
    shutil.copy(FILES / "archive_v1.db", path)
    cells = sqlite3.connect(path).execute("select report_id, value from stats where table_no = 3 "
                                          "and row_key = 'new_requests' and column_key = 'total'").fetchall()
    assert cells
    archive = open_archive(str(path))
    try:
        for report_id, value in cells:
            assert archive.conn.execute("select value, source from indicators where report_id = ? and "
                                        "indicator = 'requests.received'", [report_id]).fetchone() == (value, "table")
    finally:
        archive.close()


# --- nianbao export-panel ----------------------------------------------------------------------

@pytest.fixture
def exported_archive(tmp_path):
    path = tmp_path / "a.db"
    archive = open_archive(str(path))
    for name in ("full_2019_a", "legacy_a", "trad_a"):
        ingest_fixture(archive, name)
    count = archive.conn.execute("select count(*) from indicators").fetchone()[0]
    archive.close()
    return path, count


def test_export_panel_csv_with_a_bom_for_excel(exported_archive, tmp_path):
    db, count = exported_archive
    out = tmp_path / "panel.csv"
    result = CliRunner().invoke(cli, ["export-panel", "--db", str(db), str(out), "--bom"])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(UTF8_BOM.encode()) and data.count(UTF8_BOM.encode()) == 1
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == EXPORT_COLUMNS and len(rows) == count
    received = [r for r in rows if r["indicator"] == "requests.received"]
    assert {r["value"] for r in received} == {"45", "12", "18"}   # integers as written, not 45.0
    assert all(r["label_zh"] and r["unit"] and r["source"] in ("table", "text") for r in rows)
    assert any("县" in (r["issuer"] or "") for r in rows)
    # without --bom: the same CSV, no BOM
    plain = tmp_path / "plain.csv"
    assert CliRunner().invoke(cli, ["export-panel", "--db", str(db), str(plain)]).exit_code == 0
    assert data[len(UTF8_BOM.encode()):] == plain.read_bytes()


def test_export_panel_parquet(exported_archive, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed (pip install 'nianbao[parquet]')")
    db, count = exported_archive
    out = tmp_path / "panel.parquet"
    result = CliRunner().invoke(cli, ["export-panel", "--db", str(db), str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == count and tuple(table.column_names) == EXPORT_COLUMNS
    assert str(table.schema.field("year").type) == "int64"


@pytest.mark.parametrize("args, says", [
    (["panel.xlsx"], "OUT.csv or OUT.parquet"),
    (["panel.parquet", "--bom"], "--bom is for CSV"),
])
def test_export_panel_usage_mistakes_are_one_line(exported_archive, tmp_path, args, says):
    db, _ = exported_archive
    result = CliRunner().invoke(cli, ["export-panel", "--db", str(db), str(tmp_path / args[0]), *args[1:]])
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / args[0]).exists()


def test_export_panel_never_writes_over_the_archive(exported_archive):
    db, _ = exported_archive
    before = db.read_bytes()
    copy = db.with_suffix(".csv")
    db.rename(copy)   # an archive whose name ends in .csv, given as OUT too
    result = CliRunner().invoke(cli, ["export-panel", "--db", str(copy), str(copy)])
    assert result.exit_code == 2 and "archive itself" in result.output
    assert copy.read_bytes() == before
