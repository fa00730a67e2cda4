"""The coverage page (/-/nianbao/coverage): divisions × years, each cell present / missing / overdue /
vanished (the `coverage` view), linking to the report; filtered by province and level."""
from __future__ import annotations

from urllib.parse import urlencode

from datasette.utils.asgi import BadRequest, Response

from ..divisions import GOVERNMENT_REPORT_DUE

# Each status as the page shows it: (mark, 中文, English).
STATUS_LABELS = {
    "present": ("●", "已收录", "archived"),
    "vanished": ("◐", "已从网站消失（存档保留）", "vanished from its portal (archived copy kept)"),
    "missing": ("○", "未收录，未到期", "not archived, not yet due"),
    "overdue": ("✕", "逾期未见", f"not archived after its deadline ({GOVERNMENT_REPORT_DUE} of the next year)"),
}
LEVELS = {"province": "省级 province", "prefecture": "地级 prefecture", "county": "县级 county"}
DIVISIONS_PER_PAGE = 200


def _page(value: str | None) -> int:
    try:
        page = int(value or 1)
    except ValueError:
        page = 0
    if not 1 <= page <= 100_000:
        raise BadRequest("page: 页码须为正整数 / page must be a whole number from 1")
    return page


async def coverage_page(datasette, request):
    db = datasette.get_database()
    province = (request.args.get("province") or "").strip()
    level = (request.args.get("level") or "").strip()
    if level and level not in LEVELS:
        raise BadRequest(f"level: 须为 {', '.join(LEVELS)} 之一 / level must be one of {', '.join(LEVELS)}")
    page = _page(request.args.get("page"))
    if not await db.table_exists("divisions"):
        raise BadRequest("this archive has no divisions registry: upgrade it with `nianbao reparse --db …`")
    where, params = [], []
    if province:
        where.append("province = ?")
        params.append(province)
    if level:
        where.append("level = ?")
        params.append(level)
    clause = f"where {' and '.join(where)}" if where else ""
    rows = [dict(r) for r in (await db.execute(
        f"select division_code, name, level, province, year, government_report_id, department_reports, "
        f"township_reports, status from coverage {clause} order by division_code, year", params)).rows]
    provinces = [r[0] for r in (await db.execute(
        "select distinct province from coverage where province is not null order by province")).rows]
    years = sorted({r["year"] for r in rows})
    divisions: dict[str, dict] = {}
    for r in rows:
        d = divisions.setdefault(r["division_code"], {"code": r["division_code"], "name": r["name"],
                                                      "level": r["level"], "province": r["province"], "cells": {}})
        d["name"] = r["name"]  # the name in its latest year
        mark, zh, en = STATUS_LABELS[r["status"]]
        href = datasette.urls.path(f"/-/nianbao/report/{r['government_report_id']}") \
            if r["government_report_id"] else None
        others = r["department_reports"] + r["township_reports"]
        d["cells"][r["year"]] = {"status": r["status"], "mark": mark, "href": href, "others": others,
                                 "title": f"{r['name']} {r['year']}: {zh} / {en}"
                                          + (f"; 部门/乡镇报告 {others} department/township reports" if others else "")}
    ordered = list(divisions.values())
    pages = max(1, -(-len(ordered) // DIVISIONS_PER_PAGE))
    shown = ordered[(page - 1) * DIVISIONS_PER_PAGE: page * DIVISIONS_PER_PAGE]
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUS_LABELS}

    def url(**changes):
        args = {"province": province, "level": level, "page": page} | changes
        return datasette.urls.path("/-/nianbao/coverage") + "?" + urlencode({k: v for k, v in args.items() if v})

    context = {
        "years": years, "divisions": shown, "provinces": provinces, "province": province, "level": level,
        "levels": LEVELS, "statuses": STATUS_LABELS, "counts": counts, "page": page, "pages": pages,
        "prev_url": url(page=page - 1) if page > 1 else None, "next_url": url(page=page + 1) if page < pages else None,
        "total_divisions": len(ordered),
        "overdue_url": datasette.urls.table(db.name, "overdue") + ("?" + urlencode({"province": province})
                                                                   if province else ""),
    }
    return Response.html(await datasette.render_template("nianbao_coverage.html", context, request=request))
