"""The panel in the archive: the ``indicators`` table, its series, and the tidy export.

One row per report per indicator (parsing/indicators.py ``INDICATORS``), written with the report's
other derived rows by ``Archive.write_report`` (crawl, reparse and import-warc all come through
archive.ingest), so ``nianbao reparse`` rebuilds it. ``division_code``, ``year`` and ``level`` are
the report's, copied so the panel reads on its own.

A number the narrative states differently from the table is kept as the table says and flagged
twice: the row's ``detail`` ends with "≠ 正文 text N: «sentence»", and the report gets a failed
check ``text.<indicator>`` (expected: what the text says; actual: what the table prints), which
the report page, the ``failed_checks`` view and ``reports.checks_failed`` count like the others.

Series (the ``indicator_series`` view, archive/schema.py) are level-aware: one value per division,
level and year, a government's own report taken once (the first live one when a portal published
it twice), departments and townships summed apart, never added to their government.
"""
from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Iterator

from parsing.indicators import BY_KEY, INDICATORS, Panel, read_indicators

# The failed check that flags a table-vs-text disagreement: text.<indicator key>.
DISAGREEMENT_CHECK = "text."
UTF8_BOM = "\ufeff"
# The tidy export's columns, in order: who, where, when, what, how much, from where.
EXPORT_COLUMNS = ("report_id", "division_code", "province", "city", "county", "issuer", "level", "year",
                  "indicator", "label_zh", "label_en", "value", "unit", "source", "detail", "url")
EXPORT_FORMATS = (".csv", ".parquet")


def write_indicators(conn: sqlite3.Connection, report_id: int, panel: Panel, *, year: int | None,
                     level: str | None, division_code: str | None) -> None:
    """The panel rows and disagreement checks of one report (its old rows already deleted)."""
    conn.executemany(
        "insert or replace into indicators (report_id, division_code, year, level, indicator, value, source, detail)"
        " values (?, ?, ?, ?, ?, ?, ?, ?)",
        [(report_id, division_code, year, level, v.indicator, v.value, v.source, v.detail) for v in panel.values])
    conn.executemany(
        "insert or replace into checks (report_id, [check], ok, expected, actual) values (?, ?, 0, ?, ?)",
        [(report_id, DISAGREEMENT_CHECK + d.indicator, d.text_value, d.table_value) for d in panel.disagreements])


def fill_panel(conn: sqlite3.Connection) -> int:
    """The panel of every report that has none, read from what the archive stores (its cells and
    text): an archive made before the panel gets it without a reparse. Returns the reports read."""
    reports = conn.execute("select id, year, level, division_code, body, checks_failed from reports "
                           "where id not in (select report_id from indicators)").fetchall()
    for report_id, year, level, division_code, body, checks_failed in reports:
        stats = [{"table": t, "row_key": r, "column_key": c, "value": v, "unit": u, "row": rl, "column": cl}
                 for t, r, c, v, u, rl, cl in conn.execute(
                     "select stat_cells.table_no, stat_cells.row_key, stat_cells.column_key, stat_cells.value,"
                     " stat_cells.unit, stat_labels.row_label, stat_labels.column_label from stat_cells"
                     " left join stat_labels on stat_labels.id = stat_cells.label_id where report_id = ?"
                     " order by position", [report_id])]
        figures = [{"name": n, "value": v, "sentence": s} for n, v, s in conn.execute(
            "select name, value, sentence from figures where report_id = ?", [report_id])]
        panel = read_indicators(stats, body or "", figures)
        conn.execute(f"delete from checks where report_id = ? and [check] like '{DISAGREEMENT_CHECK}%'", [report_id])
        write_indicators(conn, report_id, panel, year=year, level=level, division_code=division_code)
        failed = conn.execute("select count(*) from checks where report_id = ? and not ok", [report_id]).fetchone()[0]
        if failed != checks_failed:
            conn.execute("update reports set checks_failed = ? where id = ?", [failed, report_id])
    return len(reports)


def panel_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    """The tidy panel: one dict per report per indicator (EXPORT_COLUMNS), in report and
    declaration order."""
    order = {indicator.key: n for n, indicator in enumerate(INDICATORS)}
    cursor = conn.execute("""
        select indicators.report_id, indicators.division_code, reports.province, reports.city, reports.county,
               reports.issuer, indicators.level, indicators.year, indicators.indicator, indicators.value,
               indicators.source, indicators.detail, reports.url
        from indicators join reports on reports.id = indicators.report_id
        order by indicators.report_id""")
    names = [d[0] for d in cursor.description]
    batch: list[dict] = []
    for row in cursor:
        row = dict(zip(names, row))
        if batch and batch[0]["report_id"] != row["report_id"]:
            yield from sorted(batch, key=lambda r: order.get(r["indicator"], len(order)))
            batch = []
        indicator = BY_KEY.get(row["indicator"])
        row["label_zh"] = indicator.zh if indicator else None
        row["label_en"] = indicator.en if indicator else None
        row["unit"] = indicator.unit if indicator else None
        batch.append({column: row[column] for column in EXPORT_COLUMNS})
    yield from sorted(batch, key=lambda r: order.get(r["indicator"], len(order)))


def write_csv(rows: Iterable[dict], out: str, bom: bool = False) -> int:
    """RFC 4180 CSV in UTF-8 (with a BOM when asked: Excel on Chinese Windows reads GBK without one)."""
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write(UTF8_BOM)
        writer = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_parquet(rows: Iterable[dict], out: str) -> int:
    """Parquet through pyarrow (the `parquet` extra): value as a double, since a column holds counts
    and 万元 amounts alike; every other column as the archive types it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.int64() if c in ("report_id", "year") else pa.float64() if c == "value"
                         else pa.string()) for c in EXPORT_COLUMNS])
    columns: dict[str, list] = {c: [] for c in EXPORT_COLUMNS}
    for row in rows:
        for c in EXPORT_COLUMNS:
            columns[c].append(row[c])
    pq.write_table(pa.table(columns, schema=schema), out)
    return len(columns["report_id"])


def parquet_available() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True
