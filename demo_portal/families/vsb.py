"""石门川县 on a VSB (博达) site: list ``/vsb/xxgknb.htm`` then ``/vsb/xxgknb/2.htm``,
``/vsb/xxgknb/1.htm`` (counting down), pager ``共N条 i/T`` with ``class="Next"`` links,
articles ``/vsb/info/1082/<id>.htm`` with the body in ``div#vsb_content > div.v_news_content``
and a ``点击数:`` counter script."""
from __future__ import annotations

from ..render import TOOLS, body_html, chunks, e, footer, truncate, utf8_page

COLUMN_ID = 1082
PORTAL = {"family": "vsb", "portal": "vsb", "county": "石门川县", "site": "石门川县人民政府", "prefix": "/vsb/",
          "homepage": "/vsb/index.htm", "column": "/vsb/xxgknb.htm", "per_page": 2}
VSB_P = ' class="vsbcontent_start"'  # paragraph class the VSB editor writes
META = '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
FOOT = footer("石门川县人民政府", "甘ICP备00000003号", "地址：石门川县红川路19号 电话：0938-5721234")


def _nav(up: str) -> str:
    return (f'<div class="top"><div class="nav"><a href="{up}index.htm">首页</a><a href="{up}xwzx.htm">新闻中心</a>'
            f'<a href="{up}zwgk.htm">政务公开</a><a href="{up}bsfw.htm">办事服务</a><a href="{up}lxwm.htm">联系我们</a></div></div>')


def article_path(doc: dict) -> str:
    return f"/vsb/info/{COLUMN_ID}/{doc['doc_id']}.htm"


def list_path(page: int, count: int) -> str:
    """Page ``page`` (0-based) of ``count``: xxgknb.htm, then xxgknb/(count-page).htm."""
    return "/vsb/xxgknb.htm" if page == 0 else f"/vsb/xxgknb/{count - page}.htm"


def _pager(page: int, count: int, total: int, up: str) -> str:
    def rel(p):  # list page p as linked from the current page
        path = list_path(p, count)
        return (up + path[len("/vsb/"):]) if page else path[len("/vsb/"):]
    first = ('<span class="PrevDisabled">首页</span><span class="PrevDisabled">上页</span>' if page == 0 else
             f'<a href="{rel(0)}" class="Prev">首页</a><a href="{rel(page - 1)}" class="Prev">上页</a>')
    # The last page drops 下页/尾页 altogether (this VSB template writes no NextDisabled spans).
    last = ('' if page == count - 1 else
            f'<a href="{rel(page + 1)}" class="Next">下页</a><a href="{rel(count - 1)}" class="Next">尾页</a>')
    return (f'<table cellspacing="0" cellpadding="0" border="0"><tr><td colspan="2" align="center" class="pagestyle57630" nowrap>'
            f'共{total}条&nbsp;&nbsp;{page + 1}/{count}&nbsp;{first}{last}</td></tr></table>')


def _list(items: list[dict], page: int, count: int, total: int) -> str:
    up = "../" if page else ""
    rows = "\n".join(
        f'<li id="line_u8_{i}"><a href="{up}{article_path(d)[len("/vsb/"):]}" target="_blank" title="{e(d["title"])}">'
        f'{e(truncate(d["title"], 20, "…"))}</a><span>{d["published"].replace("-", "/")}</span></li>'
        for i, d in enumerate(items))
    return f"""<!DOCTYPE html><html><head>{META}<title>政府信息公开年报-石门川县人民政府</title>
<script type="text/javascript" src="/vsb/system/resource/js/counter.js"></script></head><body>{_nav(up)}
<div class="location">当前位置: <a href="{up}index.htm">网站首页</a> -&gt; <a href="{up}zwgk.htm">政务公开</a> -&gt; 政府信息公开年报</div>
<div class="main"><div class="right-list"><ul>
{rows}
</ul></div>
<div class="pb_sys_common">{_pager(page, count, total, up)}</div></div>{FOOT}</body></html>"""


def _article(doc: dict, chrome_inside: bool) -> str:
    info = (f'发布日期：{doc["published"]} 09:00&nbsp;&nbsp;来源：石门川县人民政府办公室&nbsp;&nbsp;点击数:'
            f'<script>_showDynClicks("wbnews", 1596472151, {doc["doc_id"]})</script>')
    body = body_html(doc, VSB_P)
    inner = f'<div class="v_news_content">\n{body}\n</div>'
    if chrome_inside:  # chrome ends up in the extracted container on some VSB templates
        inner = f'<div class="info">{info}</div>{inner}{TOOLS}'
    return f"""<!DOCTYPE html><html><head>{META}<title>{e(doc['title'])}-石门川县人民政府</title>
<meta name="description" content="{e(doc['title'])}"></head><body>{_nav("../../")}
<div class="location">当前位置: <a href="../../index.htm">网站首页</a> -&gt; <a href="../../zwgk.htm">政务公开</a> -&gt; <a href="../../xxgknb.htm">政府信息公开年报</a> -&gt; 正文</div>
<form name="_newscontent_fromname"><div class="content-title"><h1>{e(doc['title'])}</h1></div>
{'' if chrome_inside else f'<div class="info">{info}</div>'}
<div id="vsb_content">{inner}</div>
{'' if chrome_inside else TOOLS}</form>{FOOT}</body></html>"""


def _homepage() -> str:
    return f"""<!DOCTYPE html><html><head>{META}<title>石门川县人民政府</title></head><body>{_nav("")}
<div class="banner">石门川县人民政府</div>
<div class="zwgk"><h3>政务公开</h3><ul><li><a href="zfxxgkzn.htm">政府信息公开指南</a></li>
<li><a href="xxgknb.htm">信息公开年报</a></li><li><a href="zfgzbg.htm">政府工作报告</a></li>
<li><a href="tjxx.htm">统计信息</a></li></ul></div>{FOOT}</body></html>"""


def build(reports: list[dict], lookalikes: list[dict]) -> dict:
    docs = sorted(reports + lookalikes, key=lambda d: (d["published"], d["doc_id"]), reverse=True)
    groups = chunks(docs, PORTAL["per_page"])
    pages = {PORTAL["homepage"]: utf8_page(_homepage())}
    for i, group in enumerate(groups):
        pages[list_path(i, len(groups))] = utf8_page(_list(group, i, len(groups), len(docs)))
    for i, doc in enumerate(docs):
        pages[article_path(doc)] = utf8_page(_article(doc, chrome_inside=i % 2 == 0), modified=doc["published"])
    return pages
