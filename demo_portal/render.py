"""Pieces shared by the family templates: the Page type, the report body, chrome."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .tables import render_table

HTML_UTF8 = "text/html; charset=utf-8"
HTML_NO_CHARSET = "text/html"  # TRS pages: charset only in the page's <meta>, like old real TRS sites
XML_UTF8 = "text/xml;charset=UTF-8"
JSON_UTF8 = "application/json;charset=UTF-8"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
ORIGIN = "http://demo.invalid"  # placeholder origin in ``absolute`` pages


@dataclass(frozen=True)
class Page:
    """One response: body and Content-Type; ``status`` and extra ``headers`` for challenge
    pages; ``modified`` (YYYY-MM-DD, the page's publication date) sets Last-Modified, else the
    site's SITE_MODIFIED date (no validators at all when ``validators`` is false); ``absolute`` when the body holds ORIGIN (replaced by
    ``http://<Host>`` at serve time, for APIs that answer absolute URLs)."""
    body: bytes
    content_type: str
    status: int = 200
    headers: tuple = ()
    modified: str | None = None
    absolute: bool = False
    validators: bool = True  # ETag/Last-Modified, 304s; off for computed answers and challenges


def utf8_page(html: str, modified: str | None = None) -> Page:
    return Page(html.encode("utf-8"), HTML_UTF8, modified=modified)


def gbk_page(html: str, modified: str | None = None) -> Page:
    return Page(html.encode("gbk"), HTML_NO_CHARSET, modified=modified)


def maintenance_page(title: str) -> Page:
    """What a portal serves at a report's URL while its CMS is down: the report's title in
    <title>, 系统维护中 for a body, status 200."""
    return utf8_page(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{e(title)}</title></head><body>'
                     '<div class="weihu"><h2>系统维护中</h2><p>尊敬的用户：网站正在进行系统升级维护，请稍后访问。给您带来不便，敬请谅解。</p>'
                     '</div></body></html>')


def e(text) -> str:
    return escape(str(text), quote=True)


def body_html(doc: dict, p_attrs: str = ' style="text-indent:2em;"') -> str:
    """A document's blocks as real editors write them: <p> paragraphs, headings in
    <p><strong>, tables as <table> with rowspan/colspan."""
    out = []
    for kind, value in doc["blocks"]:
        if kind == "p":
            out.append(f"<p{p_attrs}>{e(value)}</p>")
        elif kind == "h":
            out.append(f"<p{p_attrs}><strong>{e(value)}</strong></p>")
        elif kind == "table":
            out.append(render_table(value, doc["tables"]))
    return "\n".join(out)


def truncate(title: str, limit: int, mark: str) -> str:
    return title if len(title) <= limit else title[:limit] + mark


def breadcrumb(home: str, column: str, sep: str = " &gt; ") -> str:
    return (f'当前位置：<a href="{home}">首页</a>{sep}<a href="{home}">政务公开</a>{sep}'
            f'<a href="{column}">政府信息公开年报</a>')


def info_line(published: str, views: int, label: str = "发布时间") -> str:
    return f"{label}：{published} 浏览次数：{views} 字体：[<a href=\"javascript:doZoom(16)\">大</a> <a href=\"javascript:doZoom(14)\">中</a> <a href=\"javascript:doZoom(12)\">小</a>]"


TOOLS = ('<div class="tools">【<a href="javascript:window.print()">打印本页</a>】 【<a href="javascript:window.close()">关闭窗口</a>】'
         ' 分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a></div>'
         '<div class="qrcode">扫一扫在手机打开当前页</div>')


def footer(site: str, icp: str, contact: str) -> str:
    return (f'<div class="footer"><p>主办单位：{e(site)}办公室 承办：{e(site)}大数据中心</p>'
            f'<p>{e(contact)} {e(icp)} <a href="javascript:void(0)">网站地图</a> <a href="javascript:void(0)">联系我们</a></p>'
            '<p>本网站为演示站点，所载单位均为虚构。</p></div>')


def views_of(doc: dict) -> int:
    return 100 + (doc["doc_id"] * 37) % 900


def chunks(seq: list, size: int) -> list[list]:
    return [seq[i:i + size] for i in range(0, len(seq), size)] or [[]]
