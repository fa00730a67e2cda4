"""青溪县 on a TRS WCM site: GBK pages with only a <meta> charset, column
``/trs/zwgk/xxgknb/index.html`` → ``index_1.html`` … (createPageHTML), articles
``./YYYYMM/tYYYYMMDD_<docid>.html`` with the body in ``div.TRS_Editor`` inside a layout table."""
from __future__ import annotations

from ..render import body_html, breadcrumb, chunks, e, footer, gbk_page, info_line, truncate, views_of, TOOLS

COLUMN_DIR = "/trs/zwgk/xxgknb/"
PORTAL = {"family": "trs", "portal": "trs", "county": "青溪县", "site": "青溪县人民政府", "prefix": "/trs/",
          "homepage": "/trs/index.html", "column": COLUMN_DIR + "index.html", "per_page": 3}
META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
NAV = ('<div class="header"><div class="logo">青溪县人民政府</div><ul class="nav">'
       '<li><a href="/trs/index.html">首页</a></li><li><a href="/trs/xwzx/">新闻中心</a></li>'
       '<li><a href="/trs/zwgk/">政务公开</a></li><li><a href="/trs/zmhd/">政民互动</a></li>'
       '<li><a href="/trs/lxwm/">联系我们</a></li></ul></div>')
FOOT = footer("青溪县人民政府", "浙ICP备00000001号", "地址：青溪县城关镇溪东路88号 电话：0578-6512316")


def article_path(doc: dict) -> str:
    ymd = doc["published"].replace("-", "")
    return f"{COLUMN_DIR}{ymd[:6]}/t{ymd}_{doc['doc_id']}.html"


def list_path(page: int) -> str:
    return COLUMN_DIR + ("index.html" if page == 0 else f"index_{page}.html")


def _article(doc: dict, chrome_inside: bool) -> str:
    crumb = f'<div class="position">{breadcrumb("/trs/index.html", "/trs/zwgk/xxgknb/index.html")}</div>'
    info = info_line(doc["published"], views_of(doc), "发布日期")
    inner = body_html(doc)
    if chrome_inside:  # some TRS templates put the whole article chrome in the editor div
        inner = f'<div class="position">{breadcrumb("/trs/index.html", "/trs/zwgk/xxgknb/index.html")}</div><p>{info}</p>{inner}{TOOLS}'
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head>{META}
<title>{e(doc['title'])}_青溪县人民政府</title>
<meta name="ArticleTitle" content="{e(doc['title'])}"><meta name="PubDate" content="{doc['published']} 09:00">
<meta name="ContentSource" content="青溪县人民政府办公室">
</head><body>{NAV}{crumb if not chrome_inside else ''}
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="article-table">
<tr><td class="title" align="center"><h2>{e(doc['title'])}</h2></td></tr>
<tr><td class="info" align="center">{info if not chrome_inside else '来源：青溪县人民政府办公室'}</td></tr>
<tr><td><div class="TRS_Editor"><div class="Custom_UnionStyle">
{inner}
</div></div></td></tr>
<tr><td>{TOOLS if not chrome_inside else ''}</td></tr>
</table>{FOOT}</body></html>"""


def _pager(page: int, count: int) -> str:
    if page == count - 1 and count > 1:
        # Older TRS template: page count in variables, links written by document.write.
        return (f'<script type="text/javascript">var currentPage = {page};//所在页从0开始\n'
                'var prevPage = currentPage-1;//上一页\nvar nextPage = currentPage+1;//下一页\n'
                f'var countPage = {count};//共多少页\n'
                'document.write("共"+countPage+"页&nbsp;&nbsp;");\n'
                'if(currentPage>0){document.write("<a href=\\"index.html\\">首页</a>&nbsp;");'
                'if(prevPage==0){document.write("<a href=\\"index.html\\">上一页</a>");}'
                'else{document.write("<a href=\\"index_" + prevPage + "." + "html\\">上一页</a>");}}\n'
                'if(nextPage<countPage){document.write("<a href=\\"index_" + nextPage + "." + "html\\">下一页</a>");}\n'
                '</script>')
    return f'<script type="text/javascript">createPageHTML({count}, {page}, "index", "html");</script>'


def _list(items: list[dict], page: int, count: int) -> str:
    rows = "\n".join(
        f'<li><a href="./{article_path(d)[len(COLUMN_DIR):]}" target="_blank" title="{e(d["title"])}">'
        f'{e(truncate(d["title"], 24, "..."))}</a><span class="date">{d["published"]}</span></li>' for d in items)
    return f"""<!DOCTYPE html><html><head>{META}<title>政府信息公开年报_青溪县人民政府</title>
<script type="text/javascript" src="/trs/images/page.js"></script></head><body>{NAV}
<div class="position">{breadcrumb("/trs/index.html", "./index.html")}</div>
<div class="left"><ul class="menu"><li><a href="../zfxxgkzn/">政府信息公开指南</a></li>
<li><a href="../zfxxgkzd/">政府信息公开制度</a></li><li><a href="./index.html">政府信息公开年报</a></li>
<li><a href="../zfgzbg/">政府工作报告</a></li></ul></div>
<div class="right"><h3>政府信息公开年报</h3><ul class="list">
{rows}
</ul><div class="fenye">{_pager(page, count)}</div></div>{FOOT}</body></html>"""


def _homepage() -> str:
    return f"""<!DOCTYPE html><html><head>{META}<title>青溪县人民政府</title></head><body>{NAV}
<div class="banner">青溪县人民政府门户网站</div>
<div class="box"><h3>政务公开</h3><ul>
<li><a href="/trs/zwgk/zfxxgkzn/">政府信息公开指南</a></li>
<li><a href="/trs/zwgk/zfxxgkzd/">政府信息公开制度</a></li>
<li><a href="/trs/zwgk/xxgknb/index.html">政府信息公开年报</a></li>
<li><a href="/trs/zwgk/zfgzbg/">政府工作报告</a></li></ul></div>
<div class="box"><h3>新闻中心</h3><ul><li><a href="/trs/xwzx/">青溪要闻</a></li><li><a href="/trs/xwzx/">部门动态</a></li></ul></div>
{FOOT}</body></html>"""


def build(reports: list[dict], lookalikes: list[dict]) -> dict:
    docs = sorted(reports + lookalikes, key=lambda d: (d["published"], d["doc_id"]), reverse=True)
    pages = {PORTAL["homepage"]: gbk_page(_homepage())}
    groups = chunks(docs, PORTAL["per_page"])
    for i, group in enumerate(groups):
        pages[list_path(i)] = gbk_page(_list(group, i, len(groups)))
    for i, doc in enumerate(docs):
        pages[article_path(doc)] = gbk_page(_article(doc, chrome_inside=i % 2 == 1), modified=doc["published"])
    return pages
