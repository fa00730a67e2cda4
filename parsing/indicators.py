"""The panel's indicators: one stable key per number researchers compare, declared once as data.

``INDICATORS`` says, for each key, where the number is in the statistics tables of the 2019 and
2021 templates (cells of tables 二/三/四 by their stable keys, parsing/stats_keys.py) and how a
report's narrative states it (the legacy, pre-2019 reports and the 2020–2022 reports that keep
their counts only in text). ``read_indicators`` is a pure function from a report's cells and
text to one value per indicator:

- the table's cells when the report has them (``source`` 'table', ``detail`` the row / column);
- else the first statement in the narrative (``source`` 'text', ``detail`` the sentence);
- when both give a number and they differ, the table wins and a ``Disagreement`` says what the
  text said (the archive keeps it as a failed check ``text.<key>``, see archive/indicators.py).

The archive's table ``indicators``, its views, the Datasette charts and ``nianbao export-panel``
all read this declaration (docs/panel.md lists it with the cells each key maps to).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .chinese import fold
from .figures import extract_figures

NUMBER = r"(\d+(?:,\d{3})*)"
MONEY = r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万元|元)"
# Between a label and its number: no digit and no clause boundary ("上年结转1件", "予以公开 11 件").
GAP = r"[^。；;，,、\d]{0,%d}?"
COUNT = NUMBER + r"\s*(?:件|宗|起)"
# Table 四's outcomes as the narrative words them (结果维持 / 维持原决定 / 其中3件维持 …).
OUTCOME_WORDS = {"upheld": "维持", "corrected": "纠正", "other": "其他结果", "pending": "尚未审结"}
# No case at all: "未发生因政府信息公开引起的行政复议、行政诉讼案件".
NONE_OF = r"(?:未发生|没有发生|未收到|未有|没有|无)[^。；;，,\d]{0,24}?"

TABLE_NAMES = {2: "表二", 3: "表三", 4: "表四"}
# A running total since some earlier date, not the year's ("累计受理申请…", "截至目前…"). Narrower than
# parsing.figures.CUMULATIVE_RE: "截至年底已办结23件" is the year's own count.
CUMULATIVE_RE = re.compile(r"累计|截至目前|截止目前|截至今|截止今")


@dataclass(frozen=True)
class Indicator:
    key: str
    zh: str
    en: str
    group: str
    # Unit of the value: 件 (a count), 万元 or 元. Money written in the other unit is converted.
    unit: str = "件"
    # Alternatives, tried in order: the first whose cells the report has gives the value (their sum).
    # A cell is (table, row_key, column_key); a row_key ending in ".*" means every row under it.
    cells: tuple[tuple[tuple[int, str, str], ...], ...] = ()
    # The figure of parsing/figures.py that states it in the narrative (one definition of its regex).
    figure: str | None = None
    # Patterns on the folded narrative, tried in order: the first that matches gives the value
    # (group 1 the number, group 2 its unit if money; a pattern without a group means 0).
    text: tuple[re.Pattern, ...] = ()
    # Add the first match of every pattern instead (the old template counts 信息不存在 and
    # 非本机关掌握 apart; the new one has one row for both).
    text_sum: bool = False


def _p(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


def _t3(row: str) -> tuple[tuple[tuple[int, str, str], ...], ...]:
    return (((3, row, "total"),),)


def _outcome_patterns(case: str, other_case: str, outcome: str) -> tuple[re.Pattern, ...]:
    word = OUTCOME_WORDS[outcome]
    within = r"(?:(?!%s)[^。；;]){0,40}?" % other_case  # stay inside the statement about this kind of case
    return _p(case + within + r"(?:结果)?" + word + r"(?:原(?:答复|决定|行政行为))?" + (GAP % 2) + COUNT,
              case + within + NUMBER + r"\s*件[（(]?(?:结果)?(?:被)?" + word)


def _case_indicators(prefix: str, zh: str, en: str, groups: tuple[str, ...], case: str, other_case: str,
                     text: bool) -> list[Indicator]:
    """Table 四's five outcomes of one kind of case (summed over GROUPS of its columns)."""
    found = []
    for outcome, zh_outcome, en_outcome in (("upheld", "结果维持", "upheld"), ("corrected", "结果纠正", "corrected"),
                                            ("other", "其他结果", "other outcome"), ("pending", "尚未审结", "pending"),
                                            ("total", "总计", "total")):
        if not text:
            patterns = ()
        elif outcome == "total":
            patterns = _p(case + r"(?:申请|案件)?" + (GAP % 4) + COUNT, NONE_OF + case)
        else:
            patterns = _outcome_patterns(case, other_case, outcome)
        found.append(Indicator(
            f"{prefix}.{outcome}", f"{zh}{zh_outcome}", f"{en}: {en_outcome}", prefix.split("_")[0],
            cells=(tuple((4, "cases", f"{g}.{outcome}") for g in groups),), text=patterns))
    return found


def _documents(prefix: str, row: str, zh: str, en: str, text_word: str) -> list[Indicator]:
    """Table 二 (一): 规章 / (行政)规范性文件 — 2019 and 2021 columns, mapped where they mean the same."""
    cell = lambda column: (((2, row, column),),)  # noqa: E731
    return [
        # 本年新制作数量 (2019) and 本年制发件数 (2021): documents made in the year
        Indicator(f"{prefix}.issued", f"{zh}本年制发（新制作）", f"{en} made in the year", "proactive",
                  cells=(((2, row, "issued_this_year"),), ((2, row, "made_this_year"),)),
                  text=_p(r"(?:制发|制定|出台|印发)" + (GAP % 8) + text_word + (GAP % 4) + COUNT)),
        Indicator(f"{prefix}.repealed", f"{zh}本年废止", f"{en} repealed in the year (2021 template)", "proactive",
                  cells=cell("repealed_this_year"),
                  text=_p(text_word + r"[^。；;]{0,20}?废止" + (GAP % 4) + COUNT)),
        Indicator(f"{prefix}.in_force", f"{zh}现行有效", f"{en} in force (2021 template)", "proactive",
                  cells=cell("in_force"), text=_p(text_word + r"[^。；;]{0,20}?现行有效" + (GAP % 4) + COUNT)),
        Indicator(f"{prefix}.published", f"{zh}本年新公开", f"{en} made public in the year (2019 template)",
                  "proactive", cells=cell("published_this_year")),
        Indicator(f"{prefix}.published_total", f"{zh}对外公开总数量", f"{en} made public in all (2019 template)",
                  "proactive", cells=cell("total_published")),
    ]


WITHHELD_REASONS = (
    ("state_secret", "属于国家秘密", "state secret"),
    ("prohibited_by_law", "其他法律行政法规禁止公开", "prohibited by other laws"),
    ("security_stability", "危及“三安全一稳定”", "endangers security or stability"),
    ("third_party", "保护第三方合法权益", "third party's rights"),
    ("internal_affairs", "属于三类内部事务信息", "internal affairs"),
    ("process_info", "属于四类过程性信息", "process information"),
    ("enforcement_files", "属于行政执法案卷", "law-enforcement files"),
    ("query_items", "属于行政查询事项", "administrative query matters"),
)
UNAVAILABLE_REASONS = (
    ("needs_creation", "没有现成信息需要另行制作", "would have to be created"),
    ("unclear", "补正后申请内容仍不明确", "unclear after correction"),
)
NOT_PROCESSED_REASONS = (
    ("petition", "信访举报投诉类申请", "petition, report or complaint"),
    ("repeated", "重复申请", "repeated application"),
    ("publications", "要求提供公开出版物", "asks for publications"),
    ("excessive", "无正当理由大量反复申请", "excessive applications"),
    ("confirmation", "要求行政机关确认或重新出具已获取信息", "asks to confirm information already held"),
)
OTHER_REASONS = (
    ("no_correction", "申请人逾期不补正", "no correction in time"),
    ("fee_unpaid", "申请人逾期未缴费", "fee not paid"),
    ("other", "其他", "other"),
)

INDICATORS: tuple[Indicator, ...] = (
    # --- 三、收到和处理政府信息公开申请 (table 三, column 总计) ---
    Indicator("requests.received", "本年新收申请", "applications received", "requests",
              cells=_t3("new_requests"), figure="requests_received"),
    Indicator("requests.carried_over", "上年结转申请", "applications carried over from last year", "requests",
              cells=_t3("carried_over"),
              text=_p(r"(?:上(?:一)?年(?:度)?结转|结转上(?:一)?年度?)" + (GAP % 16) + COUNT)),
    Indicator("requests.granted", "予以公开", "granted", "requests", cells=_t3("result.disclosed"),
              text=_p(r"(?:予以公开|同意公开|全部公开)" + (GAP % 4) + COUNT)),
    Indicator("requests.partly_granted", "部分公开", "partly granted", "requests",
              cells=_t3("result.partially_disclosed"), text=_p(r"部分公开" + (GAP % 4) + COUNT)),
    Indicator("requests.refused", "不予公开（合计）", "refused (all reasons)", "requests",
              cells=_t3("result.withheld.*"), text=_p(r"不予公开" + (GAP % 4) + COUNT)),
    *(Indicator(f"requests.refused.{key}", f"不予公开：{zh}", f"refused: {en}", "requests",
                cells=_t3(f"result.withheld.{key}")) for key, zh, en in WITHHELD_REASONS),
    Indicator("requests.not_held", "无法提供（合计）", "not held / cannot be provided (all reasons)", "requests",
              cells=_t3("result.unavailable.*"), text=_p(r"无法提供" + (GAP % 4) + COUNT)),
    Indicator("requests.not_held.not_held_by_body", "无法提供：本机关不掌握相关政府信息",
              "cannot be provided: not held by this body", "requests",
              cells=_t3("result.unavailable.not_held"),
              text=_p(r"(?:本机关不掌握(?:相关)?(?:政府)?信息|信息不存在)[”\"']?" + (GAP % 2) + COUNT,
                      r"非本(?:机关|部门|单位)(?:所)?掌握(?:的信息)?[”\"']?" + (GAP % 2) + COUNT),
              text_sum=True),
    *(Indicator(f"requests.not_held.{key}", f"无法提供：{zh}", f"cannot be provided: {en}", "requests",
                cells=_t3(f"result.unavailable.{key}")) for key, zh, en in UNAVAILABLE_REASONS),
    Indicator("requests.not_processed", "不予处理（合计）", "not processed (all reasons)", "requests",
              cells=_t3("result.not_processed.*"), text=_p(r"不予处理" + (GAP % 4) + COUNT)),
    *(Indicator(f"requests.not_processed.{key}", f"不予处理：{zh}", f"not processed: {en}", "requests",
                cells=_t3(f"result.not_processed.{key}")) for key, zh, en in NOT_PROCESSED_REASONS),
    # 2019: one row （六）其他处理; 2021: three rows under it
    Indicator("requests.other", "其他处理（合计）", "otherwise handled (all reasons)", "requests",
              cells=(((3, "result.other", "total"),), ((3, "result.other.*", "total"),))),
    *(Indicator(f"requests.other.{key}", f"其他处理：{zh}", f"otherwise handled: {en} (2021 template)", "requests",
                cells=_t3(f"result.other.{key}")) for key, zh, en in OTHER_REASONS),
    Indicator("requests.handled", "办理结果总计", "handled in total", "requests", cells=_t3("result.total"),
              text=_p(r"(?:办结|办理完成|办理完毕|已答复)" + (GAP % 6) + COUNT)),
    Indicator("requests.carried_forward", "结转下年度继续办理", "carried forward to next year", "requests",
              cells=_t3("carried_forward"), text=_p(r"结转(?:至|到)?下(?:一)?年度?" + (GAP % 10) + COUNT)),
    # --- 四、行政复议、行政诉讼 (table 四) ---
    *_case_indicators("review", "行政复议", "administrative reconsideration", ("review",),
                      "行政复议", "诉讼", text=True),
    *_case_indicators("litigation", "行政诉讼", "lawsuits (direct and after reconsideration)",
                      ("litigation_direct", "litigation_after_review"), "行政诉讼", "行政复议", text=True),
    *_case_indicators("litigation_direct", "行政诉讼（未经复议直接起诉）", "lawsuits filed directly",
                      ("litigation_direct",), "", "", text=False),
    *_case_indicators("litigation_after_review", "行政诉讼（复议后起诉）", "lawsuits after reconsideration",
                      ("litigation_after_review",), "", "", text=False),
    # --- 二、主动公开 (table 二) ---
    Indicator("proactive.items", "主动公开政府信息", "items of information made public", "proactive",
              unit="条", figure="proactive_total"),
    *_documents("regulations", "art20_1.regulations", "规章", "regulations", r"规章"),
    *_documents("normative_documents", "art20_1.normative_documents", "规范性文件", "normative documents",
                r"规范性文件"),
    Indicator("decisions.licensing", "行政许可处理决定", "licensing decisions", "proactive",
              cells=(((2, "art20_5.licensing", "decisions"),),),
              text=_p(r"行政许可(?:处理)?决定" + (GAP % 4) + NUMBER + r"\s*(?:件|个|项)")),
    Indicator("decisions.penalty", "行政处罚处理决定", "penalty decisions", "proactive",
              cells=(((2, "art20_6.penalty", "decisions"),),),
              text=_p(r"行政处罚(?:处理)?决定" + (GAP % 4) + NUMBER + r"\s*(?:件|个|项)")),
    Indicator("decisions.enforcement", "行政强制处理决定", "enforcement decisions", "proactive",
              cells=(((2, "art20_6.enforcement", "decisions"),),)),
    # --- fees ---
    # 行政事业性收费: the 2021 template's 本年收费金额 (万元); the 2019 template counts items, not money
    Indicator("fees.administrative_charges", "行政事业性收费金额", "administrative charges collected", "fees",
              unit="万元", cells=(((2, "art20_8.fees", "fee_amount"),),)),
    # 信息处理费 charged to applicants (国办函〔2020〕109号); old reports' 收费及减免
    Indicator("fees.information_processing", "信息处理费", "information processing fees charged", "fees",
              unit="元",
              text=_p(r"信息处理费" + (GAP % 8) + MONEY,
                      r"收取" + (GAP % 10) + r"(?:费用|费)" + (GAP % 4) + MONEY,
                      r"(?:未|没有|无|不)(?:收取|收)" + r"[^。；;，,\d]{0,12}?(?:信息处理费|费用|任何费)")),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
GROUPS = {"requests": "收到和处理政府信息公开申请 / applications",
          "review": "行政复议 / administrative reconsideration",
          "litigation": "行政诉讼 / lawsuits",
          "proactive": "主动公开 / proactive disclosure",
          "fees": "收费 / fees"}


@dataclass
class Value:
    indicator: str
    value: int | float
    source: str                # 'table' | 'text'
    detail: str


@dataclass
class Disagreement:
    """A number the narrative states differently from the table (the table's value is kept)."""
    indicator: str
    table_value: int | float
    text_value: int | float
    sentence: str


@dataclass
class Panel:
    values: list[Value] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


class Cell(NamedTuple):  # a tuple: a report has ~200 cells, read on every write
    value: int | float
    unit: str | None
    row: str
    column: str


def cells_of(stats: Iterable) -> dict[tuple[int, str, str], Cell]:
    """{(table, row_key, column_key): Cell} from parsing.tables.Stat objects or their dicts."""
    cells = {}
    for s in stats:
        if isinstance(s, Mapping):
            cells[(s["table"], s["row_key"], s["column_key"])] = Cell(s["value"], s.get("unit"), s.get("row") or "",
                                                                      s.get("column") or "")
        else:
            cells[(s.table, s.row_key, s.column_key)] = Cell(s.value, s.unit, s.row or "", s.column or "")
    return cells


def _number(value: float | int) -> int | float:
    """An integral value as an int (a count the report wrote as 9 stays 9), else rounded."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return round(value, 6) if isinstance(value, float) else value


def _in_unit(value: int | float, written: str | None, unit: str) -> int | float:
    """Money written in 元 or 万元 in the indicator's unit."""
    if written == unit or written not in ("元", "万元") or unit not in ("元", "万元"):
        return value
    return _number(value / 10000 if written == "元" else value * 10000)


def _matching(cells: Mapping, table: int, row_key: str, column_key: str) -> list[tuple[tuple, Cell]]:
    if row_key.endswith(".*"):
        prefix = row_key[:-1]
        return [(k, c) for k, c in cells.items() if k[0] == table and k[2] == column_key and k[1].startswith(prefix)]
    cell = cells.get((table, row_key, column_key))
    return [((table, row_key, column_key), cell)] if cell is not None else []


def _from_table(indicator: Indicator, cells: Mapping) -> Value | None:
    if not cells:
        return None
    for alternative in indicator.cells:
        found = [m for ref in alternative for m in _matching(cells, *ref)]
        if not found:
            continue
        total = sum(_in_unit(c.value, c.unit, indicator.unit) for _, c in found)
        return Value(indicator.key, _number(total), "table", _cell_detail(found))
    return None


def _cell_detail(found: list[tuple[tuple, Cell]]) -> str:
    """Where the value is: 表三 row / column as the report wrote them (the first and last of a sum)."""
    table = TABLE_NAMES.get(found[0][0][0], f"表{found[0][0][0]}")
    first, last = found[0][1], found[-1][1]
    labels = lambda c: " / ".join(x for x in (c.row, c.column) if x)  # noqa: E731
    if len(found) == 1:
        return f"{table} {labels(first)}"
    return f"{table} {len(found)} cells: {labels(first)} … {labels(last)}"


def narrative(body: str) -> str:
    """The report's text without the lines of its statistics tables (cells joined by tabs)."""
    return "\n".join("" if "\t" in line else line for line in body.split("\n"))


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；;\n") if i != -1]
    return text[left:(min(rights) + 1 if rights else len(text))].strip()


def _match_value(indicator: Indicator, m: re.Match) -> int | float:
    if m.re.groups == 0:
        return 0
    value = float(m.group(1).replace(",", "")) if "." in m.group(1) else int(m.group(1).replace(",", ""))
    unit = m.group(2) if m.re.groups >= 2 else None
    return _in_unit(value, unit, indicator.unit)


def _first(pattern: re.Pattern, folded: str) -> re.Match | None:
    for m in pattern.finditer(folded):
        if not CUMULATIVE_RE.search(folded[max(0, m.start() - 20):m.start()]):  # 截至…累计: not the year's
            return m
    return None


def _from_text(indicator: Indicator, text: str, folded: str, figures: Mapping) -> Value | None:
    if indicator.figure:
        figure = figures.get(indicator.figure)
        return Value(indicator.key, _number(figure[0]), "text", figure[1]) if figure else None
    matches = []
    for pattern in indicator.text:
        m = _first(pattern, folded)
        if m is None:
            continue
        matches.append(m)
        if not indicator.text_sum:
            break
    if not matches:
        return None
    value = sum(_match_value(indicator, m) for m in matches)
    sentences = list(dict.fromkeys(_sentence(text, m.start(), m.end()) for m in matches))
    return Value(indicator.key, _number(value), "text", " … ".join(sentences))


def read_indicators(stats: Iterable, body: str, figures: Iterable | None = None) -> Panel:
    """One value per indicator the report gives: from its table cells, else from its narrative.

    ``stats``: parsing.tables.Stat (or their dicts); ``body``: the report's text; ``figures``:
    the parser's parsing.figures.Figure list (extracted again from BODY when None).
    """
    cells = cells_of(stats)
    text = narrative(body or "")
    folded = fold(text)
    if figures is None:
        figures = extract_figures(text)
    by_name = {}
    for f in figures:
        get = f.get if isinstance(f, Mapping) else lambda name, f=f: getattr(f, name)
        by_name[get("name")] = (get("value"), get("sentence"))
    panel = Panel()
    for indicator in INDICATORS:
        from_table = _from_table(indicator, cells)
        from_text = _from_text(indicator, text, folded, by_name) if (indicator.text or indicator.figure) else None
        if from_table is None and from_text is None:
            continue
        if from_table is not None and from_text is not None and from_table.value != from_text.value:
            panel.disagreements.append(Disagreement(indicator.key, from_table.value, from_text.value,
                                                    from_text.detail))
            from_table.detail += f" ≠ 正文 text {from_text.value}: {from_text.detail}"
        panel.values.append(from_table or from_text)
    return panel
