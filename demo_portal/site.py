"""Pure builder of the whole demo site: URL path (with query) → Page, plus the few answers
computed per request (``build_routes``)."""
from __future__ import annotations

from .content import corrected_document, load_documents
from .families import PORTAL_MODULES, trs
from .render import Page, utf8_page

ROBOTS = "User-agent: *\nDisallow: /private/\nAllow: /\n"


def _index(portals) -> str:
    links = "\n".join(f'<li><a href="{m.PORTAL["homepage"]}">{m.PORTAL["county"]}人民政府（{m.PORTAL["family"]}）</a></li>'
                      for m in portals)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>nianbao 演示站点</title></head><body>'
            '<h1>nianbao 离线演示站点</h1><p>以下县级门户均为虚构，用于演示政府信息公开工作年度报告的采集。</p>'
            f'<ul>{links}</ul><p><a href="/private/">内部页面（robots.txt 禁止）</a></p></body></html>')


def _portal_docs(docs: dict, portal: str, corrected: bool) -> tuple[list, list, list]:
    reports = [d for d in docs["reports"] if d["portal"] == portal]
    if corrected:
        reports = [corrected_document(d) for d in reports]
    return (reports, [d for d in docs["lookalikes"] if d["portal"] == portal],
            [d for d in docs.get("blocked", []) if d["portal"] == portal])


def build_site(corrected: bool = False) -> dict[str, Page]:
    """Every page of the demo, keyed by path (``/generic/list.php?page=2``); no I/O but
    reading the bundled content. ``corrected``: every report as re-published with
    content.CORRECTION_NOTE (the server's "corrected" variant takes its pages from here)."""
    docs = load_documents()
    site: dict[str, Page] = {
        "/": utf8_page(_index(PORTAL_MODULES.values())),
        "/robots.txt": Page(ROBOTS.encode("ascii"), "text/plain; charset=utf-8"),
        "/private/": utf8_page("<html><body>private</body></html>"),
    }
    for portal, module in PORTAL_MODULES.items():
        reports, lookalikes, blocked = _portal_docs(docs, portal, corrected)
        pages = module.build(reports, lookalikes, blocked) if blocked else module.build(reports, lookalikes)
        overlap = site.keys() & pages.keys()
        if overlap:
            raise ValueError(f"duplicate demo paths: {sorted(overlap)}")
        site.update(pages)
    # TRS sites answer the column folder with its index page too.
    site[trs.COLUMN_DIR] = site[trs.PORTAL["column"]]
    return site


def build_routes() -> dict:
    """Paths answered per request: {path: handler(params: dict) -> Page | None}."""
    docs = load_documents()
    routes = {}
    for portal, module in PORTAL_MODULES.items():
        if hasattr(module, "routes"):
            reports, lookalikes, _ = _portal_docs(docs, portal, corrected=False)
            routes.update(module.routes(reports, lookalikes))
    return routes
