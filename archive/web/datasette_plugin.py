"""Datasette plugin for nianbao archives: Chinese search, a readable report page, ranked search with snippets.

Registered by ``nianbao serve`` only (archive.web.serve.register_plugin), not as a
global entry point: it would change search in every database that Datasette
install serves.

- Search: Datasette wraps every search box query in the SQL function
  ``escape_fts()``; this plugin re-defines it (trylast, after Datasette's own
  definition) as archive.search.fts_query, which turns Chinese words into FTS5
  phrases of bigrams. The index is contentless: ``nianbao_snippet(title, body, q)``
  cuts a snippet from the report's text, with «» around the matches.
- Pages: ``/-/nianbao/report/<id>`` (a report to read: sections, contact,
  statistics tables, failed checks, raw responses and revisions) and
  ``/-/nianbao/search?q=`` (ranked results with a highlighted snippet, and the
  sections that contain the words). Rendered on the server with Datasette's
  autoescaping Jinja; nothing from a portal is ever marked safe, links are
  emitted only for http(s) URLs.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from datasette import hookimpl
from datasette.utils.asgi import BadRequest, NotFound, Response
from markupsafe import Markup, escape

from parsing.stats_keys import TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_OUTCOMES

from .metadata import (CHECK_LABELS, JSON_COLUMN_NAMES, LEVEL_LABELS, REPORT_LIST_COLUMNS, STATS_TABLE_TITLES,
                       required_params)
from .coverage_page import coverage_page
from ..schema import FTS_TABLE
from ..search import (BM25_WEIGHTS, MARK_END, MARK_START, RANK_LIMIT, fts_query, query_terms, report_snippet,
                     snippet)

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SEARCH_PAGE_SIZE = 20
# The section a statistics table belongs in (parsing/kinds.py section kinds).
SECTION_KIND_TABLE = {"proactive": 2, "requests": 3, "review_litigation": 4}


@hookimpl(trylast=True)
def prepare_connection(conn):
    from .serve import limit_connection, within_time_limit  # (serve imports this module)

    # A Python function called from SQL cannot be interrupted by sql_time_limit_ms: each one's work is
    # bounded by its input (archive.search: QueryTooLong, SNIPPET_SCAN_CHARS), and the time limit is
    # checked after each costly call (within_time_limit).
    conn.create_function("escape_fts", 1, within_time_limit(conn, fts_query), deterministic=True)
    conn.create_function("nianbao_query", 1, within_time_limit(conn, fts_query), deterministic=True)
    conn.create_function("nianbao_snippet", 3, within_time_limit(conn, canned_snippet), deterministic=True)
    limit_connection(conn)


def canned_snippet(title, body, query):
    """nianbao_snippet(title, body, q): the report's snippet for q with «» around matches (for SQL)."""
    return report_snippet(title, body, query, start_mark="«", end_mark="»")


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["nianbao_marks"] = marks_to_html
    env.filters["nianbao_number"] = number_text
    env.filters["nianbao_facet_order"] = facet_order


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/nianbao-static/nianbao.css")]


@hookimpl
def extra_template_vars(datasette, database):
    def report_page_url(report_id):
        return datasette.urls.path(f"/-/nianbao/report/{int(report_id)}")

    return {"nianbao_report_columns": REPORT_LIST_COLUMNS, "nianbao_report_page_url": report_page_url,
            "nianbao_search_url": datasette.urls.path("/-/nianbao/search"),
            "nianbao_start_links": start_links(datasette, database),
            "nianbao_missing_params": missing_params, "nianbao_rank_limit": RANK_LIMIT}


def missing_params(sql: str | None, values: dict | None) -> list[str]:
    """The required parameters (metadata.required_params) of a canned query left empty: its page says
    so instead of showing 0 rows."""
    values = values or {}
    return [name for name in required_params(sql or "") if not str(values.get(name) or "").strip()]


def start_links(datasette, database: str | None) -> list[dict]:
    """Where a person starts (the home and database pages show these above the table list):
    {label, description, href} for the reports, the ranked search, the coverage page and the charts."""
    name = database or datasette.get_database().name
    return [{"label": label, "description": description, "href": datasette.urls.path(path) if path.startswith("/")
             else datasette.urls.table(name, path)} for label, description, path in START_LINKS]


# (label, what it answers, path: a page or a table name). /-/nianbao/coverage: which places and years
# the archive holds; /-/dashboards/nianbao: datasette-dashboards (metadata.dashboards).
START_LINKS = (
    ("年度报告 Reports", "全部报告，按地区、年度、层级筛选；点击编号阅读全文。 Every report, by place, year and level; "
                       "open an id to read it.", "reports"),
    ("搜索 Search", "全文搜索，按相关度排序并显示摘要。 Full-text search, ranked, with snippets.", "/-/nianbao/search"),
    ("覆盖情况 Coverage", "各地区各年度有没有报告。 Which places and years the archive has reports for.",
     "/-/nianbao/coverage"),
    ("图表 Charts", "一个地区或单位的数字逐年变化。 A place's or an issuer's numbers year by year.",
     "/-/dashboards/nianbao"),
)


def number_text(value) -> str:
    """A number as a person writes it: 9, not 9.0; 20.3 stays 20.3."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def marks_to_html(snippet: str | None) -> Markup:
    """Escaped snippet text with the match markers turned into <mark> (the text itself never becomes HTML)."""
    text = str(escape(snippet or ""))
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def safe_href(url: str | None) -> str | None:
    """URL if it is an http(s) link, else None (javascript:, data: … are shown as text, never linked)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def json_list(value) -> list:
    try:
        items = json.loads(value) if isinstance(value, str) else (value or [])
    except json.JSONDecodeError:
        return [value]
    return items if isinstance(items, list) else [items]


# Columns whose integral REAL values read as integers (SQLite REAL affinity turns 9 into 9.0).
NUMBER_COLUMNS = {"value", "expected", "actual", "applications_received"}
# 0/1 columns read as words.
YES_NO_COLUMNS = {("checks", "ok"): ("✗ does not add up", "✓ adds up"), ("stats", "blank"): ("", "blank"),
                  ("reports", "image_only"): ("no", "yes: images only")}
# Report columns too long for a list: a short excerpt there, all of it one click away.
LONG_TEXT_PREVIEW = 60


@hookimpl
def render_cell(value, column, table, datasette):
    if table and (table, column) in YES_NO_COLUMNS and value in (0, 1):
        return YES_NO_COLUMNS[(table, column)][value]
    if isinstance(value, float) and column in NUMBER_COLUMNS:
        return number_text(value)
    if table == "reports" and column == "body" and isinstance(value, str) and len(value) > LONG_TEXT_PREVIEW:
        return f"{value[:LONG_TEXT_PREVIEW]}… ({len(value):,} 字)"
    if table == "reports" and column in ("phones", "fax") and isinstance(value, str) and value.startswith("["):
        return "、".join(str(v) for v in json_list(value))
    if table == "reports" and column == "level" and value in LEVEL_LABELS:
        return f"{value} · {LEVEL_LABELS[value]}"
    return None


@hookimpl
def register_routes():
    return [
        (r"^/-/nianbao/report/(?P<report_id>[0-9]{1,18})$", report_page),
        (r"^/-/nianbao/search$", search_page),
        (r"^/-/nianbao/coverage$", coverage_page),
    ]


async def _table_columns(db, table: str) -> set[str]:
    return set(await db.table_columns(table)) if await db.table_exists(table) else set()


def stats_tables(stats: list[dict], failed_cells: set[tuple]) -> list[dict]:
    """Statistics rows (in page order) laid out as tables 二/三/四 in the template's row and column order.

    Each table: {no, title, groups (header row of column groups, or None), columns, rows}; a row is
    {label, cells}, a cell {value, unit, blank, failed} or None where the page has no such cell.
    """
    tables = []
    for table_no in (2, 3, 4):
        cells = [s for s in stats if s["table_no"] == table_no]
        if not cells:
            continue
        by_key = {(s["row_key"], s["column_key"]): s for s in cells}
        present_columns = {s["column_key"] for s in cells}
        if table_no == 4:
            # One template row of 15 cells, shown as one row per group (复议, 直接起诉, 复议后起诉)
            # with the five outcomes as columns: same order, readable width.
            columns = [(key, label) for key, label in TABLE4_OUTCOMES]
            rows = [(label.replace("/", " · "), [("cases", f"{group}.{o}") for o, _ in TABLE4_OUTCOMES])
                    for group, label in TABLE4_GROUPS
                    if any(f"{group}.{o}" in present_columns for o, _ in TABLE4_OUTCOMES)]
        else:
            if table_no == 3:
                columns = [(k, label) for k, label in TABLE3_COLUMNS if k in present_columns]
            else:
                # Table 二 is several small tables with their own columns: page order is the template's.
                labels = {}
                for s in cells:
                    labels.setdefault(s["column_key"], s["column_label"])
                columns = list(labels.items())
            row_labels = {}
            for s in cells:
                row_labels.setdefault(s["row_key"], s["row_label"] or s["row_key"])
            rows = [(label, [(row_key, c) for c, _ in columns]) for row_key, label in row_labels.items()]
        # Only table 三's template labels (TABLE3_COLUMNS) are header paths, "法人或其他组织/商业企业":
        # a group over its columns. Table 二's labels are as the report wrote them ("本年增/减" is one label).
        paths = [label.split("/") if table_no == 3 else [label] for _, label in columns]
        groups = None
        if any(len(path) > 1 for path in paths):
            groups = []
            for path in paths:
                group = path[0] if len(path) > 1 else ""
                if groups and groups[-1]["label"] == group and group:
                    groups[-1]["span"] += 1
                else:
                    groups.append({"label": group, "span": 1})
        tables.append({
            "no": table_no, "title": STATS_TABLE_TITLES[table_no], "groups": groups,
            "columns": [path[-1] for path in paths],
            # each cell's full column label: a phone shows it beside the value (the header is hidden there)
            "cell_labels": [" · ".join(path) for path in paths],
            "rows": _with_group_rows([{"label": label, "cells": [
                None if key not in by_key else {
                    "value": number_text(by_key[key]["value"]), "unit": by_key[key]["unit"],
                    "blank": bool(by_key[key]["blank"]), "failed": (table_no, *key) in failed_cells}
                for key in keys]} for label, keys in rows]),
        })
    return tables


def _with_group_rows(rows: list[dict]) -> list[dict]:
    """Rows labelled by their last label part, indented, under a heading row for each new group.

    Row labels are paths as the template nests them ("三、本年度办理结果/（三）不予公开/1.属于国家秘密").
    """
    out, seen = [], set()
    for row in rows:
        parts = row["label"].split("/")
        for depth in range(1, len(parts)):
            group = "/".join(parts[:depth])
            if group not in seen:
                seen.add(group)
                out.append({"label": parts[depth - 1], "depth": depth - 1, "cells": None})
        seen.add(row["label"])
        out.append({**row, "label": parts[-1], "depth": len(parts) - 1})
    return out


def failed_check_cells(checks: list[dict]) -> set[tuple]:
    """The printed total cell each failed check compares against, as (table, row_key, column_key)."""
    cells = set()
    for c in checks:
        parts = c["check"].split(".", 2)
        if len(parts) < 3 and not c["check"].startswith("t4."):
            continue
        if c["check"].startswith(("t3.balance.", "t3.results.")):
            cells.add((3, "result.total", parts[2]))
        elif c["check"].startswith("t3.applicants."):
            cells.add((3, parts[2], "total"))
        elif c["check"].startswith("t4."):
            cells.add((4, "cases", f"{parts[1]}.total"))
    return cells


def check_label(name: str) -> str:
    for prefix, label in CHECK_LABELS.items():
        if name.startswith(prefix):
            return label
    return name


async def report_page(datasette, request):
    db = datasette.get_database()
    report_id = int(request.url_vars["report_id"])
    rows = (await db.execute("select * from reports where id = ?", [report_id])).rows
    if not rows:
        raise NotFound(f"No report {report_id}")
    report = dict(rows[0])
    sections = [dict(r) for r in (await db.execute(
        "select number, heading, kind, text from sections where report_id = ? order by number", [report_id])).rows]
    stats = [dict(r) for r in (await db.execute(
        "select * from stats where report_id = ? order by position", [report_id])).rows] \
        if await db.table_exists("stat_cells") else []
    checks = [dict(r) for r in (await db.execute(
        "select * from checks where report_id = ? order by rowid", [report_id])).rows] \
        if await db.table_exists("checks") else []
    failed = [dict(c, label=check_label(c["check"]), expected=number_text(c["expected"]),
                   actual=number_text(c["actual"])) for c in checks if not c["ok"]]
    links = []
    database = db.name
    if await db.table_exists("responses"):
        if report.get("response_id"):
            links.append(("The raw response this report was parsed from",
                          datasette.urls.row(database, "responses", str(report["response_id"]))))
        if "report_id" in await _table_columns(db, "responses"):
            links.append(("Every fetch of this report (responses)",
                          datasette.urls.table(database, "responses") + "?" + urlencode({"report_id": report_id})))
    if await db.table_exists("revisions"):
        count = (await db.execute("select count(*) from revisions where report_id = ?", [report_id])).single_value()
        links.append((f"Earlier versions (revisions: {count})",
                      datasette.urls.table(database, "revisions") + "?" + urlencode({"report_id": report_id})))
    links.append(("All columns of this row", datasette.urls.row(database, "reports", str(report_id))))
    images = await report_images(datasette, db, report) if report.get("image_only") else []
    contact = {"address": report.get("address"), "postcode": report.get("postcode"),
               "phones": json_list(report.get("phones")), "fax": json_list(report.get("fax")),
               "email": report.get("email")}
    tables = stats_tables(stats, failed_check_cells(failed))
    placed = set()
    for section in sections:
        table_no = SECTION_KIND_TABLE.get(section["kind"])
        section["stats_table"] = next((t for t in tables if t["no"] == table_no and t["no"] not in placed), None)
        if section["stats_table"]:
            placed.add(table_no)
    context = {
        "report": report, "report_id": report_id, "source_href": safe_href(report.get("url")),
        "contact": contact, "has_contact": any(contact.values()), "sections": sections,
        "stats_tables": [t for t in tables if t["no"] not in placed], "any_stats": bool(tables),
        "failed_checks": failed,
        "tables_missing": json_list(report.get("tables_missing")),
        "level_label": LEVEL_LABELS.get(report.get("level")), "links": links, "database": database,
        "image_only": bool(report.get("image_only")), "images": images,
    }
    return Response.html(await datasette.render_template("nianbao_report.html", context, request=request))


async def report_images(datasette, db, report: dict) -> list[dict]:
    """The pictures an image-only report (图片版) is made of, each with its stored copy when the archive
    has one (the ledger row of the last fetch of that URL with a body) and its place on the portal.

    A scanned PDF or DOCX is its attachment; a page of <img> is its images (which a crawl does not
    fetch: those link to the portal only). Each: {url, href (http(s) only, else None), stored (URL of
    the ledger row, or None)}.
    """
    urls = [report["attachment_url"]] if report.get("attachment_url") else []
    urls += [u for u in json_list(report.get("images")) if isinstance(u, str) and u not in urls]
    has_ledger = {"url", "body_sha256"} <= await _table_columns(db, "responses")
    images = []
    for url in urls:
        stored = None
        if has_ledger:
            response_id = (await db.execute(
                "select max(id) from responses where url = ? and body_sha256 is not null", [url])).single_value()
            if response_id:
                stored = datasette.urls.row(db.name, "responses", str(response_id))
        images.append({"url": url, "href": safe_href(url), "stored": stored})
    return images


def section_snippet(text: str, terms: list[str]) -> str | None:
    """Text around the first match of any term, with match markers; None if no term is in the text."""
    return snippet(text, terms)


# The page of matches, as rowids of the index: ranked when there are few enough to rank,
# else most recently archived first (FTS5 walks its index backwards and stops after the page).
BOUNDED_COUNT_SQL = (f"select count(*) from (select rowid from [{FTS_TABLE}] where [{FTS_TABLE}] match :query "
                     "limit :bound)")
RANKED_IDS_SQL = (f"select rowid from [{FTS_TABLE}] where [{FTS_TABLE}] match :query "
                  f"order by bm25([{FTS_TABLE}], {BM25_WEIGHTS}) limit :limit offset :offset")
NEWEST_IDS_SQL = (f"select rowid from [{FTS_TABLE}] where [{FTS_TABLE}] match :query "
                  "order by rowid desc limit :limit offset :offset")
RESULT_SQL = "select id, title, year, issuer, {place}body from reports where id in ({marks})"


# The deepest page of results offered: 200,000 results in (newest-first paging walks the index
# that far); a larger page is a mistake, answered 400 (an offset past 2**63 made SQLite fail).
MAX_SEARCH_PAGE = 10_000
# Longer than any sensible search: each word becomes an FTS5 phrase to match.
MAX_QUERY_CHARS = 500


def search_params(request) -> tuple[str, int]:
    """The search page's (q, page), or BadRequest (a 400 page) saying what is wrong with them."""
    query = (request.args.get("q") or "").strip()
    if any(ord(c) < 32 and c not in "\t\n\r" or c == "\x7f" for c in query):
        raise BadRequest("q: 搜索词含控制字符 / the search words contain a control character (such as %00): "
                         "remove it and search again")
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"q: 搜索词过长 / the search words are longer than {MAX_QUERY_CHARS} characters")
    raw_page = (request.args.get("page") or "1").strip()
    if not (raw_page.isascii() and raw_page.isdigit() and 1 <= int(raw_page) <= MAX_SEARCH_PAGE):
        raise BadRequest(f"page: 页码须为1到{MAX_SEARCH_PAGE:,}之间的整数 / page must be a whole number "
                         f"from 1 to {MAX_SEARCH_PAGE:,}, not {raw_page[:40]!r}")
    return query, int(raw_page)


async def search_page(datasette, request):
    db = datasette.get_database()
    query, page = search_params(request)
    terms = query_terms(query)
    results, total, ranked = [], 0, True
    if terms:
        match = fts_query(query)
        report_columns = await _table_columns(db, "reports")
        place = "".join(f"{c}, " for c in ("province", "county", "level") if c in report_columns)
        total = (await db.execute(BOUNDED_COUNT_SQL, {"query": match, "bound": RANK_LIMIT + 1})).single_value()
        ranked = total <= RANK_LIMIT
        window = {"query": match, "limit": SEARCH_PAGE_SIZE, "offset": (page - 1) * SEARCH_PAGE_SIZE}
        ids = [r[0] for r in (await db.execute(RANKED_IDS_SQL if ranked else NEWEST_IDS_SQL, window)).rows]
        if ids:
            marks = ",".join("?" * len(ids))
            rows = {r["id"]: dict(r) for r in (await db.execute(RESULT_SQL.format(place=place, marks=marks), ids)).rows}
            results = [rows[i] for i in ids if i in rows]
            sections = (await db.execute(
                f"select report_id, number, heading, text from sections where report_id in ({marks}) "
                "order by report_id, number", ids)).rows
            by_report: dict[int, list] = {}
            for s in sections:
                found = section_snippet((s["heading"] or "") + "\n" + (s["text"] or ""), terms)
                if found:
                    by_report.setdefault(s["report_id"], []).append(
                        {"number": s["number"], "heading": s["heading"], "snippet": found})
            for r in results:
                r["snippet"] = report_snippet(r["title"], r.pop("body"), query)
                r["sections"] = by_report.get(r["id"], [])
                r["url"] = datasette.urls.path(f"/-/nianbao/report/{r['id']}")
                r["level_label"] = LEVEL_LABELS.get(r.get("level"))
    first = (page - 1) * SEARCH_PAGE_SIZE + 1
    has_next = (page * SEARCH_PAGE_SIZE < total) if ranked else len(results) == SEARCH_PAGE_SIZE
    pages = max(1, math.ceil(total / SEARCH_PAGE_SIZE)) if ranked else None
    context = {
        "query": query, "results": results, "total": total, "ranked": ranked, "rank_limit": RANK_LIMIT,
        "page": page, "pages": pages, "first": first,
        "next_url": (datasette.urls.path("/-/nianbao/search") + "?" + urlencode({"q": query, "page": page + 1}))
        if has_next else None,
        "prev_url": (datasette.urls.path("/-/nianbao/search") + "?" + urlencode({"q": query, "page": page - 1}))
        if page > 1 else None,
        "table_search_url": datasette.urls.table(db.name, "reports") + "?" + urlencode({"_search": query}),
        "database": db.name,
    }
    return Response.html(await datasette.render_template("nianbao_search.html", context, request=request))


# --- Exports --------------------------------------------------------------------------------------
# Facets whose values are ordered: a person reads years in year order (Datasette lists the most
# frequent value first).
ORDERED_FACETS = {"year"}


def facet_order(facet_info: dict) -> list[dict]:
    """A facet's values as the page lists them: years in year order (no year last), others as Datasette gives them."""
    results = list(facet_info.get("results") or [])
    if facet_info.get("name") not in ORDERED_FACETS:
        return results
    return sorted(results, key=lambda r: (r.get("value") is None, str(type(r.get("value"))), r.get("value") or 0))


def json_columns_as_json(columns: list[str], rows: list) -> list:
    """Rows whose JSON columns (metadata.JSON_COLUMNS: phones, tables_missing, warnings, images …)
    hold the parsed list instead of the string holding it. Only text that is a JSON array or object
    changes: a column of that name holding anything else is left as it is."""
    indexes = [i for i, c in enumerate(columns) if c in JSON_COLUMN_NAMES]
    if not indexes:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i in indexes:
            value = row[i]
            if isinstance(value, str) and value[:1] in ("[", "{"):
                try:
                    row[i] = json.loads(value)
                except ValueError:
                    pass
        out.append(row)
    return out


def render_json(args, data, view_name):
    """Datasette's own JSON renderer, with the archive's JSON columns as JSON.

    Registered under the extension "json", which replaces the built-in renderer of that name
    (Datasette registers plugin renderers after its own). render_cell is HTML only and ?_json=
    must be asked for column by column; this makes phones, tables_missing … arrays in every
    table, row, view and query JSON, ?_shape= and ?_json= working as before."""
    from datasette.renderer import json_renderer

    if isinstance(data, dict) and data.get("columns") and data.get("rows"):
        data["rows"] = json_columns_as_json(data["columns"], data["rows"])
    if isinstance(data, dict) and args.get(LARGE_SEARCH_MARK) and data.get("filtered_table_rows_count") is None:
        # a table search too large to count (large_search_scope): the bounded count's answer
        data["nianbao_matches_more_than"] = int(args[LARGE_SEARCH_MARK])
    return json_renderer(args, data, view_name)


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "json", "render": render_json, "can_render": lambda: True}


UTF8_BOM = b"\xef\xbb\xbf"


@hookimpl
def asgi_wrapper(datasette):
    """Two changes to requests before Datasette sees them.

    - A table search (?_search=) whose words match more than RANK_LIMIT reports is asked without
      its total and facets (large_search_scope).
    - The reports list as a page is asked for the columns it shows only (list_columns_scope).
    - CSV for Excel on Chinese Windows: ?_bom=1 on any .csv adds a UTF-8 byte order mark, without
      which Excel reads UTF-8 as the ANSI code page (GBK) and the Chinese is garbled. Datasette's own
      CSV (streamed with _stream=1, labels with _labels=on) is otherwise unchanged; no plugin adds a BOM.
    """
    def wrap(app):
        async def with_bom(scope, receive, send):
            if scope.get("type") == "http" and (b"_search" in scope.get("query_string", b"")
                                                or LARGE_SEARCH_MARK.encode() in scope.get("query_string", b"")):
                scope = await large_search_scope(datasette, scope)
            if scope.get("type") == "http":
                scope = await list_columns_scope(datasette, scope)
            if scope.get("type") != "http" or not scope.get("path", "").endswith(".csv") \
                    or not wants_bom(scope.get("query_string", b"")):
                return await app(scope, receive, send)
            started = {"csv": False, "sent": False}

            async def send_with_bom(message):
                if message["type"] == "http.response.start":
                    headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                    started["csv"] = message.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/")
                    if started["csv"] and b"content-length" in headers:
                        message = {**message, "headers": [
                            (k, str(int(v) + len(UTF8_BOM)).encode() if k.lower() == b"content-length" else v)
                            for k, v in message["headers"]]}
                elif message["type"] == "http.response.body" and started["csv"] and not started["sent"]:
                    started["sent"] = True
                    message = {**message, "body": UTF8_BOM + message.get("body", b"")}
                await send(message)

            await app(scope, receive, send_with_bom)
        return with_bom
    return wrap


def wants_bom(query_string: bytes) -> bool:
    from urllib.parse import parse_qs

    values = parse_qs(query_string.decode("latin-1")).get("_bom", [])
    return any(v.lower() in ("1", "on", "true", "yes") for v in values)


# --- Table search at scale --------------------------------------------------------------------------
# Datasette's table search (?_search=) reads every match before it shows a page: the IN list of all
# matching rowids, the page sorted from them, a count, a query per facet. For a word in every report
# of a 100,000-report archive that is seconds (benchmarks/search_at_scale.py). When the search words
# alone match more than RANK_LIMIT reports (a bounded count: FTS5 stops at RANK_LIMIT + 1), the
# request is rewritten before Datasette sees it: ?_search= becomes LARGE_SEARCH_PARAM, which
# large_search_filter turns into a per-row index check (SQLite walks the table in the page's order
# and stops when the page is full: for a common word, a page of 50 reads about 50 reports), with
# Datasette's own _nocount=1 and _nofacet=1 (a total and facets would read every match). The page
# says so (templates/_table.html). Searches matching fewer go through Datasette unchanged.
# The page is in the order of the table's primary key, newest archived first, as the ranked search
# lists too many matches to rank: SQLite walks the table by its key, so ties cannot break the paging
# (walked by year, reports of one year would come newest first, and Datasette's next page assumes
# oldest first). A search sorted by the person (?_sort=) keeps Datasette's way, without total and facets.
LARGE_SEARCH_PARAM = "_nianbao_search"
LARGE_SEARCH_ORDER = "_sort_desc"
# Set only here, to RANK_LIMIT, when the words match more than RANK_LIMIT reports (any value a request
# brings is dropped and decided again): the page's "more than 2,000 reports" and the JSON's
# nianbao_matches_more_than (render_json) say what was counted, never what a URL claims.
LARGE_SEARCH_MARK = "_nianbao_more_than"
TABLE_PATH_RE = re.compile(r"^/(?P<database>[^/]+)/(?P<table>[^/]+?)(?:\.(?:json|csv))?$")


async def large_search_scope(datasette, scope: dict) -> dict:
    """SCOPE, its table search handed to large_search_filter when it matches more than RANK_LIMIT reports."""
    from urllib.parse import parse_qsl, unquote

    args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(k == LARGE_SEARCH_MARK for k, _ in args):   # a large search's link: its _nocount/_nofacet were ours
        args = [(k, v) for k, v in args if k not in (LARGE_SEARCH_MARK, "_nocount", "_nofacet")]
        scope = {**scope, "query_string": urlencode(args).encode("ascii")}
    match = TABLE_PATH_RE.match(scope.get("path", ""))
    if not match:
        return scope
    database, table = unquote(match["database"]), unquote(match["table"])
    if database not in datasette.databases:
        return scope
    fts_table = datasette.table_metadata(database, table).get("fts_table")
    if not fts_table:
        return scope
    if any(k == LARGE_SEARCH_PARAM for k, _ in args):
        # a link or the search box of a large search's page: decide again (the box's words win)
        words = next((v for k, v in args if k == "_search"), None)
        if words is None:
            words = next(v for k, v in args if k == LARGE_SEARCH_PARAM)
        args = [(k, v) for k, v in args if k not in ("_search", LARGE_SEARCH_PARAM, "_nocount", "_nofacet")
                and not (k == LARGE_SEARCH_ORDER and v == metadata_pk(datasette, database, table))]
        args.append(("_search", words))
    search = next((v for k, v in args if k == "_search"), "")
    if not search.strip():
        return {**scope, "query_string": urlencode(args).encode("ascii")}
    try:
        matches = (await datasette.get_database(database).execute(
            f"select count(*) from (select rowid from [{fts_table}] where [{fts_table}] match :query limit :bound)",
            {"query": fts_query(search), "bound": RANK_LIMIT + 1})).single_value()
    except Exception:  # noqa: BLE001 - a search Datasette itself answers with its 400
        return scope
    if matches > RANK_LIMIT:
        if not any(k in ("_sort", "_sort_desc") for k, _ in args):
            args = [(LARGE_SEARCH_PARAM, v) if k == "_search" else (k, v) for k, v in args]
            args.append((LARGE_SEARCH_ORDER, metadata_pk(datasette, database, table)))
        args += [("_nocount", "1"), ("_nofacet", "1"), (LARGE_SEARCH_MARK, str(RANK_LIMIT))]
    return {**scope, "query_string": urlencode(args).encode("ascii")}


def metadata_pk(datasette, database: str, table: str) -> str:
    """The column the table's search index rows are keyed on (its fts_pk: reports.id)."""
    return datasette.table_metadata(database, table).get("fts_pk", "rowid")


@hookimpl
def filters_from_request(request, database, table, datasette):
    """LARGE_SEARCH_PARAM: the reports whose index row matches the words, checked row by row."""
    from datasette.filters import FilterArguments

    words = request.args.get(LARGE_SEARCH_PARAM)
    if words is None or not table:
        return None
    metadata = datasette.table_metadata(database, table)
    fts_table, fts_pk = metadata.get("fts_table"), metadata.get("fts_pk", "rowid")
    if not fts_table:
        return None
    params = {"nianbao_search": words}
    page = newest_page_bounds(request, fts_pk, datasette)
    if page:
        # nothing else filters the rows: the page is the index's newest matches below the last one shown
        # (FTS5 walks its index backwards and stops after them)
        before, params["nianbao_limit"] = page
        if before is not None:
            params["nianbao_before"] = before
        clause = (f"[{table}].[{fts_pk}] in (select rowid from [{fts_table}] where [{fts_table}] match "
                  f"escape_fts(:nianbao_search){' and rowid < :nianbao_before' if before is not None else ''} "
                  "order by rowid desc limit :nianbao_limit)")
    else:
        # filtered too: each row in key order is looked up in the index until the page is full
        clause = (f"exists (select 1 from [{fts_table}] where [{fts_table}] match escape_fts(:nianbao_search) "
                  f"and [{fts_table}].rowid = [{table}].[{fts_pk}])")
    return FilterArguments([clause], params=params, human_descriptions=[f'search matches "{words}"'],
                           extra_context={"search": words})


# --- The reports list's columns -----------------------------------------------------------------------
# The reports list shows REPORT_LIST_COLUMNS (templates/_table.html), but Datasette renders every
# column of every row it selects before the template picks some: for the reports table's ~35 columns
# (the body among them) that was most of a search page's time (0.7 s of 0.77 s for 50 rows at 2,000
# reports; render_cell runs once per cell in every plugin). So the page is asked for those columns only,
# with Datasette's own ?_col=, and LIST_COLUMNS_PARAM says the columns were chosen here, not by the
# visitor: a request carrying it (a link on the list page: sort, facet, next page, search box) has them
# chosen again, and its JSON, CSV and "show all columns" (?_allcols=1) links get every column as before.
# A visitor's own ?_col= / ?_nocol= is left alone. Facets and counts are unchanged (Datasette builds
# them from all columns).
LIST_COLUMNS_PARAM = "_nianbao_list"
LIST_TABLE = "reports"


async def list_columns_scope(datasette, scope: dict) -> dict:
    """SCOPE asking for REPORT_LIST_COLUMNS only when it is the reports list as an HTML page."""
    from urllib.parse import parse_qsl, unquote

    args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    chosen_before = any(k == LIST_COLUMNS_PARAM for k, _ in args)
    if chosen_before:   # chosen here before (a link on the list page): choose again
        args = [(k, v) for k, v in args if k not in (LIST_COLUMNS_PARAM, "_col")]
    match = TABLE_PATH_RE.match(scope.get("path", ""))
    if (match and unquote(match["table"]) == LIST_TABLE and unquote(match["database"]) in datasette.databases
            and not scope["path"].endswith((".json", ".csv"))
            and not any(k in ("_col", "_nocol", "_allcols") for k, _ in args)):
        db = datasette.get_database(unquote(match["database"]))
        if await db.table_exists(LIST_TABLE):
            columns = set(await db.table_columns(LIST_TABLE)) - set(await db.primary_keys(LIST_TABLE))
            args += [("_col", name) for name in REPORT_LIST_COLUMNS if name in columns]
            args.append((LIST_COLUMNS_PARAM, "1"))
            return {**scope, "query_string": urlencode(args).encode("ascii")}
    return {**scope, "query_string": urlencode(args).encode("ascii")} if chosen_before else scope


# Arguments that do not filter rows: with only these, a large search's page comes from the index alone.
NON_FILTER_ARGS = {"_nianbao_search", "_nianbao_list", "_nianbao_more_than", "_sort_desc", "_nocount", "_nofacet", "_next", "_size", "_shape", "_col",
                   "_nocol", "_labels", "_label", "_json", "_nl", "_bom", "_dl", "_stream", "_allcols", "_trace",
                   "_json_infinity", "_timelimit"}


def newest_page_bounds(request, fts_pk: str, datasette) -> tuple[int | None, int] | None:
    """(rowid the page ends below, or None on the first page; rows to fetch) for a large search
    listed newest first with nothing else filtering it, else None."""
    from datasette.utils import urlsafe_components

    if any(key not in NON_FILTER_ARGS for key in request.args):
        return None
    if request.args.get("_sort_desc") != fts_pk:
        return None
    size = request.args.get("_size") or ""
    if size == "max":
        rows = datasette.setting("max_returned_rows")
    elif size.isdigit():
        rows = int(size)
    else:
        rows = datasette.setting("default_page_size")
    before = None
    if request.args.get("_next"):
        try:
            before = int(urlsafe_components(request.args["_next"])[0])
        except (ValueError, IndexError):
            return None
    return before, rows + 1
