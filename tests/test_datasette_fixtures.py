"""Small archives for the Datasette tests and the search benchmark, built from the labelled corpus.

Rows are written with plain sqlite-utils inserts in the archive's schema
(archive.schema.ensure_schema, columns as in helpers' SCHEMA.md) rather than
through the crawler's write path, so these tests exercise serving only. Places
and issuer levels are given to the corpus reports here (the corpus pages do
not carry a portal registry) so that facets on them have something to show.
"""
from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from archive.indicators import write_indicators
from archive.schema import FTS_TABLE, ensure_schema
from archive.search import index_text
from parsing.evaluate import fixture_paths, parse_fixture, read_fixture
from parsing.indicators import read_indicators

CORPUS = Path(__file__).parent / "corpus"
# Fictional places, assigned in turn to the corpus reports.
PLACES = (("东江省", "青川市", "青溪县"), ("东江省", "青川市", "云岭县"), ("西岭省", "石门市", "石门川县"),
          ("西岭省", "石门市", "桃源湾县"))
HOSTILE_TITLE = '<script>alert("title")</script>青溪县2023年政府信息公开工作年度报告'
HOSTILE_BODY = ('一、总体情况\n<img src=x onerror="alert(1)">本机关公开政府信息。'
                '<a href="javascript:alert(2)">点此</a>\n二、主动公开政府信息情况\n<script>alert(3)</script>')
HOSTILE_URL = "javascript:alert(4)//青溪县年报"
# A report published as pictures only (图片版), as the parser reads the saved page.
IMAGE_ONLY_PAGE = Path(__file__).parent / "files" / "pages" / "signals" / "image_only.html"
IMAGE_ONLY_URL = "http://www.example.gov.cn/art/2023/1/18/art_1229_3456789.html"


def issuer_level(issuer: str | None) -> str | None:
    """A rough level for test data: enough to give the level facet several values."""
    if not issuer:
        return None
    if issuer.endswith(("乡", "镇", "街道", "乡人民政府", "镇人民政府", "街道办事处")):
        return "township"
    if issuer.endswith(("办公室", "办公厅")):
        return "government_office"
    if issuer.endswith(("局", "委员会", "委", "厅", "中心")):
        return "department"
    return "government"


def corpus_reports() -> list[dict]:
    """Every labelled corpus page, parsed (Report.to_dict()), in file order."""
    reports = []
    for path in fixture_paths(CORPUS):
        reports.append(parse_fixture(read_fixture(path)))
    return reports


def open_test_archive(path: str | Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(str(path))
    ensure_schema(db)
    return db


def insert_report(db: sqlite_utils.Database, report: dict, **columns) -> int:
    """One parsed report and its children, as the archive stores them; COLUMNS override reports columns."""
    contact = report.get("contact") or {}
    row = {
        "url": report["url"], "title": report.get("title"), "year": report.get("year"),
        "issuer": report.get("issuer"), "published": report.get("published"),
        "template": report.get("template"), "body": report.get("body"),
        "address": contact.get("address"), "postcode": contact.get("postcode"),
        "phones": json.dumps(contact.get("phones") or [], ensure_ascii=False),
        "fax": json.dumps(contact.get("fax") or [], ensure_ascii=False),
        "email": contact.get("email"), "fetched_at": "2025-01-01T00:00:00+00:00",
        "encoding": report.get("encoding"), "section_count": len(report.get("sections") or []),
        "tables_missing": json.dumps(report.get("tables_missing") or []),
        "checks_failed": sum(1 for c in report.get("checks") or [] if not c["ok"]),
        "warnings": json.dumps(report.get("warnings") or [], ensure_ascii=False),
        "image_only": int(bool(report.get("image_only"))),
        "images": json.dumps(report.get("images") or [], ensure_ascii=False) if report.get("image_only") else None,
        **columns,
    }
    known = set(db["reports"].columns_dict)
    report_id = db["reports"].insert({k: v for k, v in row.items() if k in known}).last_pk
    db["sections"].insert_all({"report_id": report_id, "number": s["number"], "heading": s["heading"],
                               "kind": s.get("kind"), "text": s["text"]} for s in report.get("sections") or [])
    for position, s in enumerate(report.get("stats") or []):  # the stats view reads stat_cells + stat_labels
        db.execute("insert or ignore into stat_labels (row_label, column_label) values (?, ?)", [s["row"], s["column"]])
        label_id = db.execute("select id from stat_labels where row_label = ? and column_label = ?",
                              [s["row"], s["column"]]).fetchone()[0]
        db.execute("insert into stat_cells (report_id, table_no, row_key, column_key, label_id, value, unit, blank,"
                   " position) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [report_id, s["table"], s["row_key"], s["column_key"], label_id, s["value"], s["unit"],
                    int(s["blank"]), position])
    db["checks"].insert_all({"report_id": report_id, "check": c["check"], "ok": int(c["ok"]),
                             "expected": c["expected"], "actual": c["actual"]} for c in report.get("checks") or [])
    db["figures"].insert_all({"report_id": report_id, "name": f["name"], "value": f["value"], "unit": f["unit"],
                              "sentence": f["sentence"]} for f in report.get("figures") or [])
    # the panel, as Archive.write_report writes it
    write_indicators(db.conn, report_id, read_indicators(report.get("stats") or [], row["body"] or "",
                                                         report.get("figures")),
                     year=row["year"], level=row.get("level"), division_code=row.get("division_code"))
    db.execute(f"insert into [{FTS_TABLE}] (rowid, title, body) values (?, ?, ?)",
               [report_id, index_text(row["title"]), index_text(row["body"])])
    # db.execute's writes open a transaction that sqlite-utils' inserts (savepoints) do not end:
    # committed here, or a caller that just closes the archive would lose them
    db.conn.commit()
    return report_id


def place_columns(i: int, issuer: str | None) -> dict:
    province, city, county = PLACES[i % len(PLACES)]
    return {"province": province, "city": city, "county": county, "level": issuer_level(issuer)}


def image_only_report() -> dict:
    """The saved image-only page, parsed (Report.to_dict())."""
    from parsing.report import parse_report

    return parse_report(IMAGE_ONLY_PAGE.read_bytes(), IMAGE_ONLY_URL).to_dict()


def build_corpus_archive(path: str | Path, *, hostile: bool = False, image_only: bool = False) -> dict[str, int]:
    """An archive of the corpus reports (plus, if HOSTILE, a report full of markup; if IMAGE_ONLY,
    the image-only page); {url: id}."""
    db = open_test_archive(path)
    ids = {}
    with db.conn:
        for i, report in enumerate(corpus_reports()):
            ids[report["url"]] = insert_report(db, report, **place_columns(i, report.get("issuer")))
        if hostile:
            report = {"url": HOSTILE_URL, "title": HOSTILE_TITLE, "year": 2023, "issuer": "<b>青溪县</b>",
                      "published": "2024-01-20", "template": "2021", "body": HOSTILE_BODY,
                      "sections": [{"number": 1, "heading": "一、总体情况<script>alert(5)</script>",
                                    "kind": "overview", "text": '<img src=x onerror="alert(1)">本机关公开政府信息。'}],
                      "contact": {"address": "<script>alert(6)</script>", "postcode": None,
                                  "phones": ["<i>0578</i>"], "fax": [], "email": "javascript:alert(7)"},
                      "stats": [{"table": 3, "row": "<b>一、本年新收</b>", "column": "总计",
                                 "row_key": "new_requests", "column_key": "total", "value": 9.0,
                                 "unit": "<script>", "blank": False}],
                      "checks": []}
            ids[HOSTILE_URL] = insert_report(db, report, **place_columns(0, report["issuer"]))
        if image_only:
            report = image_only_report()
            ids[IMAGE_ONLY_URL] = insert_report(db, report, **place_columns(1, report.get("issuer")))
    db.conn.execute("pragma wal_checkpoint(truncate)")
    db.close()
    return ids
