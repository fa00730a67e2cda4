"""The archive's tables, declared as data and applied by a re-runnable function.

The archive stores responses; everything else is derived from them:

- ``bodies``: every body a portal served, once, content-addressed by SHA-256 and
  compressed (zlib);
- ``responses``: the append-only ledger, one row per fetch attempt and its
  outcome (a 404, a skipped look-alike link and a stored report alike);
- ``reports`` and its children (sections, stats, checks, figures, search rows):
  what today's parser made of the latest good response for a URL, rebuilt by
  ``nianbao reparse``; ``revisions`` keeps what a report said before its bytes
  changed;
- ``crawl_runs``: one row per crawl.

``ensure_schema(db)`` creates what is missing, adds missing columns and applies
the named data migrations once each (recorded in ``schema_migrations``), so an
archive made by an older nianbao is upgraded in place, never rebuilt.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlite_utils

from .divisions import FIRST_REPORT_YEAR, GOVERNMENT_REPORT_DUE, REGISTRY_CSV, registry_digest, registry_rows

TABLES: dict[str, dict] = {
    "portals": {
        # code: the division code the portals CSV gives; site_id: the 政府网站标识码 its pages print;
        # division_code: the portal's division as nianbao reads it (code, else the 标识码's, else
        # the CSV's place names looked up in the registry)
        "columns": {"id": int, "url": str, "name": str, "province": str, "city": str,
                    "county": str, "family": str, "first_seen": str, "last_crawled": str,
                    "code": str, "site_id": str, "division_code": str},
        "pk": "id",
        "unique": [["url"]],
    },
    # China's administrative divisions, GB/T 2260 (archive/divisions.py; one row per code and
    # name: a code renamed in place has two). valid_to: first year no longer valid, NULL in use.
    # source: 'gb2260' (the packaged registry, reloaded when it changes) or 'demo'.
    "divisions": {
        "columns": {"code": str, "name": str, "level": str, "parent_code": str, "valid_from": int,
                    "valid_to": int, "successors": str, "source": str},
        "pk": ("code", "valid_from"),
        "indexes": [["name"], ["parent_code"]],
    },
    "reports": {
        "columns": {
            "id": int, "url": str, "title": str, "year": int, "issuer": str,
            "published": str, "template": str, "body": str, "address": str,
            "postcode": str, "phones": str, "fax": str, "email": str,
            "fetched_at": str, "portal_id": int, "portal_url": str, "encoding": str,
            "http_status": int, "content_sha256": str, "section_count": int,
            "tables_missing": str, "checks_failed": int, "warnings": str,
            # raw-first: where the report was read from, by which parser
            "response_id": int, "parser_version": str, "attachment_url": str,
            "attachment_sha256": str, "image_only": int, "images": str, "gone_since": str,
            "province": str, "city": str, "county": str, "level": str,
            # the GB/T 2260 code of the division whose government, department or township issued it
            "division_code": str,
        },
        "pk": "id",
        "not_null": {"url"},
        "unique": [["url"]],
        "foreign_keys": [("portal_id", "portals", "id")],
        "indexes": [["year"], ["issuer"], ["portal_id"], ["province"], ["city"], ["county"], ["level"], ["template"],
                    ["division_code", "year", "level"]],
    },
    "sections": {
        "columns": {"report_id": int, "number": int, "heading": str, "kind": str, "text": str},
        "pk": ("report_id", "number"),
        "foreign_keys": [("report_id", "reports", "id")],
        "indexes": [["kind"]],
    },
    # Every cell of the statistics tables 二/三/四 (read them through the view `stats`); keys are
    # stable across templates. A report has ~200 cells whose row and column labels repeat in
    # every report: they are kept once in stat_labels (they were half of the table's size), and
    # the cells are clustered by report (WITHOUT ROWID: no second copy of the key as an index).
    # position: the cell's place in the report's own table order.
    "stat_cells": {
        "columns": {"report_id": int, "table_no": int, "row_key": str, "column_key": str, "label_id": int,
                    "value": float, "unit": str, "blank": int, "position": int},
        "pk": ("report_id", "table_no", "row_key", "column_key"),
        "without_rowid": True,
        # NUMERIC: a count the report wrote as 9 stays the integer 9 (REAL would make it 9.0 in
        # every JSON and CSV export); 20.3万元 stays 20.3
        "sql_types": {"value": "NUMERIC"},
        "foreign_keys": [("report_id", "reports", "id"), ("label_id", "stat_labels", "id")],
        "indexes": [["row_key", "column_key"]],
    },
    "stat_labels": {
        "columns": {"id": int, "row_label": str, "column_label": str},
        "pk": "id",
        "unique": [["row_label", "column_label"]],
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
        # NUMERIC as in stat_cells: 215 stays the integer 215 in every export (REAL made it 215.0).
        # WITHOUT ROWID because that path of ensure_schema writes sql_types (and rows cluster by report).
        "without_rowid": True,
        "sql_types": {"value": "NUMERIC"},
        "foreign_keys": [("report_id", "reports", "id")],
    },
    # The panel (parsing/indicators.py INDICATORS, archive/indicators.py): one row per report per
    # indicator it gives. source: 'table' (detail: the cell's row / column as written) or 'text'
    # (detail: the sentence); a disagreeing text is noted in detail and as a failed check text.<key>.
    # division_code, year, level: the report's. value NUMERIC: counts stay integers.
    "indicators": {
        "columns": {"report_id": int, "division_code": str, "year": int, "level": str, "indicator": str,
                    "value": float, "source": str, "detail": str},
        "pk": ("report_id", "indicator"),
        "without_rowid": True,
        "sql_types": {"value": "NUMERIC"},
        "foreign_keys": [("report_id", "reports", "id")],
        "indexes": [["indicator", "year"], ["division_code", "year"]],
    },
    # Bodies as served, once each. compression: 'zlib' or 'none' (when zlib does not help).
    "bodies": {
        "columns": {"sha256": str, "size": int, "stored_size": int, "compression": str, "data": bytes},
        "pk": "sha256",
    },
    # The append-only ledger: one row per fetch attempt (or decision not to fetch).
    # Outcomes: see OUTCOMES.
    "responses": {
        "columns": {"id": int, "run_id": int, "portal_id": int, "url": str, "final_url": str,
                    "method": str, "status": int, "headers": str, "body_sha256": str,
                    "fetched_at": str, "route": str, "outcome": str, "reason": str, "title": str,
                    "report_id": int, "parent_url": str, "link_date": str,
                    # the form a POST sent (Hanweb's dataproxy.jsp pages): WARC request records carry it
                    "request_body": bytes},
        "pk": "id",
        "indexes": [["url"], ["run_id"], ["outcome"]],
    },
    # What a report said before its bytes changed (a parser change is not a revision).
    "revisions": {
        "columns": {"id": int, "report_id": int, "url": str, "fetched_at": str, "content_sha256": str,
                    "title": str, "body": str, "response_id": int, "replaced_at": str},
        "pk": "id",
        "foreign_keys": [("report_id", "reports", "id")],
        "indexes": [["report_id"]],
    },
    "crawl_runs": {
        "columns": {"id": int, "started": str, "finished": str, "start_urls": str, "pid": int,
                    "new": int, "changed": int, "unchanged": int, "failed": int, "blocked": int,
                    "skipped": int, "requests": int, "exit_status": int,
                    # 1 for a --full crawl (archive.monitors compares a run with the last of its kind)
                    "full": int,
                    # a distributed crawl's list pages read by all its workers, JSON {portal URL: count}
                    # (archive.monitors; NULL: this archive's ledger rows are the run's list pages)
                    "list_pages": str},
        "pk": "id",
    },
    # What the monitors said at the end of each crawl (scraper/monitors.py).
    "monitor_results": {
        # portal_id: set on the extra rows naming each portal a per-portal monitor failed on
        "columns": {"id": int, "run_id": int, "monitor": str, "passed": int, "detail": str, "portal_id": int},
        "pk": "id",
        "indexes": [["run_id"]],
    },
    "schema_migrations": {
        "columns": {"name": str, "applied_at": str},
        "pk": "name",
    },
}

# Ledger outcomes, one word each.
OUTCOMES = {
    "stored": "a new report",
    "changed": "a known report whose bytes and text changed (previous version in revisions)",
    "unchanged": "a known report, fetched again, same report",
    "not_modified": "a known report answered 304 to a conditional request",
    "degraded": "a known report URL served something worse (maintenance page, truncated, only a link); the archived report is kept",
    "gone": "a known report URL answered 404/410, a soft 404 or a redirect to a homepage; the archived report is kept",
    "listing": "a list page or column (raw kept, not parsed as a report)",
    "attachment_only": "a report page whose text is only 详见附件: its attachment is fetched",
    "attachment": "a file attached to a report page that holds the report's text itself (kept raw)",
    "image_only": "a report whose page or file holds only images (图片版)",
    "skipped": "not fetched: the link text is a look-alike, or the URL was fetched recently",
    "not_report": "fetched, not an annual report",
    "blocked": "an anti-bot challenge or WAF page",
    "http_error": "an HTTP error status",
    "error": "no response (connection refused, timeout, DNS, bad URL)",
    "too_large": "the response exceeded the size limit",
    "parse_error": "the parser raised on this response",
    "budget": "a page budget was reached (pagination trap or discovery budget)",
}

FTS_TABLE = "reports_fts"
# A standalone FTS5 table (not sqlite-utils' enable_fts, which indexes the
# table's own columns verbatim): rowid = reports.id, columns indexed from the
# bigram text made by archive.search.index_text. Contentless (content=''): the
# index keeps no copy of the text (that copy was 1.3x the bodies); snippets are cut
# from reports.body, and a row is removed with FTS5's 'delete' command
# (archive.search.delete_from_index), never with DELETE.
FTS_SQL = (f"CREATE VIRTUAL TABLE IF NOT EXISTS [{FTS_TABLE}] "
           "USING fts5(title, body, content='', tokenize='unicode61')")

# Which of the panel's reports a series counts (the outer query's row is `reports`): a division's
# government once a year (the first live report when a portal published it at two URLs), each
# department or township issuer once a year, a report without a division once per place and issuer;
# only reports that gave a number. Reused by the Datasette chart (archive/web/metadata.py).
COUNTED_ONCE = """not exists (
              select 1 from reports first
              where first.division_code is reports.division_code and first.year = reports.year
                and first.level is reports.level
                and (reports.level = 'government' or first.issuer is reports.issuer)
                and (reports.division_code is not null or (first.province is reports.province
                     and first.county is reports.county and first.issuer is reports.issuer))
                and (first.gone_since is not null, first.id) < (reports.gone_since is not null, reports.id)
                and exists (select 1 from indicators counted where counted.report_id = first.id))"""

VIEWS = {
    "report_overview": """
        select reports.id, reports.year, reports.issuer, reports.title, reports.published,
               reports.template, reports.section_count, reports.postcode, reports.phones,
               reports.email, portals.name as portal, reports.url
        from reports left join portals on portals.id = reports.portal_id
        order by reports.year desc, reports.issuer
    """,
    # Every cell of the statistics tables, with its labels as the report wrote them.
    "stats": """
        select stat_cells.report_id, stat_cells.table_no, stat_cells.row_key, stat_labels.row_label,
               stat_cells.column_key, stat_labels.column_label, stat_cells.value, stat_cells.unit,
               stat_cells.blank, stat_cells.position
        from stat_cells join stat_labels on stat_labels.id = stat_cells.label_id
    """,
    # Each issuer's applications received per year, from the panel: the table's 总计 cell, else the
    # narrative's statement (source says which).
    "applications_per_year": """
        select reports.issuer, reports.year, indicators.value as applications_received, reports.url,
               indicators.level, indicators.division_code, indicators.source, indicators.report_id
        from indicators join reports on reports.id = indicators.report_id
        where indicators.indicator = 'requests.received'
        order by reports.issuer, reports.year
    """,
    # The panel as series: one value per division, level, year and indicator, the division and level
    # being the report's. Levels are never added together; a report is counted once (COUNTED_ONCE).
    # Filters on province, county, level, year or indicator reach the tables (they are GROUP BY columns).
    "indicator_series": f"""
        select reports.division_code, reports.province, reports.city, reports.county, reports.level, reports.year,
               indicators.indicator, sum(indicators.value) as value, count(*) as reports,
               case when min(indicators.source) = max(indicators.source) then min(indicators.source)
                    else 'table,text' end as sources
        from reports cross join indicators on indicators.report_id = reports.id
        where reports.year is not null and {COUNTED_ONCE}
        group by reports.division_code, reports.province, reports.city, reports.county, reports.level,
                 reports.year, indicators.indicator
    """,
    "failed_checks": """
        select reports.issuer, reports.year, checks.[check], checks.expected, checks.actual, reports.url
        from checks join reports on reports.id = checks.report_id where not checks.ok
    """,
    # The latest ledger row per URL: what the archive last learned about it.
    "latest_responses": """
        select responses.* from responses
        join (select url, max(id) as id from responses group by url) latest on latest.id = responses.id
    """,
    # The fetch ledger as it was before the raw-first archive (same columns), now derived.
    "fetches": """
        select responses.id, responses.url, portals.url as portal_url, responses.outcome,
               responses.reason, responses.title, responses.status as http_status, responses.fetched_at
        from responses
        join (select url, max(id) as id from responses group by url) latest on latest.id = responses.id
        left join portals on portals.id = responses.portal_id
    """,
    "fetch_outcomes": """
        select portal_url, outcome, count(*) as n from fetches group by portal_url, outcome
    """,
    # One row per division in scope (it has a portal, or holds a report) and year it was valid in,
    # from the archive's first report year to last year: its government's report (NULL when the
    # archive has none), how many department and township reports, and a status: present,
    # vanished (archived, gone from the portal), missing (not archived, not yet due) or overdue
    # (not archived after 31 March of the next year, 条例 Art. 50).
    "coverage": f"""
        with recursive years(year) as (
            select max({FIRST_REPORT_YEAR}, coalesce((select min(year) from reports where year >= {FIRST_REPORT_YEAR}),
                                            cast(strftime('%Y', 'now') as integer) - 1))
            union all select year + 1 from years where year < cast(strftime('%Y', 'now') as integer) - 1
        ),
        scope(code) as (
            select division_code from portals where division_code is not null
            union select division_code from reports where division_code is not null
        ),
        span as (
            select divisions.code, min(divisions.valid_from) as valid_from,
                   max(coalesce(divisions.valid_to, 10000)) as valid_to
            from divisions join scope on scope.code = divisions.code group by divisions.code
        ),
        cells as (
            select span.code as division_code, years.year as year,
                   (select r.id from reports r where r.division_code = span.code and r.year = years.year
                      and r.level = 'government' order by r.gone_since is not null, r.id limit 1) as government_report_id,
                   (select count(*) from reports r where r.division_code = span.code and r.year = years.year
                      and r.level in ('department', 'government_office')) as department_reports,
                   (select count(*) from reports r where r.division_code = span.code and r.year = years.year
                      and r.level = 'township') as township_reports
            from span join years on years.year >= span.valid_from and years.year < span.valid_to
        )
        select cells.division_code,
               coalesce((select name from divisions d where d.code = cells.division_code and d.valid_from <= cells.year
                         order by d.valid_from desc limit 1),
                        (select name from divisions d where d.code = cells.division_code limit 1)) as name,
               (select level from divisions d where d.code = cells.division_code limit 1) as level,
               (select name from divisions d where d.code = substr(cells.division_code, 1, 2) || '0000'
                order by d.valid_from desc limit 1) as province,
               cells.year, cells.government_report_id, cells.department_reports, cells.township_reports,
               case when cells.government_report_id is null then
                        case when date('now') > (cells.year + 1) || '-{GOVERNMENT_REPORT_DUE}' then 'overdue' else 'missing' end
                    when (select gone_since from reports where id = cells.government_report_id) is not null then 'vanished'
                    else 'present' end as status,
               (cells.year + 1) || '-{GOVERNMENT_REPORT_DUE}' as due
        from cells
    """,
    # Governments whose report for a year the archive does not have, past its deadline.
    "overdue": """
        select coverage.division_code, coverage.name, coverage.level, coverage.province, coverage.year,
               coverage.due, cast(julianday('now') - julianday(coverage.due) as integer) as days_overdue,
               (select max(r.year) from reports r where r.division_code = coverage.division_code
                  and r.level = 'government') as last_published_year
        from coverage where coverage.status = 'overdue'
    """,
    # Reports that vanished from their portal, and when: a finding in itself.
    "vanished_reports": """
        select portals.name as portal, portals.url as portal_url, reports.year, reports.issuer,
               reports.title, reports.gone_since, reports.url, reports.id as report_id
        from reports left join portals on portals.id = reports.portal_id
        where reports.gone_since is not null
        order by portals.url, reports.year
    """,
}


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _migrate_fetches_table(db: sqlite_utils.Database) -> None:
    """Archives made before the raw-first change kept a ``fetches`` table (one
    row per URL, overwritten). Its rows become ledger rows (without bodies:
    those were never kept), and ``fetches`` becomes a view."""
    if "fetches" not in db.table_names():
        return
    portal_ids = {url: pid for pid, url in db.execute("select id, url from portals").fetchall()}
    rows = db.execute("select url, portal_url, outcome, reason, title, http_status, fetched_at "
                      "from fetches order by id").fetchall()
    db["responses"].insert_all(
        {"url": url, "final_url": url, "method": "GET", "status": status, "fetched_at": fetched_at,
         "outcome": outcome, "reason": reason, "title": title, "portal_id": portal_ids.get(portal_url)}
        for url, portal_url, outcome, reason, title, status, fetched_at in rows
    )
    db.execute("drop table fetches")


def _migrate_report_places(db: sqlite_utils.Database) -> None:
    """Reports stored before places were columns take them from their portal row."""
    db.execute("""
        update reports set province = (select province from portals where portals.id = reports.portal_id),
                           city = (select city from portals where portals.id = reports.portal_id),
                           county = (select county from portals where portals.id = reports.portal_id)
        where portal_id is not null and province is null and city is null and county is null
    """)


def _rebuild_search_index(db: sqlite_utils.Database) -> None:
    """The search index as FTS_SQL and archive.search.index_text make it now (contentless,
    bigram tokens), rebuilt from the reports: an index made otherwise would not match
    the queries, and the 'delete' of a contentless row needs the values it was made from.
    A later change to index_text or FTS_SQL adds a migration that calls this again."""
    from .search import fill_index

    db.execute(f"drop table if exists [{FTS_TABLE}]")
    db.execute(FTS_SQL)
    fill_index(db.conn)


def _migrate_stats_to_cells(db: sqlite_utils.Database) -> None:
    """Archives made before stat_cells kept a `stats` table with the labels on every cell."""
    if "stats" not in db.table_names():
        return
    db.execute("insert or ignore into stat_labels (row_label, column_label) "
               "select distinct row_label, column_label from stats")
    db.execute("""
        insert into stat_cells (report_id, table_no, row_key, column_key, label_id, value, unit, blank, position)
        select stats.report_id, stats.table_no, stats.row_key, stats.column_key, stat_labels.id, stats.value,
               stats.unit, stats.blank, stats.rowid
        from stats join stat_labels on stat_labels.row_label is stats.row_label
                                   and stat_labels.column_label is stats.column_label
    """)
    db.execute("drop table stats")


def _load_registry(db: sqlite_utils.Database) -> None:
    """The packaged divisions registry, replacing an older one (demo rows stay)."""
    db.execute("delete from divisions where source = 'gb2260' or source is null")
    db["divisions"].insert_all(({**row, "source": "gb2260"} for row in registry_rows()), batch_size=1000)


def registry_migration() -> str:
    """The migration that loads this version of the registry (a new CSV is a new migration)."""
    return f"divisions-{registry_digest(REGISTRY_CSV)}"


# Data migrations, applied once each in this order and recorded in schema_migrations.
MIGRATIONS = [
    ("2026-11-raw-first-fetches-to-responses", _migrate_fetches_table),
    ("2026-11-report-places-from-portals", _migrate_report_places),
    ("2026-11-search-index-contentless-bigrams", _rebuild_search_index),
    ("2026-11-stats-labels-apart", _migrate_stats_to_cells),
    ("2026-12-figures-value-numeric", lambda db: _migrate_figures_numeric(db)),
    ("2026-12-indicators-panel", lambda db: _fill_panel(db)),
]


def _fill_panel(db: sqlite_utils.Database) -> None:
    """Archives made before the panel get it from what they store (cells, figures, text)."""
    from .indicators import fill_panel

    fill_panel(db.conn)


def _migrate_figures_numeric(db: sqlite_utils.Database) -> None:
    """figures.value had REAL affinity (a count written 215 read 215.0): the table is made again as
    TABLES declares it (NUMERIC) and its rows copied, an integral value becoming the integer."""
    created = db.execute("select sql from sqlite_master where type = 'table' and name = 'figures'").fetchone()
    if not created or "NUMERIC" in created[0]:
        return
    columns = ", ".join(f"[{c}]" for c in TABLES["figures"]["columns"])
    db.execute("alter table figures rename to figures_before_numeric")
    db.execute(_without_rowid_sql("figures", TABLES["figures"]))
    db.execute(f"insert into figures ({columns}) select {columns} from figures_before_numeric")
    db.execute("drop table figures_before_numeric")


SQL_TYPES = {int: "INTEGER", str: "TEXT", float: "FLOAT", bytes: "BLOB"}


def _without_rowid_sql(name: str, spec: dict) -> str:
    """CREATE TABLE … WITHOUT ROWID (sqlite-utils' create() has no such option)."""
    types = {column: SQL_TYPES[kind] for column, kind in spec["columns"].items()} | spec.get("sql_types", {})
    columns = [f"[{column}] {sql_type}" for column, sql_type in types.items()]
    keys = [f"FOREIGN KEY([{column}]) REFERENCES [{other}]([{other_column}])"
            for column, other, other_column in spec.get("foreign_keys", [])]
    pk = ", ".join(f"[{c}]" for c in spec["pk"])
    return f"CREATE TABLE [{name}] ({', '.join(columns + [f'PRIMARY KEY ({pk})'] + keys)}) WITHOUT ROWID"


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns, indexes, the FTS table and views; apply
    pending data migrations. Safe to run on every open."""
    db.execute("PRAGMA foreign_keys = ON")
    if db.journal_mode != "wal" and db.conn.execute("PRAGMA database_list").fetchone()[2]:
        db.enable_wal()
    with db.conn:
        for name in VIEWS:
            # views are re-created below; drop first (a view may read a table a migration replaces)
            if name in db.view_names():
                db.execute(f"drop view [{name}]")
        for name, spec in TABLES.items():
            if name in VIEWS:
                continue
            table = db[name]
            if not table.exists() and spec.get("without_rowid"):
                db.execute(_without_rowid_sql(name, spec))
            elif not table.exists():
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
        applied = {row[0] for row in db.execute("select name from schema_migrations")}
        for name, migrate in MIGRATIONS:
            if name not in applied:
                migrate(db)
                db["schema_migrations"].insert({"name": name, "applied_at": _now()})
        if registry_migration() not in applied:
            _load_registry(db)
            db["schema_migrations"].insert({"name": registry_migration(), "applied_at": _now()})
        for name, sql in VIEWS.items():
            db.execute(f"create view [{name}] as {sql}")


def is_current(db: sqlite_utils.Database) -> bool:
    """True when ``db`` needs no upgrade (every table, column and migration present)."""
    names = set(db.table_names())
    for name, spec in TABLES.items():
        if name not in names or set(spec["columns"]) - set(db[name].columns_dict):
            return False
    applied = {row[0] for row in db.execute("select name from schema_migrations")}
    return (all(name in applied for name, _ in MIGRATIONS) and registry_migration() in applied
            and set(VIEWS) <= set(db.view_names()))
