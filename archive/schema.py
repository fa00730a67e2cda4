"""The archive's tables, declared as data and applied by a re-runnable function.

``ensure_schema(db)`` creates what is missing and adds missing columns, so an
archive made by an older nianbao is brought up to date in place, never rebuilt.
Later additions (statistics tables, raw responses, revisions) are new entries
here, not rewrites.
"""
from __future__ import annotations

import sqlite_utils

TABLES: dict[str, dict] = {
    "portals": {
        "columns": {"id": int, "url": str, "name": str, "province": str, "city": str,
                    "county": str, "family": str, "first_seen": str, "last_crawled": str},
        "pk": "id",
        "unique": [["url"]],
    },
    "reports": {
        "columns": {
            "id": int, "url": str, "title": str, "year": int, "issuer": str,
            "published": str, "template": str, "body": str, "address": str,
            "postcode": str, "phones": str, "fax": str, "email": str,
            "fetched_at": str, "portal_id": int, "portal_url": str, "encoding": str,
            "http_status": int, "content_sha256": str, "section_count": int,
            "tables_missing": str, "checks_failed": int, "warnings": str,
        },
        "pk": "id",
        "not_null": {"url"},
        "unique": [["url"]],
        "foreign_keys": [("portal_id", "portals", "id")],
        "indexes": [["year"], ["issuer"], ["portal_id"]],
    },
    "sections": {
        "columns": {"report_id": int, "number": int, "heading": str, "kind": str, "text": str},
        "pk": ("report_id", "number"),
        "foreign_keys": [("report_id", "reports", "id")],
        "indexes": [["kind"]],
    },
    # Every cell of the statistics tables 二/三/四; keys are stable across templates.
    "stats": {
        "columns": {"report_id": int, "table_no": int, "row_key": str, "row_label": str,
                    "column_key": str, "column_label": str, "value": float, "unit": str, "blank": int},
        "pk": ("report_id", "table_no", "row_key", "column_key"),
        "foreign_keys": [("report_id", "reports", "id")],
        "indexes": [["row_key", "column_key"]],
    },
    # 勾稽关系: does the report's own arithmetic hold? (never corrected)
    "checks": {
        "columns": {"report_id": int, "check": str, "ok": int, "expected": float, "actual": float},
        "pk": ("report_id", "check"),
        "foreign_keys": [("report_id", "reports", "id")],
    },
    "figures": {
        "columns": {"report_id": int, "name": str, "value": float, "unit": str, "sentence": str},
        "pk": ("report_id", "name"),
        "foreign_keys": [("report_id", "reports", "id")],
    },
    # One row per URL the crawler decided about: the fetch ledger. Outcomes:
    # stored, not_report (fetched, title is a look-alike), skipped (link text
    # was a look-alike, not fetched), listing, http_error, error.
    "fetches": {
        "columns": {"id": int, "url": str, "portal_url": str, "outcome": str, "reason": str,
                    "title": str, "http_status": int, "fetched_at": str},
        "pk": "id",
        "unique": [["url"]],
        "indexes": [["outcome"]],
    },
}

FTS_TABLE = "reports_fts"
# A standalone FTS5 table (not sqlite-utils' enable_fts, which indexes the
# table's own columns verbatim): rowid = reports.id, columns hold the
# per-character text made by archive.search.index_text.
FTS_SQL = f"CREATE VIRTUAL TABLE IF NOT EXISTS [{FTS_TABLE}] USING fts5(title, body, tokenize='unicode61')"

VIEWS = {
    "report_overview": """
        select reports.id, reports.year, reports.issuer, reports.title, reports.published,
               reports.template, reports.section_count, reports.postcode, reports.phones,
               reports.email, portals.name as portal, reports.url
        from reports left join portals on portals.id = reports.portal_id
        order by reports.year desc, reports.issuer
    """,
    "applications_per_year": """
        select reports.issuer, reports.year, stats.value as applications_received, reports.url
        from stats join reports on reports.id = stats.report_id
        where stats.table_no = 3 and stats.row_key = 'new_requests' and stats.column_key = 'total'
        order by reports.issuer, reports.year
    """,
    "failed_checks": """
        select reports.issuer, reports.year, checks.[check], checks.expected, checks.actual, reports.url
        from checks join reports on reports.id = checks.report_id where not checks.ok
    """,
    "fetch_outcomes": """
        select portal_url, outcome, count(*) as n from fetches group by portal_url, outcome
    """,
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns, indexes, the FTS table and views."""
    db.execute("PRAGMA foreign_keys = ON")
    if db.journal_mode != "wal" and db.conn.execute("PRAGMA database_list").fetchone()[2]:
        db.enable_wal()
    for name, spec in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"], not_null=spec.get("not_null"),
                         foreign_keys=spec.get("foreign_keys"))
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            for column, col_type in missing.items():
                table.add_column(column, col_type)
        for cols in spec.get("unique", []):
            table.create_index(cols, unique=True, if_not_exists=True)
        for cols in spec.get("indexes", []):
            table.create_index(cols, if_not_exists=True)
    db.execute(FTS_SQL)
    for name, sql in VIEWS.items():
        db.create_view(name, sql, replace=True)
