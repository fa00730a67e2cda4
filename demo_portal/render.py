"""Pieces shared by the family templates: the Page type, the report body, chrome."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .tables import render_table

HTML_UTF8 = "text/html; charset=utf-8"
HTML_NO_CHARSET = "text/html"  # TRS pages: charset only in the page's <meta>, like old real TRS sites
XML_UTF8 = "text/xml;charset=UTF-8"


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str


def utf8_page(html: str) -> Page:
    return Page(html.encode("utf-8"), HTML_UTF8)


def gbk_page(html: str) -> Page:
    return Page(html.encode("gbk"), HTML_NO_CHARSET)


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
