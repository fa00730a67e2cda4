"""云岭县 on a Hanweb (大汉 JCMS) site: column ``/hanweb/col/col1229000001/index.html`` whose
records sit in a ``<script type="text/xml"><datastore>`` block, further records from
``/hanweb/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…&columnid=…``,
articles ``/hanweb/art/YYYY/M/D/art_1229000001_<id>.html`` with the body in ``div#zoom``.
The article ``<title>`` holds only the site name; the title is in ``<meta name="ArticleTitle">``."""
from __future__ import annotations

from urllib.parse import urlencode

from ..render import (XML_UTF8, Page, body_html, breadcrumb, chunks, e, footer, info_line,
                      utf8_page, views_of, TOOLS)

COLUMN_ID, WEB_ID, UNIT_ID = 1229000001, 1, 4455560
PORTAL = {"family": "hanweb", "portal": "hanweb", "county": "云岭县", "site": "云岭县人民政府", "prefix": "/hanweb/",
          "homepage": "/hanweb/index.html", "column": f"/hanweb/col/col{COLUMN_ID}/index.html", "per_page": 3}
PROXY = "/hanweb/module/web/jpage/dataproxy.jsp"
META = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
NAV = ('<div class="header"><div class="nav"><a href="/hanweb/index.html">首页</a>'
       '<a href="/hanweb/col/col1229000100/index.html">新闻</a><a href="/hanweb/col/col1229000200/index.html">政务公开</a>'
       '<a href="/hanweb/col/col1229000300/index.html">政民互动</a><a href="/hanweb/col/col1229000400/index.html">联系我们</a></div></div>')
FOOT = footer("云岭县人民政府", "苏ICP备00000002号", "地址：云岭县白云大道128号 电话：0515-87238520")


def article_path(doc: dict) -> str:
    y, m, d = (int(x) for x in doc["published"].split("-"))
    return f"/hanweb/art/{y}/{m}/{d}/art_{COLUMN_ID}_{doc['doc_id']}.html"


def proxy_key(start: int, end: int) -> str:
    """The GET form of a jpage proxy request (same fields real jpage POSTs); the proxy itself
    is computed per request (``proxy_answer``)."""
    q = {"startrecord": start, "endrecord": end, "perpage": PORTAL["per_page"], "col": 1, "appid": 1,
         "webid": WEB_ID, "path": "/", "columnid": COLUMN_ID, "sourceContentType": 1, "unitid": UNIT_ID,
         "permissiontype": 0}
    return f"{PROXY}?{urlencode(q)}"


def _record(doc: dict) -> str:
    return (f'<record><![CDATA[<li><a href="{article_path(doc)}" title="{e(doc["title"])}" target="_blank">'
            f'{e(doc["title"])}</a><span class="bt-data-time">{doc["published"]}</span></li>]]></record>')


def _datastore(docs: list[dict]) -> str:
    nextgroup = (f'<a href="{PROXY}?page=1&appid=1&webid={WEB_ID}&path=/&columnid={COLUMN_ID}'
                 f'&unitid={UNIT_ID}&webname=云岭县人民政府&permissiontype=0"></a>')
    return (f"<datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup><recordset>"
            + "".join(_record(d) for d in docs) + "</recordset></datastore>")


def _column(first: list[dict], total: int) -> str:
    return f"""<!DOCTYPE html><html><head>{META}<title>政府信息公开年报 云岭县人民政府</title>
<meta name="SiteName" content="云岭县人民政府"><meta name="ColumnName" content="政府信息公开年报"></head><body>{NAV}
<div class="bt-position">{breadcrumb("/hanweb/index.html", PORTAL["column"])}</div>
<div class="bt-left"><ul class="menu"><li><a href="/hanweb/col/col1229000011/index.html">政府信息公开指南</a></li>
<li><a href="{PORTAL["column"]}">政府信息公开年报</a></li></ul></div>
<div class="bt-right"><div class="default_pgContainer" id="{UNIT_ID}"><script type="text/xml">{_datastore(first)}</script></div>
<script language="javascript" src="/hanweb/module/jslib/jquery/jpage/jpage.js"></script>
<script type="text/javascript">
$(document).ready(function() {{
  $('#{UNIT_ID}').jpage({{
    dataStore: dataStore, totalRecord: {total}, perPage: {PORTAL["per_page"]}, groupSize: 1,
    proxyUrl: '{PROXY}', dataBefore: '<ul class="list">', dataAfter: '</ul>',
    barPosition: 'bottom', showMode: 'full',
    ajaxParam: {{col: 1, appid: 1, webid: {WEB_ID}, path: '/', columnid: {COLUMN_ID}, sourceContentType: 1, unitid: {UNIT_ID}, webname: '云岭县人民政府', permissiontype: 0}}
  }});
}});
</script></div>{FOOT}</body></html>"""


def _article(doc: dict, chrome_inside: bool) -> str:
    crumb = f'<div class="bt-position">{breadcrumb("/hanweb/index.html", PORTAL["column"])}</div>'
    info = info_line(doc["published"], views_of(doc))
    inner = body_html(doc)
    if chrome_inside:
        inner = f"{crumb}<p>{info}</p>{inner}{TOOLS}"
    return f"""<!DOCTYPE html><html><head>{META}<title>云岭县人民政府</title>
<meta name="SiteName" content="云岭县人民政府"><meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{e(doc['title'])}"><meta name="PubDate" content="{doc['published']} 09:30">
<meta name="ContentSource" content="云岭县人民政府办公室"></head><body>{NAV}{'' if chrome_inside else crumb}
<table width="100%" class="bt-article"><tr><td class="title" align="center">{e(doc['title'])}</td></tr>
<tr><td align="center">{'' if chrome_inside else info}</td></tr>
<tr><td><div id="zoom">
{inner}
</div></td></tr><tr><td>{'' if chrome_inside else TOOLS}</td></tr></table>{FOOT}</body></html>"""


def _homepage() -> str:
    return f"""<!DOCTYPE html><html><head>{META}<title>云岭县人民政府</title></head><body>{NAV}
<div class="banner">云岭县人民政府门户网站</div>
<div class="bt-box"><h3>信息公开</h3><ul>
<li><a href="/hanweb/col/col1229000011/index.html">政府信息公开指南</a></li>
<li><a href="/hanweb/col/col1229000012/index.html">政府信息公开制度</a></li>
<li><a href="{PORTAL["column"]}">政府信息公开年报</a></li>
<li><a href="/hanweb/col/col1229000013/index.html">政府工作报告</a></li></ul></div>
<div class="bt-box"><h3>新闻</h3><ul><li><a href="/hanweb/col/col1229000100/index.html">云岭要闻</a></li></ul></div>
{FOOT}</body></html>"""


def proxy_answer(docs: list[dict], params: dict) -> Page | None:
    """dataproxy.jsp as the real one answers: records ``startrecord``…``endrecord`` (1-based,
    inclusive: what jpage POSTs, the range in the query and the ajaxParam fields in the form
    body), or page ``page`` of ``perpage`` records (the GET form of the ``nextgroup`` link).
    Computed per request because clients ask for ranges of any size; None (404) for another
    column or when neither form is given."""
    if params.get("columnid") != str(COLUMN_ID):
        return None
    try:
        if "startrecord" in params:
            first, last = int(params["startrecord"]), int(params.get("endrecord", params["startrecord"]))
        elif "page" in params:
            perpage = int(params.get("perpage") or PORTAL["per_page"])
            first = (int(params["page"]) - 1) * perpage + 1
            last = first + perpage - 1
        else:
            return None
    except ValueError:
        return None
    xml = '<?xml version="1.0" encoding="UTF-8"?>' + _datastore(docs[max(first, 1) - 1:max(last, 0)])
    return Page(xml.encode("utf-8"), XML_UTF8, validators=False)


def _ordered(reports: list[dict], lookalikes: list[dict]) -> list[dict]:
    return sorted(reports + lookalikes, key=lambda d: (d["published"], d["doc_id"]), reverse=True)


def routes(reports: list[dict], lookalikes: list[dict]) -> dict:
    docs = _ordered(reports, lookalikes)
    return {PROXY: lambda params: proxy_answer(docs, params)}


def build(reports: list[dict], lookalikes: list[dict]) -> dict:
    docs = _ordered(reports, lookalikes)
    groups = chunks(docs, PORTAL["per_page"])
    pages = {PORTAL["homepage"]: utf8_page(_homepage()), PORTAL["column"]: utf8_page(_column(groups[0], len(docs)))}
    for i, doc in enumerate(docs):
        pages[article_path(doc)] = utf8_page(_article(doc, chrome_inside=i % 2 == 0), modified=doc["published"])
    return pages
