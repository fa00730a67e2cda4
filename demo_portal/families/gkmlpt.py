"""鹤湾县 on the Guangdong 集约化 "gkmlpt" platform (PORTALS.md §4), as a sub-site under
``/hewan/`` like ``www.dabu.gov.cn/mzdpshzzf/gkmlpt/…``:

- column page ``/hewan/gkmlpt/index`` (linked as ``index#<category>``): no list in its HTML, the
  site id as ``SID: '…'`` in ``window._CONFIG`` and the column tree in ``window._CONFIG.TREE``;
- list API ``/hewan/gkmlpt/api/all/<category>?page=N&sid=<SID>`` (GET, JSON
  ``{"total": …, "articles": [{"id", "title", "url", "created_at", "create_time"}, …]}``, absolute
  URLs; page 2 answers its titles %u-escaped as some sites do; an empty list on the page after the last, 404 further on or for
  another sid); category 0 is every column;
- detail pages ``/hewan/gkmlpt/content/<id//10**6>/<id//10**3>/post_<id>.html`` whose HTML holds
  only chrome: the document is JSON in ``window._CONFIG.DETAIL`` (``</`` written ``<\\/``).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from ..render import JSON_UTF8, ORIGIN, Page, body_html, chunks, e, utf8_page

BASE = "/hewan/"
SID = "4412031"
CATEGORY = 2931  # 政府信息公开年报
TREE = [{"id": 2929, "name": "法定主动公开内容", "parent": 0, "children": [
            {"id": 2930, "name": "政府信息公开指南", "parent": 2929, "children": []},
            {"id": 2932, "name": "政府信息公开制度", "parent": 2929, "children": []},
            {"id": CATEGORY, "name": "政府信息公开年报", "parent": 2929, "children": []}]},
        {"id": 2940, "name": "其他政府信息", "parent": 0, "children": [
            {"id": 2941, "name": "政策解读", "parent": 2940, "children": []}]}]
PORTAL = {"family": "gkmlpt", "portal": "gkmlpt", "county": "鹤湾县", "site": "鹤湾县人民政府", "prefix": BASE,
          "homepage": BASE + "index.html", "column": f"{BASE}gkmlpt/index#{CATEGORY}", "per_page": 3,
          "sid": SID, "category": CATEGORY, "api": f"{BASE}gkmlpt/api/all/{CATEGORY}?page=1&sid={SID}"}
CST = timezone(timedelta(hours=8))
META = '<meta charset="utf-8">'


def article_path(doc: dict) -> str:
    n = doc["doc_id"]
    return f"{BASE}gkmlpt/content/{n // 1_000_000}/{n // 1000}/post_{n}.html"


def api_path(category: int, page: int) -> str:
    return f"{BASE}gkmlpt/api/all/{category}?page={page}&sid={SID}"


def _created(doc: dict) -> datetime:
    # Deterministic time of day per document (real APIs carry seconds).
    return datetime.fromisoformat(doc["published"]).replace(hour=9 + doc["doc_id"] % 8, minute=doc["doc_id"] % 60,
                                                            second=doc["doc_id"] % 47, tzinfo=CST)


def js_escape(text: str) -> str:
    """JavaScript ``escape()``: what some gkmlpt sites send titles as (``%u5E74…``)."""
    safe = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@*_+-./")
    return "".join(c if c in safe else (f"%{ord(c):02X}" if ord(c) < 256 else f"%u{ord(c):04X}") for c in text)


def _article_json(doc: dict, escaped: bool) -> dict:
    created = _created(doc)
    return {"id": doc["doc_id"], "title": js_escape(doc["title"]) if escaped else doc["title"],
            "url": ORIGIN + article_path(doc), "created_at": created.strftime("%Y-%m-%d %H:%M:%S"),
            "create_time": int(created.timestamp())}


def _api_page(docs: list[dict], total: int, page: int) -> Page:
    body = {"total": total, "articles": [_article_json(d, escaped=page >= 2) for d in docs]}
    return Page(json.dumps(body, ensure_ascii=False).encode("utf-8"), JSON_UTF8, absolute=True)


def _script_json(value) -> str:
    """JSON inside <script>: ``</`` written ``<\\/`` so a body's ``</p>`` cannot end the script."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _config(extra: str = "") -> str:
    return (f"<script>window._CONFIG = {{SID: '{SID}', SITE_NAME: '鹤湾县人民政府', "
            f"API_BASE: '{BASE}gkmlpt/api', STATIC: '{BASE}gkmlpt/static'}};\n"
            f"window._CONFIG.TREE = {_script_json(TREE)};{extra}</script>")


def _shell(title: str, config: str) -> str:
    return (f'<!DOCTYPE html><html><head>{META}<title>{e(title)}</title>'
            f'<link rel="stylesheet" href="{BASE}gkmlpt/static/css/app.8f3a2c.css"></head><body>'
            f'<div id="app"><div class="loading">加载中…</div></div>{config}'
            f'<script src="{BASE}gkmlpt/static/js/manifest.3ad1d5.js"></script>'
            f'<script src="{BASE}gkmlpt/static/js/app.9b8e61.js"></script></body></html>')


def _detail(doc: dict) -> str:
    created = _created(doc)
    detail = {"id": doc["doc_id"], "title": doc["title"], "content": body_html(doc, ""),
              "publisher": doc.get("issuer", "鹤湾县人民政府办公室"), "identifier": f"007231{doc['doc_id'] % 10**6:06d}/2020-0{doc['doc_id'] % 9 + 1}",
              "document_number": "", "classify_main_name": "政府信息公开年报", "date": int(created.timestamp()),
              "created_at": created.strftime("%Y-%m-%d %H:%M:%S"), "attachment": []}
    return _shell(f"{doc['title']} - 鹤湾县人民政府门户网站", _config(f"\nwindow._CONFIG.DETAIL = {_script_json(detail)};"))


def _homepage() -> str:
    return (f'<!DOCTYPE html><html><head>{META}<title>鹤湾县人民政府门户网站</title></head><body>'
            f'<div class="nav"><a href="{BASE}index.html">首页</a><a href="{BASE}zwgk/index.html">政务公开</a>'
            f'<a href="{BASE}gkmlpt/index">政府信息公开</a><a href="{BASE}hdjl/index.html">互动交流</a></div>'
            f'<div class="box"><h3>法定主动公开内容</h3><ul><li><a href="{BASE}gkmlpt/index#2930">政府信息公开指南</a></li>'
            f'<li><a href="{BASE}gkmlpt/index#2932">政府信息公开制度</a></li>'
            f'<li><a href="{BASE}gkmlpt/index#{CATEGORY}">政府信息公开年报</a></li></ul></div>'
            '<div class="footer">主办：鹤湾县人民政府办公室 粤ICP备00000006号 本网站为演示站点，所载单位均为虚构。</div></body></html>')


def build(reports: list[dict], lookalikes: list[dict]) -> dict:
    docs = sorted(reports + lookalikes, key=lambda d: (d["published"], d["doc_id"]), reverse=True)
    pages = {PORTAL["homepage"]: utf8_page(_homepage()),
             f"{BASE}gkmlpt/index": utf8_page(_shell("政府信息公开 - 鹤湾县人民政府门户网站", _config()))}
    for category in (CATEGORY, 0):  # 0: every column, the same articles here
        groups = list(chunks(docs, PORTAL["per_page"]))
        for i, group in enumerate(groups, start=1):
            pages[api_path(category, i)] = _api_page(group, len(docs), i)
        # the page after the last: the platform answers an empty list, not an error
        pages[api_path(category, len(groups) + 1)] = _api_page([], len(docs), len(groups) + 1)
    for node in TREE:
        for child in [node] + node["children"]:
            if child["id"] != CATEGORY:
                pages[api_path(child["id"], 1)] = _api_page([], 0, 1)
    for doc in docs:
        pages[article_path(doc)] = utf8_page(_detail(doc), modified=doc["published"])
    return pages
