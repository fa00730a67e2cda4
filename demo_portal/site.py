"""Pure builder of the whole demo site: URL path (with query) → Page."""
from __future__ import annotations

from .content import load_documents
from .families import FAMILY_MODULES, trs
from .render import Page, utf8_page

ROBOTS = "User-agent: *\nDisallow: /private/\nAllow: /\n"


def _index(portals) -> str:
    links = "\n".join(f'<li><a href="{m.PORTAL["homepage"]}">{m.PORTAL["county"]}人民政府（{m.PORTAL["family"]}）</a></li>'
                      for m in portals)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>nianbao 演示站点</title></head><body>'
            '<h1>nianbao 离线演示站点</h1><p>以下四个县级门户均为虚构，用于演示政府信息公开工作年度报告的采集。</p>'
            f'<ul>{links}</ul><p><a href="/private/">内部页面（robots.txt 禁止）</a></p></body></html>')


def build_site() -> dict[str, Page]:
    """Every page of the demo, keyed by path (``/generic/list.php?page=2``); no I/O but
    reading the bundled content."""
    docs = load_documents()
    site: dict[str, Page] = {
        "/": utf8_page(_index(FAMILY_MODULES.values())),
        "/robots.txt": Page(ROBOTS.encode("ascii"), "text/plain; charset=utf-8"),
        "/private/": utf8_page("<html><body>private</body></html>"),
    }
    for family, module in FAMILY_MODULES.items():
        reports = [d for d in docs["reports"] if d["portal"] == family]
        lookalikes = [d for d in docs["lookalikes"] if d["portal"] == family]
        pages = module.build(reports, lookalikes)
        overlap = site.keys() & pages.keys()
        if overlap:
            raise ValueError(f"duplicate demo paths: {sorted(overlap)}")
        site.update(pages)
    # TRS sites answer the column folder with its index page too.
    site[trs.COLUMN_DIR] = site[trs.PORTAL["column"]]
    return site
