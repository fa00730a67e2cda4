"""The statistics tables of 二/三/四 as real reports lay them out (TEMPLATE.md §2–4).

Numbers come from ``content/documents.json``; totals (总计 column, （七）总计 row,
四、结转下年度继续办理, 表四 总计 cells) are computed here so they always add up.
"""
from __future__ import annotations

from html import escape

APPLICANTS = 6  # 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 (总计 is computed)
REFUSED = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
           "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
UNABLE = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
NOT_HANDLED = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
               "5.要求行政机关确认或重新出具已获取信息"]
OTHER_2021 = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]
TABLE_OPEN = '<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">'


def _td(value, **attrs) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    text = escape(str(value)).replace("&lt;br /&gt;", "<br />")  # header line breaks as in real HTML
    return f"<td{extra}>{text}</td>"


def _row(*cells) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def table2(t2: dict, template: str) -> str:
    rows = []
    def section(item, header, body):
        rows.append(_row(_td(f"第二十条第（{item}）项", colspan=4)))
        rows.append(_row(*header))
        rows.extend(body)
    if template == "2019":
        section("一", [_td("信息内容"), _td("本年新<br />制作数量"), _td("本年新<br />公开数量"), _td("对外公开总数量")],
                [_row(_td(n), *[_td(v) for v in vals]) for n, vals in zip(["规章", "规范性文件"], t2["rules"])])
        head3 = [_td("信息内容"), _td("上一年项目数量"), _td("本年增/减"), _td("处理决定数量")]
        section("五", head3, [_row(_td(n), *[_td(v) for v in vals]) for n, vals in zip(["行政许可", "其他对外管理服务事项"], t2["services"])])
        section("六", head3, [_row(_td(n), *[_td(v) for v in vals]) for n, vals in zip(["行政处罚", "行政强制"], t2["enforcement"])])
        prev, delta = t2["fees"][0]
        section("八", [_td("信息内容"), _td("上一年项目数量"), _td("本年增/减", colspan=2)],
                [_row(_td("行政事业性收费"), _td(prev), _td(delta, colspan=2))])
        count, amount = t2["procurement"][0]
        section("九", [_td("信息内容"), _td("采购项目数量"), _td("采购总金额", colspan=2)],
                [_row(_td("政府集中采购"), _td(count), _td(amount, colspan=2))])
    else:
        section("一", [_td("信息内容"), _td("本年制发件数"), _td("本年废止件数"), _td("现行有效件数")],
                [_row(_td(n), *[_td(v) for v in vals]) for n, vals in zip(["规章", "行政规范性文件"], t2["rules"])])
        one = [_td("信息内容"), _td("本年处理决定数量", colspan=3)]
        section("五", one, [_row(_td("行政许可"), _td(t2["licensing"][0][0], colspan=3))])
        section("六", one, [_row(_td(n), _td(v[0], colspan=3)) for n, v in zip(["行政处罚", "行政强制"], t2["enforcement"])])
        section("八", [_td("信息内容"), _td("本年收费金额（单位：万元）", colspan=3)],
                [_row(_td("行政事业性收费"), _td(t2["fees"][0][0], colspan=3))])
    return TABLE_OPEN + "".join(rows) + "</table>"


def _nums(vals) -> list[str]:
    return [_td(v) for v in vals] + [_td(sum(vals))]


def _add(a, b):
    return [x + y for x, y in zip(a, b)]


def table3_totals(t3: dict, template: str) -> dict:
    """Result rows in order, the （七）总计 row and 四、结转 row (all 6-column lists)."""
    res = t3["results"]
    rows = [res["公开"], res["部分公开"], *res["不予公开"], *res["无法提供"], *res["不予处理"], *res["其他处理"]]
    total = [0] * APPLICANTS
    for r in rows:
        total = _add(total, r)
    carry = [n + c - t for n, c, t in zip(t3["new"], t3["carried"], total)]
    if min(carry) < 0:
        raise ValueError("表三 numbers do not add up: more results than applications")
    return {"rows": rows, "total": total, "carry": carry}


def table3(t3: dict, template: str) -> str:
    res = t3["results"]
    sums = table3_totals(t3, template)
    other = OTHER_2021 if template == "2021" else None
    span = 22 if other else 20
    out = [
        _row(_td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3), _td("申请人情况", colspan=7)),
        _row(_td("自然人", rowspan=2), _td("法人或其他组织", colspan=5), _td("总计", rowspan=2)),
        _row(_td("商业企业"), _td("科研机构"), _td("社会公益组织"), _td("法律服务机构"), _td("其他")),
        _row(_td("一、本年新收政府信息公开申请数量", colspan=3), *_nums(t3["new"])),
        _row(_td("二、上年结转政府信息公开申请数量", colspan=3), *_nums(t3["carried"])),
        _row(_td("三、本年度办理结果", rowspan=span), _td("（一）予以公开", colspan=2), *_nums(res["公开"])),
        _row(_td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2), *_nums(res["部分公开"])),
    ]
    for head, labels, key in (("（三）不予公开", REFUSED, "不予公开"), ("（四）无法提供", UNABLE, "无法提供"),
                              ("（五）不予处理", NOT_HANDLED, "不予处理")):
        for i, (label, vals) in enumerate(zip(labels, res[key])):
            first = [_td(head, rowspan=len(labels))] if i == 0 else []
            out.append(_row(*first, _td(label), *_nums(vals)))
    if other:
        for i, (label, vals) in enumerate(zip(other, res["其他处理"])):
            first = [_td("（六）其他处理", rowspan=3)] if i == 0 else []
            out.append(_row(*first, _td(label), *_nums(vals)))
    else:
        out.append(_row(_td("（六）其他处理", colspan=2), *_nums(res["其他处理"][0])))
    out.append(_row(_td("（七）总计", colspan=2), *_nums(sums["total"])))
    out.append(_row(_td("四、结转下年度继续办理", colspan=3), *_nums(sums["carry"])))
    return TABLE_OPEN + "".join(out) + "</table>"


def table4_values(t4) -> list[int]:
    """The 15 numbers in order: 复议×5, 未经复议直接起诉×5, 复议后起诉×5 (总计 computed)."""
    out = []
    for group in t4:
        out.extend([*group, sum(group)])
    return out


def table4(t4) -> str:
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [
        _row(_td("行政复议", colspan=5), _td("行政诉讼", colspan=10)),
        _row(*[_td(r, rowspan=2) for r in results], _td("未经复议直接起诉", colspan=5), _td("复议后起诉", colspan=5)),
        _row(*[_td(r) for r in results * 2]),
        _row(*[_td(v) for v in table4_values(t4)]),
    ]
    return TABLE_OPEN + "".join(rows) + "</table>"


def render_table(name: str, tables: dict) -> str:
    template = tables["template"]
    if name == "t2":
        return table2(tables["t2"], template)
    if name == "t3":
        return table3(tables["t3"], template)
    return table4(tables["t4"])
