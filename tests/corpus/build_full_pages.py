"""Build the labelled full-report pages ``tests/corpus/pages/full_*.html`` + their fixtures ``tests/corpus/full_*.json``
(the response as served: URL, status, the family's headers, the body file; and the labels).

Each page is rendered from one table of numbers (PAGES below); the ``stats``, ``checks`` and
``figures`` labels are written from the same numbers, so they are the ground truth for the HTML.
Families: Hanweb (div#zoom), TRS (div.TRS_Editor, GBK + meta gb2312), VSB (div#vsb_content in a
<form>), gkmlpt (div.article-content), Word "Save as HTML" tables pasted into a CMS container.
Run: ``.venv/bin/python tests/corpus/build_full_pages.py`` (needs nothing outside the repo).
"""
from __future__ import annotations

import json
import pathlib
import re

HERE = pathlib.Path(__file__).parent
APPLICANTS = ["natural_person", "org.commercial", "org.research", "org.public_interest", "org.legal_services", "org.other"]
COLS3 = APPLICANTS + ["total"]
GROUPS4 = ["review", "litigation_direct", "litigation_after_review"]
FIVE = ["upheld", "corrected", "other", "pending", "total"]
FIVE_ZH = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
OTHER_2021 = ("（六）其他处理", [("result.other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
                                ("result.other.fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
                                ("result.other.other", "3.其他")])
RESULTS = [  # (group label, [(row_key, label)]) of 三、本年度办理结果
    (None, [("result.disclosed", "（一）予以公开")]),
    (None, [("result.partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]),
    ("（三）不予公开", [("result.withheld." + k, f"{i}.{t}") for i, (k, t) in enumerate([
        ("state_secret", "属于国家秘密"), ("prohibited_by_law", "其他法律行政法规禁止公开"),
        ("security_stability", "危及“三安全一稳定”"), ("third_party", "保护第三方合法权益"),
        ("internal_affairs", "属于三类内部事务信息"), ("process_info", "属于四类过程性信息"),
        ("enforcement_files", "属于行政执法案卷"), ("query_items", "属于行政查询事项")], 1)]),
    ("（四）无法提供", [("result.unavailable.not_held", "1.本机关不掌握相关政府信息"),
                   ("result.unavailable.needs_creation", "2.没有现成信息需要另行制作"),
                   ("result.unavailable.unclear", "3.补正后申请内容仍不明确")]),
    ("（五）不予处理", [("result.not_processed." + k, f"{i}.{t}") for i, (k, t) in enumerate([
        ("petition", "信访举报投诉类申请"), ("repeated", "重复申请"), ("publications", "要求提供公开出版物"),
        ("excessive", "无正当理由大量反复申请"), ("confirmation", "要求行政机关确认或重新出具已获取信息")], 1)]),
    "OTHER",
    (None, [("result.total", "（七）总计")]),
]
T2_ROWS = {  # template → [(item heading, column labels, [(row_key, label)], [column keys])]
    "2019": [("第二十条第（一）项", ["本年新<br />制作数量", "本年新<br />公开数量", "对外公开总数量"],
              [("art20_1.regulations", "规章"), ("art20_1.normative_documents", "规范性文件")],
              ["made_this_year", "published_this_year", "total_published"]),
             ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
              [("art20_5.licensing", "行政许可"), ("art20_5.other_services", "其他对外管理服务事项")],
              ["previous_year_count", "change_this_year", "decisions"]),
             ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
              [("art20_6.penalty", "行政处罚"), ("art20_6.enforcement", "行政强制")],
              ["previous_year_count", "change_this_year", "decisions"]),
             ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], [("art20_8.fees", "行政事业性收费")],
              ["previous_year_count", "change_this_year"]),
             ("第二十条第（九）项", ["采购项目数量", "采购总金额"], [("art20_9.procurement", "政府集中采购")],
              ["procurement_items", "procurement_amount"])],
    "2021": [("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
              [("art20_1.regulations", "规章"), ("art20_1.normative_documents", "行政规范性文件")],
              ["issued_this_year", "repealed_this_year", "in_force"]),
             ("第二十条第（五）项", ["本年处理决定数量"], [("art20_5.licensing", "行政许可")], ["decisions"]),
             ("第二十条第（六）项", ["本年处理决定数量"], [("art20_6.penalty", "行政处罚"), ("art20_6.enforcement", "行政强制")],
              ["decisions"]),
             ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("art20_8.fees", "行政事业性收费")], ["fee_amount"])],
}
KINDS = ["overview", "proactive", "requests", "review_litigation", "problems", "other"]
HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def result_groups(template):
    return [OTHER_2021 if g == "OTHER" and template == "2021" else (None, [("result.other", "（六）其他处理")])
            if g == "OTHER" else g for g in RESULTS]


# ------------------------------------------------------------------ the numbers → one cell table
def t3_numbers(p):
    """{row_key: [7 values]} with computed totals and 结转下年度; then the page's deliberate errors (bump)."""
    rows = {"new_requests": p["t3"]["new"], "carried_over": p["t3"].get("carried", [0] * 6)}
    keys = [k for _, items in result_groups(p["tables"]) for k, _ in items if k != "result.total"]
    for k in keys:
        rows[k] = p["t3"].get(k, [0] * 6)
    rows["result.total"] = [sum(rows[k][i] for k in keys) for i in range(6)]
    rows["carried_forward"] = [rows["new_requests"][i] + rows["carried_over"][i] - rows["result.total"][i] for i in range(6)]
    assert min(rows["carried_forward"]) >= 0, (p["name"], rows["carried_forward"])
    rows = {k: list(v) + [sum(v)] for k, v in rows.items()}
    for (table, row, col), delta in p.get("bump", {}).items():
        if table == 3:
            rows[row][COLS3.index(col)] += delta
    return rows


def t4_numbers(p):
    vals = {}
    for g, four in zip(GROUPS4, p["t4"]):
        vals.update({f"{g}.{f}": v for f, v in zip(FIVE, list(four) + [sum(four)])})
    for (table, row, col), delta in p.get("bump", {}).items():
        if table == 4:
            vals[col] += delta
    return vals


def cell(p, table, row, col, value):
    """One numeric cell: (text written on the page, stats label)."""
    written, unit = None, None
    if isinstance(value, tuple):
        value, written, unit = value
    if col == "fee_amount":
        unit = "万元"
    for prefix, marker in p.get("blanks", []):
        if value == 0 and written is None and (f"{table}:{row}".startswith(prefix)):
            written = marker
    blank = written is not None and written.strip(" ") in ("", "&nbsp;", "-", "—", "/", "无")
    label = {"table": table, "row_key": row, "column_key": col, "value": value, "unit": unit, "blank": blank}
    return (str(value) if written is None else written), label


# A table is a list of rows; a row is a list of (html, colspan, rowspan, role) with role h(eader)/l(abel)/n(umber).
def table2(p, stats):
    rows = []
    for head, col_labels, items, keys in T2_ROWS[p["tables"]]:
        span = 3 - len(col_labels)  # the last column absorbs the missing ones
        rows.append([(label_text(p, head), 4, 1, "h")])
        rows.append([("信息内容", 1, 1, "h")] + [(label_text(p, t), 1 + span * (i == len(col_labels) - 1), 1, "h")
                                              for i, t in enumerate(col_labels)])
        for key, text in items:
            row = [(label_text(p, text), 1, 1, "l")]
            for i, (col, v) in enumerate(zip(keys, p["t2"][key])):
                written, lab = cell(p, 2, key, col, v)
                stats.append(lab)
                row.append((written, 1 + span * (i == len(keys) - 1), 1, "n"))
            rows.append(row)
    return rows


def table3(p, stats):
    nums, groups = t3_numbers(p), result_groups(p["tables"])
    heads = [label_text(p, t) for t in ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]]
    rows = [[("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3, "h"), ("申请人情况", 7, 1, "h")],
            [("自然人", 1, 2, "h"), ("法人或其他组织", 5, 1, "h"), ("总计", 1, 2, "h")],
            [(h, 1, 1, "h") for h in heads]]

    def numbers(key):
        out = []
        for col, v in zip(COLS3, nums[key]):
            written, lab = cell(p, 3, key, col, v)
            stats.append(lab)
            out.append((written, 1, 1, "n"))
        return out
    rows.append([("一、本年新收政府信息公开申请数量", 3, 1, "l")] + numbers("new_requests"))
    rows.append([("二、上年结转政府信息公开申请数量", 3, 1, "l")] + numbers("carried_over"))
    first = [("三、本年度办理结果", 1, sum(len(items) for _, items in groups), "l")]
    for group, items in groups:
        for i, (key, text) in enumerate(items):
            lead = first + ([(label_text(p, group), 1, len(items), "l")] if group and i == 0 else [])
            rows.append(lead + [(label_text(p, text), 1 if group else 2, 1, "l")] + numbers(key))
            first = []
    rows.append([("四、结转下年度继续办理", 3, 1, "l")] + numbers("carried_forward"))
    return rows


def table4(p, stats):
    rows = [[("行政复议", 5, 1, "h"), ("行政诉讼", 10, 1, "h")],
            [(t, 1, 2, "h") for t in FIVE_ZH] + [("未经复议直接起诉", 5, 1, "h"), ("复议后起诉", 5, 1, "h")],
            [(t, 1, 1, "h") for t in FIVE_ZH * 2], []]
    for col, v in t4_numbers(p).items():
        written, lab = cell(p, 4, "cases", col, v)
        stats.append(lab)
        rows[3].append((written, 1, 1, "n"))
    return rows


def label_text(p, text):
    """Apply the page's label hazards: ASCII brackets, inner spaces, <br /> variants."""
    if p.get("ascii") == "all" or (p.get("ascii") == "results" and re.match(r"（[一二三四五六七]）", text)):
        text = text.replace("（", "(").replace("）", ")").replace("：", ":")
    for old, new in p.get("relabel", {}).items():
        text = text.replace(old, new)
    return text


# ------------------------------------------------------------------ checks (勾稽关系) from the printed numbers
def failing_checks(stats):
    v = {(s["table"], s["row_key"], s["column_key"]): s["value"] for s in stats}
    out = []
    rows3 = list(dict.fromkeys(r for t, r, _ in v if t == 3))
    parts = [r for r in rows3 if r.startswith("result.") and r != "result.total"]
    if rows3:
        for c in COLS3:
            exp, act = v[3, "new_requests", c] + v[3, "carried_over", c], v[3, "result.total", c] + v[3, "carried_forward", c]
            out.append(("t3.balance." + c, exp, act))
        for c in COLS3:
            out.append(("t3.results." + c, sum(v[3, r, c] for r in parts), v[3, "result.total", c]))
        for r in rows3:
            out.append(("t3.applicants." + r, sum(v[3, r, c] for c in APPLICANTS), v[3, r, "total"]))
    if any(t == 4 for t, _, _ in v):
        for g in GROUPS4:
            out.append((f"t4.{g}.total", sum(v[4, "cases", f"{g}.{f}"] for f in FIVE[:4]), v[4, "cases", f"{g}.total"]))
    return [{"check": n, "expected": e, "actual": a} for n, e, a in out if e != a]


# ------------------------------------------------------------------ HTML renderers
def render_plain(rows, style):
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">', "<tbody>"]
    for row in rows:
        tds = []
        for text, cs, rs, role in row:
            span = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "")
            if style == "p":
                tds.append(f'<td{span}><p style="text-align:center;">{text}</p></td>')
            elif style == "span":  # TRS editors wrap every cell in a sized span
                tds.append(f'<td{span} valign="middle"><span style="font-size:14px;">{text}</span></td>')
            else:
                tds.append(f'<td{span} align="center">{text}</td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    return "\n".join(out + ["</tbody>", "</table>"])


def word_runs(text, size="10.5pt", cjk_font="宋体"):
    """Word splits a paragraph into runs at every script change (CJK vs ASCII) and after a closing bracket."""
    runs = []
    for part in text.replace("&nbsp;", "\xa0").split("<br />"):  # a line break in a label: two runs in Word
        runs += re.findall(r"[\x21-\x7e]+|[^\x21-\x7e]*?）|[^\x21-\x7e]+", part)
    out = []
    for r in runs:
        if re.fullmatch(r"[\x21-\x7e]+", r):
            out.append(f"<span lang=EN-US style='font-size:{size};font-family:\"Times New Roman\",serif'>{r}</span>")
        else:
            out.append(f"<span style='font-size:{size};font-family:{cjk_font};mso-ascii-font-family:\"Times New Roman\";"
                       f"mso-hansi-font-family:\"Times New Roman\"'>{r.replace(chr(0xa0), '&nbsp;')}</span>")
    return "".join(out)


def render_word(rows, ncols):
    width = 553 // ncols
    out = [f"<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width={width * ncols} "
           "style='width:415.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
           "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"]
    for i, row in enumerate(rows):
        out.append(f" <tr style='mso-yfti-irow:{i};{'mso-yfti-firstrow:yes;' if i == 0 else ''}height:19.85pt'>")
        for text, cs, rs, role in row:
            span = (f" colspan={cs}" if cs > 1 else "") + (f" rowspan={rs}" if rs > 1 else "")
            body = (f"<span lang=EN-US style='font-size:10.5pt;font-family:\"Times New Roman\",serif'><o:p>&nbsp;</o:p></span>"
                    if text.strip() in ("", "&nbsp;") else word_runs(text) + "<span lang=EN-US><o:p></o:p></span>")
            align = "center" if role != "l" else "left"
            out.append(f"  <td width={width * cs}{span} valign=top style='width:{width * cs * 0.75:.1f}pt;border:solid windowtext 1.0pt;"
                       f"border-top:none;mso-border-top-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;"
                       f"padding:0cm 5.4pt 0cm 5.4pt;height:19.85pt'>\n  <p class=MsoNormal align={align} "
                       f"style='text-align:{align};mso-pagination:widow-orphan'>{body}</p>\n  </td>")
        out.append(" </tr>")
    out.append(" <![if !supportMisalignedColumns]>\n <tr height=0>" + "".join(
        f"\n  <td width={width} style='border:none'></td>" for _ in range(ncols)) + "\n </tr>\n <![endif]>")
    return "\n".join(out + ["</table>"])


def render_table(p, rows, ncols):
    return render_word(rows, ncols) if p.get("word") else render_plain(rows, p.get("cells", "p"))


# ------------------------------------------------------------------ narrative
FILLER = {
    1: "{we}认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署，健全工作机制，明确专人负责，"
       "坚持以公开为常态、不公开为例外，政府信息公开工作有序推进。",
    2: "{we}通过政府门户网站、政务新媒体和政务公开专区等渠道及时公开政策文件、财政预决算、重点领域信息，做好政策解读和回应关切。",
    3: "{we}严格按照法定程序和时限办理政府信息公开申请，做到依法答复、规范告知，未发生超期答复情况。",
    4: "{we}依法做好因政府信息公开引起的行政复议、行政诉讼答复应诉工作，{year}年度具体情况见上表。",
    5: "一是公开内容的及时性和规范性有待提高；二是政策解读形式较为单一。下一步，{we}将加强业务培训，完善审核发布机制，"
       "丰富解读形式，不断提升政府信息公开质量。",
    6: "{we}未收取政府信息公开信息处理费。无其他需要报告的事项。",
}


def sections_html(p, heading, para, tables):
    out = [para(p["opening"])]
    for n, h in enumerate(p["headings"], 1):
        out.append(heading(h))
        if n == 1:
            out += [para(p["proactive_sentence"]), para(p["requests_sentence"])]
        if n in (2, 3, 4) and p["tables"] is None:
            out.append('<p style="text-align:center;"><img src="/picture/0/%s.png" alt=""></p>' % p["images"][n - 2])
        elif n in (2, 3, 4):
            out.append(tables[n - 2])
        out.append(para(FILLER[n].format(we=p["we"], year=p["year"])))
    return "\n".join(out)


def plain_body(p, tables):
    hstyle = p.get("heading", "strong")
    def heading(h):
        return {"strong": f'<p style="text-indent:2em;"><strong>{h}</strong></p>',
                "b": f'<p style="text-indent: 2em;"><b>{h}</b></p>', "plain": f'<p style="text-indent:2em;">{h}</p>'}[hstyle]
    pa = p.get("p_attrs", ' style="text-indent:2em;"')
    return sections_html(p, heading, lambda t: f"<p{pa}>{t}</p>", tables)


def word_body(p, tables):
    def heading(h):
        a, b = h.split("、", 1)
        return (f"<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt'>"
                f"<b>{word_runs(a + '、', '16.0pt', '黑体')}</b><b>{word_runs(b, '16.0pt', '黑体')}</b></p>")
    return "<div class=WordSection1 style='layout-grid:15.6pt'>\n" + sections_html(
        p, heading, lambda t: (f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
                               f"{word_runs(t, '16.0pt', '仿宋_GB2312')}</p>"), tables) + "\n</div>"


import sys  # noqa: E402
sys.path.insert(0, str(HERE))
from build_full_pages_data import FAMILY_CONTENT_TYPES, FAMILY_SERVERS, PAGES, served_headers, wrap  # noqa: E402


def dump(label):
    """JSON with one list entry (stats cell, section, check, figure, header) per line."""
    text = json.dumps(label, ensure_ascii=False, indent=1)
    fold = lambda m: m.group(1) + re.sub(r",\n\s+", ", ", m.group(2)) + m.group(3)  # noqa: E731
    text = re.sub(r"(\{)\n\s+([^{}\[\]]*?)\n\s+(\})", fold, text)
    return re.sub(r"(\[)\n\s+([^{}\[\]]*?)\n\s+(\])", fold, text)  # lists of scalars: header pairs, phones


def build(p):
    p = dict(p, headings=p["headings"] or HEADINGS, template=p["tables"])  # template: from the table labels
    stats = []
    tables = None
    if p["tables"]:
        tables = [render_table(p, table2(p, stats), 4), render_table(p, table3(p, stats), 10),
                  render_table(p, table4(p, stats), 15)]
    body = word_body(p, tables) if p.get("word") else plain_body(p, tables)
    page = wrap(p, body).encode(p.get("encoding", "utf-8"))
    (HERE / "pages" / f"{p['name']}.html").write_bytes(page)
    exp = {"title": p["title"], "year": p["year"], "issuer": p["issuer"], "published": p["published"],
           "template": p["template"],
           "sections": [{"number": n, "heading": h, "kind": k} for n, (h, k) in enumerate(zip(p["headings"], KINDS), 1)],
           "contact": p["contact"], "tables_missing": [] if p["tables"] else [2, 3, 4], "stats": stats,
           "checks": failing_checks(stats),
           "figures": [{"name": "proactive_total", "value": p["proactive"], "unit": "条"},
                       {"name": "requests_received", "value": p["requests"], "unit": "件"}]}
    if p["tables"]:
        assert p["requests"] == t3_numbers(p)["new_requests"][6], p["name"]
    source = f"built by tests/corpus/build_full_pages.py from its table of numbers, {p['source']}"
    content_type = p.get("content_type", FAMILY_CONTENT_TYPES[p["family"]])
    response = {"url": p["url"], "status": 200,
                "headers": served_headers(FAMILY_SERVERS[p["family"]], content_type, page, p["published"]),
                "body_file": f"pages/{p['name']}.html"}
    label = {"response": response, "source": source, "expected": exp}
    (HERE / f"{p['name']}.json").write_text(dump(label) + "\n", encoding="utf-8")
    return label


if __name__ == "__main__":
    (HERE / "pages").mkdir(exist_ok=True)
    for page in PAGES:
        lab = build(page)
        print(page["name"], len(lab["expected"]["stats"]), "cells,", len(lab["expected"]["checks"]), "failing checks")
