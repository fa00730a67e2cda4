"""松林县 on a home-grown CMS (no recognised family), the portal a crawler must *discover*:
the homepage has no 年报 link; 首页 → 政务公开 (a gateway of many columns and news items,
one news article titled about 年度报告 — not a column) → 政府信息公开年报, an overview whose
sub-columns hold the reports:

- 部门年报 ``/county/zwgk/zfxxgknb/bmnb/index.html``, ``index_2.html`` (pager 下一页 on the first
  page only): an HTML report, a PDF and a DOCX linked directly from the list, an image-only
  report (图片版) and a look-alike ``…解读`` PDF;
- 乡镇年报 ``/county/zwgk/zfxxgknb/xznb/index.html``: one page, no pager at all: HTML reports, a
  page saying only 详见附件 with the report as a DOCX attachment, a look-alike, and two report
  links whose URLs answer an anti-bot challenge (challenges.py).

Articles ``…/<column>/content_<id>.html``; files ``/county/uploadfile/YYYY/MMDD/…``.
"""
from __future__ import annotations

from ..challenges import CHALLENGES
from ..files import file_name, image_name, read_file
from ..render import DOCX, PDF, PNG, Page, body_html, chunks, e, footer, info_line, utf8_page, views_of, TOOLS

BASE = "/county/"
COLUMN = BASE + "zwgk/zfxxgknb/index.html"
GATEWAY = BASE + "zwgk/index.html"
SUB_COLUMNS = {"bmnb": "部门年报", "xznb": "乡镇年报"}
PORTAL = {"family": "generic", "portal": "county", "county": "松林县", "site": "松林县人民政府", "prefix": BASE,
          "homepage": BASE + "index.html", "column": COLUMN, "per_page": 4, "gateway": GATEWAY,
          "sub_columns": [f"{BASE}zwgk/zfxxgknb/{c}/index.html" for c in SUB_COLUMNS], "column_hops": 2,
          "decoy": BASE + "xwzx/gzdt/202101/content_69012.html"}
META = '<meta charset="utf-8">'
FOOT = footer("松林县人民政府", "湘ICP备00000005号", "地址：松林县府前路1号 电话：0739-5720001")
FILE_TYPES = {"pdf": (".pdf", PDF), "docx": (".docx", DOCX), "attachment_page": (".docx", DOCX)}
# 政务公开 gateway: the columns a real county portal lists there (only one leads to reports).
GATEWAY_COLUMNS = [("zfxxgkzn", "政府信息公开指南"), ("zfxxgkzd", "政府信息公开制度"), ("fdzdgknr", "法定主动公开内容"),
                   ("zfwj", "政府文件"), ("rsxx", "人事信息"), ("czyjs", "财政预决算"), ("zdxm", "重大建设项目"),
                   ("zcjd", "政策解读"), ("jytabl", "建议提案办理"), ("zfxxgknb", "政府信息公开年报")]
# 政务动态 on the gateway: (id, date, title); 69012 mentions 年度报告 but is a news article.
NEWS = [(69012, "2021-01-12", "我县召开2020年度政府信息公开工作年度报告编制工作培训会"),
        (69031, "2021-02-03", "县政府召开常务会议研究部署春节前后重点工作"),
        (69047, "2021-03-15", "松林县开展“3·15”国际消费者权益日宣传活动"),
        (69058, "2021-04-02", "我县全面推进基层政务公开标准化规范化工作"),
        (69066, "2021-04-20", "县政务服务中心推出“一件事一次办”套餐服务")]


def _nav() -> str:
    return (f'<div class="nav"><a href="{BASE}index.html">首页</a><a href="{BASE}zjsl/index.html">走进松林</a>'
            f'<a href="{BASE}xwzx/index.html">新闻中心</a><a href="{GATEWAY}">政务公开</a>'
            f'<a href="{BASE}zwfw/index.html">政务服务</a><a href="{BASE}hdjl/index.html">互动交流</a></div>')


def _page(title: str, main: str) -> str:
    return (f'<!DOCTYPE html><html><head>{META}<title>{e(title)}</title>'
            f'<link rel="stylesheet" href="{BASE}css/style.css"></head><body>'
            f'<div class="top"><div class="logo">松林县人民政府</div>{_nav()}</div>{main}{FOOT}</body></html>')


def _ymd(doc: dict) -> tuple[str, str, str]:
    return tuple(doc["published"].split("-"))


def _upload(doc: dict, name: str) -> str:
    y, m, d = _ymd(doc)
    return f"{BASE}uploadfile/{y}/{m}{d}/{name}"


def article_path(doc: dict) -> str:
    """A PDF/DOCX report linked straight from the list is its file; others are pages."""
    if doc.get("shape") in ("pdf", "docx"):
        y, m, d = _ymd(doc)
        return _upload(doc, f"{y}{m}{d}{doc['doc_id']}{FILE_TYPES[doc['shape']][0]}")
    return f"{BASE}zwgk/zfxxgknb/{doc['column']}/content_{doc['doc_id']}.html"


def attachment_path(doc: dict) -> str:
    y, m, d = _ymd(doc)
    return _upload(doc, f"P0{y}{m}{d}{doc['doc_id']}.docx")


def image_paths(doc: dict) -> list[str]:
    return [_upload(doc, image_name(doc, n)) for n in range(1, doc["images"] + 1)]


def _crumb(*links: tuple[str, str]) -> str:
    trail = "".join(f' &gt; <a href="{href}">{e(text)}</a>' for href, text in links)
    return f'<div class="crumb">您当前的位置：<a href="{BASE}index.html">首页</a>{trail}</div>'


def _column_crumb(column: str | None = None) -> str:
    links = [(GATEWAY, "政务公开"), (COLUMN, "政府信息公开年报")]
    if column:
        links.append((f"{BASE}zwgk/zfxxgknb/{column}/index.html", SUB_COLUMNS[column]))
    return _crumb(*links)


def _article(doc: dict) -> str:
    if doc.get("shape") == "attachment_page":
        body = (f'<p>{e(doc["title"])}详见附件。</p>'
                f'<p>附件：<a href="{attachment_path(doc)}">{e(doc["title"])}.docx</a></p>')
    elif doc.get("shape") == "image_only":
        body = "\n".join(f'<p style="text-align:center"><img src="{src}" width="600" alt=""></p>' for src in image_paths(doc))
        if doc["blocks"]:  # a corrected re-publication adds its note
            body += body_html(doc)
    else:
        body = body_html(doc)
    return _page(f"{doc['title']}-松林县人民政府", f'''{_column_crumb(doc["column"])}
<div class="article"><h1 class="title">{e(doc["title"])}</h1>
<div class="info">{info_line(doc["published"], views_of(doc))} 来源：{e(doc.get("issuer", "松林县人民政府办公室"))}</div>
<div class="content" id="zoom">
{body}
</div>{TOOLS}</div>''')


def _rows(docs: list[dict]) -> str:
    return "\n".join(f'<li><a href="{article_path(d)}" target="_blank" title="{e(d["title"])}">{e(d["title"])}</a>'
                     f'<span class="date">{d["published"]}</span></li>' for d in docs)


def _pager(page: int, count: int, column: str) -> str:
    """首页 上一页 1 2 下一页 尾页; a one-page column prints no pager; the last page no 下一页."""
    if count == 1:
        return ""

    def href(p):
        return "index.html" if p == 0 else f"index_{p + 1}.html"
    parts = [f'<a href="{href(0)}">首页</a>', f'<a href="{href(page - 1)}">上一页</a>'] if page else []
    parts += [f"<span class=\"cur\">{p + 1}</span>" if p == page else f'<a href="{href(p)}">{p + 1}</a>' for p in range(count)]
    if page < count - 1:
        parts += [f'<a href="{href(page + 1)}">下一页</a>', f'<a href="{href(count - 1)}">尾页</a>']
    return f'<div class="page">{" ".join(parts)}</div>'


def _side_menu() -> str:
    items = "".join(f'<li><a href="{BASE}zwgk/zfxxgknb/{c}/index.html">{name}</a></li>' for c, name in SUB_COLUMNS.items())
    return f'<div class="side"><h3><a href="{COLUMN}">政府信息公开年报</a></h3><ul>{items}</ul></div>'


def _list(column: str, docs: list[dict], page: int, count: int) -> str:
    return _page(f"{SUB_COLUMNS[column]}-松林县人民政府", f'''{_column_crumb(column)}
<div class="main">{_side_menu()}<div class="list"><h2>{SUB_COLUMNS[column]}</h2><ul>
{_rows(docs)}
</ul>{_pager(page, count, column)}</div></div>''')


def _overview(by_column: dict[str, list[dict]]) -> str:
    boxes = "".join(f'<div class="box"><h3>{name}<a class="more" href="{BASE}zwgk/zfxxgknb/{c}/index.html">更多&gt;&gt;</a></h3>'
                    f'<ul>{_rows(by_column[c][:3])}</ul></div>' for c, name in SUB_COLUMNS.items())
    return _page("政府信息公开年报-松林县人民政府", f'{_column_crumb()}<div class="main">{_side_menu()}{boxes}</div>')


def _news_path(news_id: int, date: str) -> str:
    return f"{BASE}xwzx/gzdt/{date[:7].replace('-', '')}/content_{news_id}.html"


def _gateway() -> str:
    columns = "".join(f'<li><a href="{BASE}zwgk/{c}/index.html">{name}</a></li>' for c, name in GATEWAY_COLUMNS)
    news = "".join(f'<li><a href="{_news_path(i, d)}">{e(t)}</a><span>{d}</span></li>' for i, d, t in NEWS)
    return _page("政务公开-松林县人民政府", f'''{_crumb((GATEWAY, "政务公开"))}
<div class="main"><div class="zwgk-nav"><h3>政府信息公开</h3><ul>{columns}</ul></div>
<div class="box"><h3>政务动态<a class="more" href="{BASE}xwzx/gzdt/index.html">更多&gt;&gt;</a></h3><ul>{news}</ul></div>
<div class="box"><h3>公开目录</h3><ul><li><a href="{BASE}zwgk/zfxxgkml/index.html">县政府部门信息公开目录</a></li>
<li><a href="{BASE}zwgk/xzxxgk/index.html">乡镇信息公开目录</a></li><li><a href="{BASE}zwgk/ysqgk/index.html">依申请公开</a></li></ul></div></div>''')


def _homepage() -> str:
    news = "".join(f'<li><a href="{_news_path(i, d)}">{e(t)}</a></li>' for i, d, t in NEWS[1:])
    return _page("松林县人民政府", f'''<div class="banner">松林县人民政府门户网站</div>
<div class="box"><h3>松林要闻</h3><ul>{news}</ul></div>
<div class="box"><h3>政务服务</h3><ul><li><a href="{BASE}zwfw/bszn/index.html">办事指南</a></li>
<li><a href="{BASE}zwfw/bgxz/index.html">表格下载</a></li></ul></div>
<div class="box"><h3>互动交流</h3><ul><li><a href="{BASE}hdjl/xzxx/index.html">县长信箱</a></li>
<li><a href="{BASE}hdjl/myzj/index.html">民意征集</a></li></ul></div>''')


def _empty_column(title: str, links: str = "") -> str:
    return _page(f"{title}-松林县人民政府", f'{_crumb((GATEWAY, "政务公开"))}<div class="main"><h2>{e(title)}</h2>{links}<p>暂无信息</p></div>')


def _news(news_id: int, date: str, title: str) -> str:
    doc = {"doc_id": news_id}
    return _page(f"{title}-松林县人民政府", f'''{_crumb((BASE + "xwzx/index.html", "新闻中心"))}
<div class="article"><h1 class="title">{e(title)}</h1><div class="info">{info_line(date, views_of(doc))}</div>
<div class="content" id="zoom"><p style="text-indent:2em;">{e(date[:4])}年，我县各部门按照县委、县政府统一部署扎实推进相关工作。</p></div></div>''')


def _file_page(doc: dict, suffix: str, content_type: str) -> Page:
    return Page(read_file(file_name(doc, suffix, corrected=doc.get("corrected", False))), content_type,
                modified=doc["published"])


def build(reports: list[dict], lookalikes: list[dict], blocked: list[dict] = ()) -> dict:
    docs = reports + lookalikes + list(blocked)
    by_column = {c: sorted((d for d in docs if d["column"] == c), key=lambda d: (d["published"], d["doc_id"]), reverse=True)
                 for c in SUB_COLUMNS}
    pages = {PORTAL["homepage"]: utf8_page(_homepage()), GATEWAY: utf8_page(_gateway()),
             COLUMN: utf8_page(_overview(by_column))}
    for c, name in GATEWAY_COLUMNS:
        if c == "fdzdgknr":  # 法定主动公开内容 also leads to the 年报 column, as on many portals
            pages[f"{BASE}zwgk/{c}/index.html"] = utf8_page(_empty_column(name, f'<ul><li><a href="{COLUMN}">政府信息公开年报</a></li></ul>'))
        elif c != "zfxxgknb":
            pages[f"{BASE}zwgk/{c}/index.html"] = utf8_page(_empty_column(name))
    for news_id, date, title in NEWS:
        pages[_news_path(news_id, date)] = utf8_page(_news(news_id, date, title), modified=date)
    for column, column_docs in by_column.items():
        groups = chunks(column_docs, PORTAL["per_page"]) if column == "bmnb" else [column_docs]
        for i, group in enumerate(groups):
            path = f"{BASE}zwgk/zfxxgknb/{column}/" + ("index.html" if i == 0 else f"index_{i + 1}.html")
            pages[path] = utf8_page(_list(column, group, i, len(groups)))
    for doc in reports + lookalikes:
        shape = doc.get("shape", "page")
        if shape in ("pdf", "docx"):
            pages[article_path(doc)] = _file_page(doc, *FILE_TYPES[shape])
            continue
        pages[article_path(doc)] = utf8_page(_article(doc), modified=doc["published"])
        if shape == "attachment_page":
            pages[attachment_path(doc)] = _file_page(doc, *FILE_TYPES[shape])
        for n, path in enumerate(image_paths(doc) if shape == "image_only" else [], start=1):
            pages[path] = Page(read_file(image_name(doc, n)), PNG, modified=doc["published"])
    for doc in blocked:
        pages[article_path(doc)] = CHALLENGES[doc["block"]].page(article_path(doc))
    return pages
