"""Writing to the archive: upsert by URL, one transaction per report."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlite_utils

from .schema import FTS_TABLE, ensure_schema
from .search import index_text


CHILD_TABLES = ("sections", "stats", "checks", "figures")


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def open_archive(path: str) -> sqlite_utils.Database:
    """Open (creating if needed) an archive and bring its schema up to date."""
    db = sqlite_utils.Database(path) if path != ":memory:" else sqlite_utils.Database(memory=True)
    ensure_schema(db)
    return db


def _id_for(db: sqlite_utils.Database, table: str, url: str) -> int | None:
    row = db.execute(f"select id from [{table}] where url = ?", [url]).fetchone()
    return row[0] if row else None


def upsert_portal(db: sqlite_utils.Database, url: str, **fields) -> int:
    """The portal's id, creating or updating its row (fields: name, province, …)."""
    values = {k: v for k, v in fields.items() if v not in (None, "")}
    existing = _id_for(db, "portals", url)
    if existing is None:
        return db["portals"].insert({"url": url, "first_seen": now_iso(), **values}).last_pk
    if values:
        db["portals"].update(existing, values)
    return existing


def store_report(db: sqlite_utils.Database, report: dict, *, portal_url: str | None = None,
                 fetched_at: str | None = None, http_status: int | None = None,
                 content_sha256: str | None = None) -> int:
    """Insert or update one parsed report (a ``Report.to_dict()``) and its sections.

    Keyed by URL: storing the same page twice updates the row in place.
    """
    contact = report.get("contact") or {}
    portal_id = upsert_portal(db, portal_url) if portal_url else None
    row = {
        "url": report["url"], "title": report.get("title"), "year": report.get("year"),
        "issuer": report.get("issuer"), "published": report.get("published"),
        "template": report.get("template"), "body": report.get("body"),
        "address": contact.get("address"), "postcode": contact.get("postcode"),
        "phones": json.dumps(contact.get("phones") or [], ensure_ascii=False),
        "fax": json.dumps(contact.get("fax") or [], ensure_ascii=False),
        "email": contact.get("email"), "fetched_at": fetched_at or now_iso(),
        "portal_id": portal_id, "portal_url": portal_url, "encoding": report.get("encoding"),
        "http_status": http_status, "content_sha256": content_sha256,
        "section_count": len(report.get("sections") or []),
        "tables_missing": json.dumps(report.get("tables_missing") or []),
        "checks_failed": sum(1 for c in report.get("checks") or [] if not c["ok"]),
        "warnings": json.dumps(report.get("warnings") or [], ensure_ascii=False),
    }
    with db.conn:
        report_id = _id_for(db, "reports", row["url"])
        if report_id is None:
            report_id = db["reports"].insert(row).last_pk
        else:
            db["reports"].update(report_id, row)
        for table in CHILD_TABLES:
            db.execute(f"delete from [{table}] where report_id = ?", [report_id])
        db["sections"].insert_all(
            {"report_id": report_id, "number": s["number"], "heading": s["heading"],
             "kind": s.get("kind"), "text": s["text"]}
            for s in report.get("sections") or []
        )
        db["stats"].insert_all(
            {"report_id": report_id, "table_no": s["table"], "row_key": s["row_key"], "row_label": s["row"],
             "column_key": s["column_key"], "column_label": s["column"], "value": s["value"],
             "unit": s["unit"], "blank": int(s["blank"])}
            for s in report.get("stats") or []
        )
        db["checks"].insert_all(
            {"report_id": report_id, **c, "ok": int(c["ok"])} for c in report.get("checks") or []
        )
        db["figures"].insert_all(
            {"report_id": report_id, **f} for f in report.get("figures") or []
        )
        db.execute(f"delete from [{FTS_TABLE}] where rowid = ?", [report_id])
        db.execute(
            f"insert into [{FTS_TABLE}] (rowid, title, body) values (?, ?, ?)",
            [report_id, index_text(row["title"]), index_text(row["body"])],
        )
    return report_id


def record_fetch(db: sqlite_utils.Database, url: str, outcome: str, *, reason: str | None = None,
                 title: str | None = None, portal_url: str | None = None,
                 http_status: int | None = None) -> None:
    """Note what the crawler decided about a URL (the latest decision wins)."""
    row = {"url": url, "outcome": outcome, "reason": reason, "title": title,
           "portal_url": portal_url, "http_status": http_status, "fetched_at": now_iso()}
    existing = _id_for(db, "fetches", url)
    with db.conn:
        if existing is None:
            db["fetches"].insert(row)
        else:
            db["fetches"].update(existing, row)
