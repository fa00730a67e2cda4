"""Search and pages at scale, through Datasette's JSON API with `nianbao serve`'s settings.

    .venv/bin/python benchmarks/search_at_scale.py [--reports 100000] [--db PATH] [--runs 20]

Builds (or reuses, with --db of an existing file) an archive of N reports made
from variations of the labelled corpus (each report: a corpus report's sections
reshuffled with sections of others, ~7,000 characters, a county and department
from a pool, so that a county's name selects a few hundred reports), then asks
the in-process Datasette (datasette.client, the same app `nianbao serve` runs)
for: ranked search with snippets (the canned query and the search page) and the
reports table search with facets, for 2-, 4- and 8-character terms, rare and
common; a report page; the reports table with its facets; a canned query.
Prints p50/p95 per request and the FTS index size against the text indexed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.schema import FTS_TABLE  # noqa: E402
from archive.search import index_text  # noqa: E402
from archive.web.serve import make_datasette  # noqa: E402
from tests.test_datasette_fixtures import corpus_reports, issuer_level, open_test_archive  # noqa: E402

DEPARTMENTS = ("人民政府", "人民政府办公室", "财政局", "教育局", "卫生健康局", "自然资源局", "生态环境局",
               "市场监督管理局", "交通运输局", "农业农村局", "民政局", "司法局", "住房和城乡建设局", "应急管理局")
PROVINCES = ("东江省", "西岭省", "南屏省", "北川省", "中原省", "海宁省")
# Characters for made-up place names (common in real ones).
PLACE_CHARS = "青云石桃溪岭门川源湾平安宁德化兴隆泰昌华阳山水河江海城林丰乐康福寿永清明新"
TARGET_BODY_CHARS = 7000


def place_names(count: int, rng: random.Random) -> list[str]:
    names = set()
    while len(names) < count:
        names.add(rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS))
    return sorted(names)


def _indexed(rows: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    return [(report_id, index_text(title), index_text(body)) for report_id, title, body in rows]


def generate(n: int, seed: int = 7):
    """(report row, sections, stats, checks) for N made-up reports."""
    rng = random.Random(seed)
    sources = [r for r in corpus_reports() if r.get("sections")]
    all_sections = [s for r in sources for s in r["sections"] if s["text"]]
    counties = place_names(max(1, n // 300), rng)
    for i in range(n):
        source = rng.choice(sources)
        county = counties[i % len(counties)] + "县"
        department = rng.choice(DEPARTMENTS)
        issuer = county + department
        year = rng.randint(2008, 2024)
        sections = [dict(s) for s in source["sections"]]
        body_len = sum(len(s["heading"]) + len(s["text"]) + 2 for s in sections)
        while body_len < TARGET_BODY_CHARS:
            extra = dict(rng.choice(all_sections))
            sections.append(extra)
            body_len += len(extra["heading"]) + len(extra["text"]) + 2
        for number, section in enumerate(sections, 1):
            section["number"] = number
        body = "\n".join(f"{s['heading']}\n{s['text']}" for s in sections)
        body = body.replace(source.get("issuer") or "\x00", issuer)
        title = f"{issuer}{year}年政府信息公开工作年度报告"
        province = PROVINCES[sum(map(ord, county)) % len(PROVINCES)]
        row = {"id": i + 1, "url": f"http://bench.example.gov.cn/{i}.html", "title": title, "year": year,
               "issuer": issuer, "published": f"{year + 1}-01-{rng.randint(10, 31):02d}",
               "template": source.get("template"), "body": body, "section_count": len(sections),
               "checks_failed": sum(1 for c in source.get("checks") or [] if not c["ok"]),
               "fetched_at": f"2025-{rng.randint(1, 12):02d}-01T00:00:00+00:00", "province": province,
               "city": county[:1] + "州市", "county": county, "level": issuer_level(issuer),
               "postcode": (source.get("contact") or {}).get("postcode")}
        yield row, sections, source.get("stats") or [], source.get("checks") or []


def build(path: Path, n: int, seed: int = 7, batch_size: int = 1000, jobs: int = 1) -> None:
    """Write N generated reports with plain executemany in batches; index_text (the costly part)
    runs in JOBS other processes meanwhile; the search index is merged into one segment at the end."""
    db = open_test_archive(path)
    conn: sqlite3.Connection = db.conn
    conn.execute("pragma synchronous = off")
    report_columns = [c for c in db["reports"].columns_dict if c != "rowid"]
    started = time.monotonic()
    pool = multiprocessing.get_context("fork").Pool(jobs)
    pending: list[tuple] = []   # batches being indexed, stored in order

    def store(batch, indexed):
        with conn:
            keys = [c for c in report_columns if c in batch[0][0]]
            conn.executemany(f"insert into reports ({', '.join(f'[{k}]' for k in keys)}) "
                             f"values ({', '.join('?' for _ in keys)})", [[b[0][k] for k in keys] for b in batch])
            conn.executemany("insert into sections (report_id, number, heading, kind, text) values (?,?,?,?,?)",
                             [(b[0]["id"], s["number"], s["heading"], s.get("kind"), s["text"])
                              for b in batch for s in b[1]])
            conn.executemany("insert or ignore into stat_labels (row_label, column_label) values (?, ?)",
                             {(s["row"], s["column"]) for b in batch for s in b[2]})
            labels = {(r, c): i for i, r, c in conn.execute("select id, row_label, column_label from stat_labels")}
            conn.executemany(
                "insert into stat_cells (report_id, table_no, row_key, column_key, label_id, value, unit, blank, "
                "position) values (?,?,?,?,?,?,?,?,?)",
                [(b[0]["id"], s["table"], s["row_key"], s["column_key"], labels[(s["row"], s["column"])],
                  s["value"], s["unit"], int(s["blank"]), position)
                 for b in batch for position, s in enumerate(b[2])])
            conn.executemany("insert into checks (report_id, [check], ok, expected, actual) values (?,?,?,?,?)",
                             [(b[0]["id"], c["check"], int(c["ok"]), c["expected"], c["actual"])
                              for b in batch for c in b[3]])
            conn.executemany(f"insert into [{FTS_TABLE}] (rowid, title, body) values (?,?,?)", indexed)

    batch: list[tuple] = []
    for row, sections, stats, checks in generate(n, seed):
        batch.append((row, sections, stats, checks))
        if len(batch) == batch_size or row["id"] == n:
            job = pool.apply_async(_indexed, [[(b[0]["id"], b[0]["title"], b[0]["body"]) for b in batch]])
            pending.append((batch, job))
            if len(pending) > jobs:
                done, job = pending.pop(0)
                store(done, job.get())
            batch = []
            print(f"  {row['id']:,} reports ({time.monotonic() - started:.0f}s)", file=sys.stderr)
    for done, job in pending:
        store(done, job.get())
    pool.close()
    with conn:
        conn.execute(f"insert into [{FTS_TABLE}]([{FTS_TABLE}]) values ('optimize')")
    conn.execute("pragma wal_checkpoint(truncate)")
    db.close()


def replicate(source: Path, path: Path, copies: int, jobs: int = 2, chunk: int = 500,
              reports_only: bool = False) -> None:
    """An archive of COPIES x the reports of the generated archive SOURCE: each copy's rows get their
    own ids (and URLs), its search rows are indexed again; index_text runs once per distinct text.
    REPORTS_ONLY: the tables made from the reports (sections, stat_cells, checks, ...) are not copied,
    for a measure of the table search alone (it reads reports and its index only).

    For the latency of a word in every report at a size whose build (index_text in Python, about
    30 ms a report) would take hours: the table and its index are COPIES times as long, the texts
    repeat."""
    import shutil

    shutil.copyfile(source, path)
    conn = sqlite3.connect(path)
    conn.execute("pragma synchronous = off")
    n = conn.execute("select max(id) from reports").fetchone()[0]
    tables = [name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")
              if not name.startswith(FTS_TABLE) and not reports_only and "report_id" in
              {r[1] for r in conn.execute(f"pragma table_info([{name}])")}]
    report_columns = [r[1] for r in conn.execute("pragma table_info(reports)")]
    pool = multiprocessing.get_context("fork").Pool(jobs)
    started = time.monotonic()
    with conn:
        for k in range(1, copies):
            select = ", ".join("id + :offset" if c == "id" else "url || '#copy' || :k" if c == "url" else f"[{c}]"
                               for c in report_columns)
            conn.execute(f"insert into reports ({', '.join(f'[{c}]' for c in report_columns)}) "
                         f"select {select} from reports where id <= :n", {"offset": k * n, "k": k, "n": n})
            for table in tables:
                columns = [r[1] for r in conn.execute(f"pragma table_info([{table}])") if r[1] != "rowid"]
                pk = {r[1] for r in conn.execute(f"pragma table_info([{table}])") if r[5]}
                if pk == {"id"}:
                    columns.remove("id")
                conn.execute(f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) select "
                             + ", ".join("report_id + :offset" if c == "report_id" else f"[{c}]" for c in columns)
                             + f" from [{table}] where report_id <= :n", {"offset": k * n, "n": n})
        print(f"  rows copied ({time.monotonic() - started:.0f}s)", file=sys.stderr)
        for first in range(1, n + 1, chunk * jobs):
            rows = conn.execute("select id, title, body from reports where id >= ? and id < ?",
                                [first, min(first + chunk * jobs, n + 1)]).fetchall()
            parts = [rows[i:i + chunk] for i in range(0, len(rows), chunk)]
            indexed = [r for part in pool.map(_indexed, parts) for r in part]
            conn.executemany(f"insert into [{FTS_TABLE}] (rowid, title, body) values (?, ?, ?)",
                             [(report_id + k * n, title, body) for k in range(1, copies)
                              for report_id, title, body in indexed])
            print(f"  {first + len(rows) - 1:,} of {n:,} texts indexed x{copies - 1} "
                  f"({time.monotonic() - started:.0f}s)", file=sys.stderr)
        conn.execute(f"insert into [{FTS_TABLE}]([{FTS_TABLE}]) values ('optimize')")
    pool.close()
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()


# Tables made from the reports, and the text they hold (UTF-8 bytes of these columns).
DERIVED = ("reports", "sections", "stats", "checks", "figures", FTS_TABLE)
TEXT_HELD = {"reports": ("title", "body"), "sections": ("heading", "text")}


def sizes(path: Path) -> dict:
    """Bytes on disk (dbstat, indexes counted with their table) and the text indexed."""
    conn = sqlite3.connect(path)
    text = conn.execute("select sum(length(title)) + sum(length(body)), sum(length(cast(title as blob))) + "
                        "sum(length(cast(body as blob))) from reports").fetchone()
    reports = conn.execute("select count(*) from reports").fetchone()[0]
    owner = dict(conn.execute("select name, tbl_name from sqlite_master"))
    try:
        # summed here: dbstat's aggregate mode overflows 32 bits for a table over 2 GB (SQLite 3.40)
        pages = conn.execute("select name, sum(pgsize) from dbstat group by name").fetchall()
    except sqlite3.OperationalError:
        pages = []
    by_table: dict[str, int] = {}
    for name, size in pages:
        table = owner.get(name, name)
        table = FTS_TABLE if table.startswith(FTS_TABLE) else table
        table = "stats" if table in ("stat_cells", "stat_labels") else table  # what the stats view reads
        by_table[table] = by_table.get(table, 0) + size
    held = {t: conn.execute("select " + " + ".join(f"coalesce(sum(length(cast([{c}] as blob))), 0)" for c in cols)
                            + f" from [{t}]").fetchone()[0] for t, cols in TEXT_HELD.items()}
    return {"reports": reports, "chars": text[0], "text_bytes": text[1], "by_table": by_table, "held": held,
            "fts_bytes": by_table.get(FTS_TABLE), "file_bytes": path.stat().st_size}


def pick_terms(path: Path) -> dict[str, list[str]]:
    """Terms by length: a rare one (a county's name, a few hundred reports) and a common one."""
    conn = sqlite3.connect(path)
    county = conn.execute("select county from reports where county is not null limit 1").fetchone()[0]
    issuer = conn.execute("select issuer from reports where issuer like ? limit 1", [county + "%"]).fetchone()[0]
    return {
        "2 chars": [county[:2], "公开"],
        "4 chars": [issuer[:4], "行政复议"],
        "8 chars": [(issuer + "2020年政府")[:8], "政府信息公开工作"],
    }


async def measure(ds, path: str, runs: int, **params) -> tuple[float, float, object]:
    await ds.client.get(path, params=params)  # warm-up: first use loads lazy tables (fold's character sets)
    times = []
    response = None
    for _ in range(runs):
        started = time.perf_counter()
        response = await ds.client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
    if response.status_code != 200:   # printed, not fatal: the other rows are still worth having
        print(f"  {path} {params}: HTTP {response.status_code} {response.text[:200]!r}", file=sys.stderr)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], response


def table_search_shape(response) -> str:
    """What a table search answered with: its total and facets, or neither (more than RANK_LIMIT matches)."""
    if "json" in response.headers.get("content-type", ""):
        data = response.json()
        if isinstance(data, dict) and "facet_results" in data:
            count = data.get("filtered_table_rows_count")
            more_than = data.get("nianbao_matches_more_than")
            shown = f"{count:,}" if count is not None else f"more than {more_than:,}" if more_than else "none"
            return f"count={shown} facets={len(data.get('facet_results') or {})}"
        return ""
    large = re.search(r"More than ([\d,]+) reports contain these words", response.text)
    if large:
        return f"page says: more than {large.group(1)}, no count/facets"
    facets = response.text.count('<div class="facet-info ')
    return f"facets={facets}" if facets else ""


async def run(db_path: Path, runs: int, table_search_only: bool = False) -> None:
    ds = make_datasette(db_path)
    name = db_path.stem
    conn = sqlite3.connect(db_path)
    from archive.search import fts_query

    def count(term):
        return conn.execute(f"select count(*) from [{FTS_TABLE}] where [{FTS_TABLE}] match ?",
                            [fts_query(term)]).fetchone()[0]

    print(f"{'request':58} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for length, terms in pick_terms(db_path).items():
        for term in terms:
            n = count(term)
            for label, path, params in [
                ("ranked search+snippets (canned query JSON)", f"/{name}/search.json", {"q": term, "_shape": "array"}),
                ("search page (ranked, count, section snippets)", "/-/nianbao/search", {"q": term}),
                ("reports.json?_search (table search)", f"/{name}/reports.json", {"_search": term}),
                ("reports?_search (table search page)", f"/{name}/reports", {"_search": term}),
            ]:
                if table_search_only and "_search" not in params:
                    continue
                p50, p95, response = await measure(ds, path, runs, **params)
                print(f"{length} {term:10} {label:45} {n:>8,} {p50:8.1f} {p95:8.1f}  {table_search_shape(response)}")
    if table_search_only:
        return
    report_id = conn.execute("select id from reports where template = '2021' limit 1").fetchone()[0]
    for label, path, params in [
        ("report page /-/nianbao/report/<id>", f"/-/nianbao/report/{report_id}", {}),
        ("reports table JSON with facets", f"/{name}/reports.json", {}),
        ("reports table HTML with facets", f"/{name}/reports", {}),
        ("canned query requests_by_county", f"/{name}/requests_by_county.json", {"province": PROVINCES[0], "level": ""}),
    ]:
        p50, p95, _ = await measure(ds, path, runs, **params)
        print(f"{label:69} {p50:8.1f} {p95:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="archive to build (or reuse if it exists)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=1, help="processes indexing the text while building")
    parser.add_argument("--copies-of", type=Path, default=None, metavar="SMALL_DB",
                        help="build the archive as --copies copies of the generated archive SMALL_DB (faster)")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--table-search-only", action="store_true",
                        help="measure only reports?_search= (with --copies-of: copy only reports and its index)")
    args = parser.parse_args()
    db_path = args.db or Path(f"/tmp/nianbao_bench_{args.reports}.db")
    if not db_path.exists() and args.copies_of:
        started = time.monotonic()
        replicate(args.copies_of, db_path, args.copies, jobs=max(1, args.jobs), reports_only=args.table_search_only)
        print(f"built {db_path} from {args.copies} copies of {args.copies_of} in {time.monotonic() - started:.0f}s",
              file=sys.stderr)
    elif not db_path.exists():
        started = time.monotonic()
        build(db_path, args.reports, jobs=args.jobs)
        print(f"built {db_path} in {time.monotonic() - started:.0f}s", file=sys.stderr)
    s = sizes(db_path)
    mb = 1e6
    print(f"archive: {s['reports']:,} reports, {s['chars'] / s['reports']:,.0f} characters per report; "
          f"report text (title + body) {s['text_bytes'] / mb:,.0f} MB (UTF-8); file {s['file_bytes'] / mb:,.0f} MB")
    if s["fts_bytes"]:
        print(f"search index ({FTS_TABLE}*, on disk): {s['fts_bytes'] / mb:,.0f} MB = "
              f"{s['fts_bytes'] / s['text_bytes']:.2f}x the text indexed")
        derived = sum(s["by_table"].get(t, 0) for t in DERIVED)
        held = sum(s["held"].values())
        print("derived tables on disk (with their indexes): " + ", ".join(
            f"{t} {s['by_table'].get(t, 0) / mb:,.0f} MB" for t in DERIVED))
        print(f"derived total {derived / mb:,.0f} MB = {derived / held:.2f}x the text they hold "
              f"({held / mb:,.0f} MB: reports title+body, sections heading+text) = "
              f"{derived / s['text_bytes']:.2f}x the report text")
    else:
        print("sizes on disk unknown (SQLite without dbstat)")
    asyncio.run(run(db_path, args.runs, args.table_search_only))


if __name__ == "__main__":
    main()
