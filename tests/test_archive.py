"""The archive: schema, upsert by URL, sections, fetch ledger (in-memory databases)."""
import json

import pytest

from archive.schema import TABLES, ensure_schema
from archive.store import open_archive, record_fetch, store_report


def sample_report(url="http://portal.example.gov.cn/art/2020/1/20/art_1_1.html", **over):
    report = {
        "url": url, "title": "青田县政府信息公开工作2019年度报告", "year": 2019, "issuer": "青田县",
        "published": "2020-01-20", "template": "2019", "body": "一、总体情况\n公开……",
        "encoding": "utf-8",
        "sections": [{"number": 1, "heading": "一、总体情况", "text": "公开……"},
                     {"number": 2, "heading": "二、主动公开政府信息情况", "text": ""}],
        "contact": {"address": "青田县鹤城中路33号", "postcode": "323900", "phones": ["0578-6508316"],
                    "fax": [], "email": "997408914@qq.com"},
    }
    report.update(over)
    return report


@pytest.fixture
def db():
    return open_archive(":memory:")


def test_schema_has_public_columns(db):
    columns = set(db["reports"].columns_dict)
    assert {"id", "url", "title", "year", "issuer", "published", "template", "body", "address",
            "postcode", "phones", "fax", "email", "fetched_at", "portal_id"} <= columns
    assert {"report_id", "number", "heading", "text"} <= set(db["sections"].columns_dict)
    assert set(db["stats"].columns_dict) == {"report_id", "table_no", "row_key", "row_label", "column_key",
                                             "column_label", "value", "unit", "blank"}
    assert set(db["checks"].columns_dict) == {"report_id", "check", "ok", "expected", "actual"}


def test_ensure_schema_is_rerunnable_and_adds_missing_columns(db):
    db.execute("create table t_dummy (x)")
    ensure_schema(db)
    ensure_schema(db)
    assert set(TABLES) <= set(db.table_names())


def test_ensure_schema_upgrades_an_old_reports_table():
    import sqlite_utils

    old = sqlite_utils.Database(memory=True)
    old["reports"].create({"id": int, "url": str, "title": str}, pk="id")
    old["reports"].insert({"url": "http://a/1", "title": "t"})
    ensure_schema(old)
    assert "template" in old["reports"].columns_dict
    assert old["reports"].count == 1


def test_store_report_writes_row_sections_and_contact(db):
    report_id = store_report(db, sample_report(), portal_url="http://portal.example.gov.cn/")
    row = db["reports"].get(report_id)
    assert row["title"] == "青田县政府信息公开工作2019年度报告"
    assert row["postcode"] == "323900"
    assert json.loads(row["phones"]) == ["0578-6508316"]
    assert row["section_count"] == 2
    assert [r["heading"] for r in db["sections"].rows_where("report_id = ?", [report_id], order_by="number")] == [
        "一、总体情况", "二、主动公开政府信息情况"]
    assert db["portals"].count == 1


def test_storing_twice_updates_in_place(db):
    first = store_report(db, sample_report())
    second = store_report(db, sample_report(title="青田县政府信息公开工作2019年度报告（修订）",
                                            sections=[{"number": 1, "heading": "一、总体情况", "text": "x"}]))
    assert first == second
    assert db["reports"].count == 1
    assert db["sections"].count == 1
    assert db.execute("select count(*) from reports_fts").fetchone()[0] == 1


def test_fetch_ledger_keeps_latest_outcome_per_url(db):
    record_fetch(db, "http://a/1.html", "http_error", http_status=500)
    record_fetch(db, "http://a/1.html", "stored", http_status=200)
    rows = list(db["fetches"].rows)
    assert len(rows) == 1 and rows[0]["outcome"] == "stored"


def test_store_report_writes_stats_checks_and_figures(db):
    report = sample_report(
        stats=[{"table": 3, "row": "一、本年新收政府信息公开申请数量", "column": "总计", "row_key": "new_requests",
                "column_key": "total", "value": 12, "unit": None, "blank": False},
               {"table": 2, "row": "第二十条第（八）项/行政事业性收费", "column": "本年收费金额（单位：万元）",
                "row_key": "art20_8.fees", "column_key": "fee_amount", "value": 20.3, "unit": "万元", "blank": False}],
        checks=[{"check": "t3.balance.total", "ok": False, "expected": 12, "actual": 11}],
        figures=[{"name": "requests_received", "value": 12, "unit": "件", "sentence": "共收到申请12件。"}],
        tables_missing=[4],
    )
    report_id = store_report(db, report)
    rows = {(r["row_key"], r["column_key"]): r for r in db["stats"].rows_where("report_id = ?", [report_id])}
    assert rows[("art20_8.fees", "fee_amount")]["value"] == 20.3
    assert rows[("art20_8.fees", "fee_amount")]["unit"] == "万元"
    assert db.execute("select applications_received from applications_per_year").fetchall() == [(12,)]
    assert db.execute("select [check], expected, actual from failed_checks").fetchall() == [("t3.balance.total", 12, 11)]
    assert db["reports"].get(report_id)["checks_failed"] == 1
    assert json.loads(db["reports"].get(report_id)["tables_missing"]) == [4]
    assert db["figures"].count == 1
    store_report(db, {**report, "stats": [], "checks": [], "figures": []})
    assert db["stats"].count == 0 and db["checks"].count == 0 and db["figures"].count == 0
