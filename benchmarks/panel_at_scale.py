"""The panel at scale: what it costs to read and write, and how fast its series answer.

    .venv/bin/python benchmarks/panel_at_scale.py [--reports 40000] [--db PATH] [--runs 5]

Parses the labelled corpus once, then writes N reports through Archive.write_report (the one write
path, panel included) with the corpus reports cycled over 30 provinces x 50 counties, years
2010-2024 and the levels their issuers have (government, department, township), so duplicates,
levels and gaps occur as in a real archive. Prints: read_indicators per report; write_report per
report; the upgrade migration (archive.indicators.fill_panel) per report; then, with `nianbao serve`'s
limits in mind (sql_time_limit_ms 3000), the p50/max of the canned query requests_by_county (one
province), the dashboard chart (one province; the whole archive; one issuer) and indicator_series for
one province, on a fresh read-only connection as Datasette opens it.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.indicators import fill_panel  # noqa: E402
from archive.web.metadata import CANNED_QUERIES, numbers_sql  # noqa: E402
from archive.store import open_archive  # noqa: E402
from parsing.indicators import read_indicators  # noqa: E402
from parsing.report import parse_report  # noqa: E402
from tests.fixtures import corpus_fixtures, load_fixture  # noqa: E402
from tests.test_datasette_fixtures import issuer_level  # noqa: E402

PROVINCES = [f"省{n:02d}" for n in range(30)]


def corpus():
    reports = []
    for path in corpus_fixtures():
        raw, _ = load_fixture(path)
        reports.append(parse_report(raw.body, raw.url, raw.content_type))
    return reports


def build(path: str, n: int, reports) -> tuple[float, float]:
    random.seed(13)
    archive = open_archive(path)
    started = time.perf_counter()
    with archive.transaction():
        for i in range(n):
            report = reports[i % len(reports)]
            province = random.randrange(len(PROVINCES))
            county = random.randrange(50)
            report.year = random.randrange(2010, 2025)
            archive.write_report(report, url=f"http://example.gov.cn/{i}.html", province=PROVINCES[province],
                                 county=f"{PROVINCES[province]}县{county:02d}", level=issuer_level(report.issuer),
                                 division_code=f"{province + 11:02d}{county:02d}00")
    write = (time.perf_counter() - started) / n
    with archive.transaction():
        archive.conn.execute("delete from indicators")
        started = time.perf_counter()
        fill_panel(archive.conn)
        fill = (time.perf_counter() - started) / n
    archive.close()
    return write, fill


def timed(conn, sql: str, params: dict, runs: int) -> tuple[float, float, int]:
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = len(conn.execute(sql, params).fetchall())
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=40000)
    parser.add_argument("--db", default="/tmp/nianbao_panel_bench.db")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    reports = corpus()
    started = time.perf_counter()
    for _ in range(5):
        for report in reports:
            read_indicators(report.stats, report.body, report.figures)
    print(f"read_indicators: {(time.perf_counter() - started) / (5 * len(reports)) * 1000:.2f} ms a report "
          f"({len(reports)} corpus reports)")
    if not Path(args.db).exists():
        write, fill = build(args.db, args.reports, reports)
        print(f"write_report (panel included): {write * 1000:.2f} ms a report; "
              f"fill_panel (upgrade): {fill * 1000:.2f} ms a report")
    conn = sqlite3.connect(f"file:{Path(args.db).resolve()}?mode=ro", uri=True)
    count, rows = conn.execute("select count(*), (select count(*) from indicators) from reports").fetchone()
    print(f"{args.db}: {count:,} reports, {rows:,} panel rows")
    county = next(q["sql"] for name, _, q in CANNED_QUERIES if name == "requests_by_county")
    chart = numbers_sql(True)
    by_province = chart.replace("[[ and reports.province = :province ]]", "and reports.province = :province")
    whole = chart.replace("[[ and reports.province = :province ]]", "")
    for label, sql, params in (
        ("requests_by_county (one province)", county, {"province": PROVINCES[3], "level": ""}),
        ("chart, one province", by_province, {"province": PROVINCES[3], "level": "", "issuer": ""}),
        ("chart, whole archive", whole, {"level": "", "issuer": ""}),
        ("chart, one issuer", whole, {"level": "", "issuer": reports[0].issuer}),
        ("indicator_series, one province", "select * from indicator_series where province = :province",
         {"province": PROVINCES[3]}),
    ):
        p50, worst, n = timed(conn, sql, params, args.runs)
        print(f"{label}: p50 {p50 * 1000:.0f} ms, max {worst * 1000:.0f} ms ({n} rows)")


if __name__ == "__main__":
    main()
