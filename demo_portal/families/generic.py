"""桃源湾县 on a home-grown PHP site (like Henan ``show.php?classid=…&id=…``): list
``/generic/list.php?page=N`` with 下一页/尾页 links, articles ``/generic/show.php?id=<id>``,
body in ``div.article`` together with the page chrome; ``<title>`` is only the site name."""
from __future__ import annotations

from ..render import body_html, breadcrumb, chunks, e, footer, info_line, utf8_page, views_of, TOOLS

PORTAL = {"family": "generic", "portal": "generic", "county": "桃源湾县", "site": "桃源湾县人民政府信息公开网", "prefix": "/generic/",
          "homepage": "/generic/index.html", "column": "/generic/list.php?page=1", "per_page": 2}
META = '<meta charset="utf-8">'
NAV = ('<div id="nav"><a href="index.html">首页</a> <a href="news.php">新闻</a> <a href="zwgk.php">政务公开</a>'
       ' <a href="hudong.php">互动交流</a> <a href="contact.php">联系我们</a></div>')
FOOT = footer("桃源湾县人民政府", "豫ICP备00000004号", "地址：桃源湾县中山东街36号 电话：0378-6982677")


def article_path(doc: dict) -> str:
    return f"/generic/show.php?id={doc['doc_id']}"


def list_path(page: int) -> str:
    return f"/generic/list.php?page={page + 1}"


def _pager(page: int, count: int) -> str:
    def link(p, text):
        return f'<a href="list.php?page={p + 1}">{text}</a>'
    prev = f"{link(0, '首页')} {link(page - 1, '上一页')}" if page else "<span>首页</span> <span>上一页</span>"
    nums = " ".join(f"<b>{p + 1}</b>" if p == page else link(p, str(p + 1)) for p in range(count))
    # The last page prints no 下一页/尾页 at all, as many home-grown lists do.
    nxt = f"{link(page + 1, '下一页')} {link(count - 1, '尾页')}" if page < count - 1 else ""
    return f'<div class="pages">{prev} {nums} {nxt} 第{page + 1}页/共{count}页</div>'


def _list(items: list[dict], page: int, count: int) -> str:
    rows = "\n".join(f'<tr><td class="t"><a href="{article_path(d)[len("/generic/"):]}" target="_blank">{e(d["title"])}</a></td>'
                     f'<td class="d">[{d["published"]}]</td></tr>' for d in items)
    return f"""<!DOCTYPE html><html><head>{META}<title>政府信息公开年报 - 桃源湾县人民政府信息公开网</title></head><body>{NAV}
<div class="crumb">{breadcrumb("index.html", "list.php?page=1")}</div>
<div class="main"><table class="tab" width="100%">
{rows}
</table>
{_pager(page, count)}</div>{FOOT}</body></html>"""


def _article(doc: dict) -> str:
    return f"""<!DOCTYPE html><html><head>{META}<title>桃源湾县人民政府信息公开网</title></head><body>{NAV}
<div class="article">
<div class="crumb">{breadcrumb("index.html", "list.php?page=1")}</div>
<h1>{e(doc['title'])}</h1>
<div class="info">{info_line(doc["published"], views_of(doc))}</div>
<div class="content">
{body_html(doc)}
</div>
{TOOLS}
</div>{FOOT}</body></html>"""


def _homepage() -> str:
    return f"""<!DOCTYPE html><html><head>{META}<title>桃源湾县人民政府信息公开网</title></head><body>{NAV}
<div class="box"><h3>信息公开</h3><ul><li><a href="guide.php">政府信息公开指南</a></li>
<li><a href="list.php?page=1">政府信息公开年度报告</a></li><li><a href="report.php">政府工作报告</a></li>
<li><a href="/private/admin.php">后台管理</a></li></ul></div>{FOOT}</body></html>"""


def build(reports: list[dict], lookalikes: list[dict]) -> dict:
    docs = sorted(reports + lookalikes, key=lambda d: (d["published"], d["doc_id"]), reverse=True)
    groups = chunks(docs, PORTAL["per_page"])
    pages = {PORTAL["homepage"]: utf8_page(_homepage())}
    for i, group in enumerate(groups):
        pages[list_path(i)] = utf8_page(_list(group, i, len(groups)))
    for doc in docs:
        pages[article_path(doc)] = utf8_page(_article(doc), modified=doc["published"])
    return pages
