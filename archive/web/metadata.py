"""Datasette metadata for an archive: what each table, view and column is (中文 / English),
how lists sort and facet, the canned questions researchers ask, and the charts.

``archive_metadata(name, columns)`` describes only what the archive has (an
archive made by an older nianbao lacks later columns and tables, and a facet
or query on a missing column would break its page).
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from markupsafe import escape

from parsing.indicators import BY_KEY

from ..schema import COUNTED_ONCE, FTS_TABLE
from ..search import BM25_WEIGHTS, RANK_LIMIT

SEARCH_HELP_SHORT = (
    "搜索按原文子串匹配任意长度的中文词，繁简通用；多个词用空格分开。"
    " Search finds Chinese words of any length as exact substrings, traditional or simplified."
)
SEARCH_HELP = (
    "搜索按原文子串匹配任意长度的中文词（公开、邮编、行政复议），繁简通用；多个词用空格分开表示同时包含。"
    " Search finds Chinese words of any length as exact substrings; separate words with spaces to "
    "require all of them; traditional and simplified characters match each other. Ranked results with "
    "highlighted snippets: /-/nianbao/search"
)

# Searching from SQL: the index holds bigram tokens (archive/search.py), so a plain
# `reports_fts match '行政复议'` finds nothing; nianbao_query() turns words into the index's phrases.
SQL_SEARCH_EXAMPLE = f"""select reports.id, reports.year, reports.issuer, reports.title,
       nianbao_snippet(reports.title, reports.body, '行政复议') as snippet
from [{FTS_TABLE}] join reports on reports.id = [{FTS_TABLE}].rowid
where [{FTS_TABLE}] match nianbao_query('行政复议')
order by bm25([{FTS_TABLE}], {BM25_WEIGHTS})
limit 20"""
SQL_SEARCH_HELP = (
    f"在SQL中搜索：索引按两字一词存储，直接写 {FTS_TABLE} match '行政复议' 找不到任何报告；请用 "
    f"{FTS_TABLE} match nianbao_query('行政复议')（多个词用空格分开），nianbao_snippet(title, body, '词') 给出摘要。"
    f" Searching from SQL: the index holds two-character tokens, so a plain {FTS_TABLE} match '行政复议' "
    f"returns no rows; write {FTS_TABLE} match nianbao_query('行政复议') (words separated by spaces must all "
    "appear), and nianbao_snippet(title, body, 'words') for a snippet with «» around the matches. Example:"
)

# Columns that hold JSON (a list, or a list of pairs): Datasette's JSON gives them as JSON, not as
# strings holding JSON (archive.web.datasette_plugin's json renderer). Any table, view or query column
# of these names whose text is a JSON array or object.
JSON_COLUMNS = {
    "reports": ("phones", "fax", "tables_missing", "warnings", "images"),
    "report_overview": ("phones",),
    "responses": ("headers",),
    "crawl_runs": ("start_urls",),
}
JSON_COLUMN_NAMES = frozenset(c for columns in JSON_COLUMNS.values() for c in columns)

# A canned query's parameter is optional when its SQL says what an empty value means
# (":province = '' or …"); every other parameter is required: the page says so when it is empty.
OPTIONAL_PARAM_RE = re.compile(r":(\w+)\s*=\s*''")
PARAM_RE = re.compile(r"(?<![:\w]):(\w+)")


def required_params(sql: str) -> list[str]:
    """The named parameters of SQL that have no meaning when empty, in order of first use."""
    optional = set(OPTIONAL_PARAM_RE.findall(sql))
    return list(dict.fromkeys(p for p in PARAM_RE.findall(sql) if p not in optional))


# The columns the reports list shows (archive/web/templates/_table.html): what a person scans.
# The body and contact stay searchable and one click away, on the report page.
REPORT_LIST_COLUMNS = ("id", "year", "issuer", "province", "city", "county", "level", "title",
                       "template", "section_count", "checks_failed", "published")

LEVEL_LABELS = {
    "government": "人民政府",
    "government_office": "政府办公室",
    "department": "部门",
    "township": "乡镇街道",
    "development_zone": "开发区",
}

STATS_TABLE_TITLES = {
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
}

# Check name prefixes (tests/corpus/README.md) as a person reads them.
CHECK_LABELS = {
    "t3.balance.": "表三 新收 + 上年结转 ≠ 办理结果总计 + 结转下年 (applications in ≠ out)",
    "t3.results.": "表三 各项办理结果之和 ≠ 总计 (results do not sum to the total)",
    "t3.applicants.": "表三 各类申请人之和 ≠ 总计 (applicant columns do not sum to the total)",
    "t4.": "表四 各项结果之和 ≠ 总计 (review / litigation outcomes do not sum to the total)",
}


TABLE_DESCRIPTIONS = {
    "reports": "年度报告：每个报告页面一行（正文可搜索，点击编号阅读全文）。 One row per annual report page; "
               "open a report's id for a readable page with its sections, contact and statistics tables.",
    "sections": "报告的一级标题（一、…六、）及其正文，按原文。 The top-level sections of each report, as written, "
                "with a normalized kind.",
    "stats": "统计表二、三、四的每个单元格；行、列键在2019与2021模板间一致。 Every cell of statistics tables 2/3/4; "
             "row_key and column_key are the same across the 2019 and 2021 templates.",
    "stat_cells": "统计表单元格的存储（请用视图 stats 查询）。 Where the statistics cells are kept; query the stats view.",
    "stat_labels": "统计表的行名、列名，按原文，每对只存一次。 Row and column labels as written, each pair kept once.",
    "checks": "勾稽关系：报告自身的数字是否相符（从不更正）。 Does each report's own arithmetic hold? Never corrected.",
    "figures": "正文中陈述的关键数字。 Key figures stated in the report's narrative.",
    "portals": "抓取的门户网站及其所在地。 The portals crawled, and where they are.",
    "responses": "抓取台账：每次请求一行，只增不改。 The append-only fetch ledger: one row per fetch attempt.",
    "bodies": "原始响应正文，按SHA-256去重并压缩保存。 Raw response bodies, content-addressed and compressed.",
    "revisions": "报告内容变化前的旧版本。 What a report said before its bytes changed.",
    "crawl_runs": "每次抓取运行一行。 One row per crawl run.",
    "schema_migrations": "已应用的数据迁移。 Data migrations applied to this archive.",
    "fetches": "每个网址的最新抓取结果（视图）。 The latest ledger row per URL (view).",
    "latest_responses": "每个网址最新的一次响应（视图）。 The latest response per URL (view).",
    "report_overview": "报告简表（视图）。 A compact list of reports (view).",
    "applications_per_year": "各单位每年新收政府信息公开申请数：统计表，无表时取正文所述（视图）。 Applications received "
                             "per issuer and year, from the panel: the table, else what the text says (view).",
    "indicators": "指标面板：每份报告每项指标一行，键在2019、2021模板与旧式报告间一致；取自统计表，无表时取正文所述；"
                  "表与正文不符时以表为准并标出（detail，勾稽关系 text.<指标>）。 The panel: one row per report per "
                  "indicator, keys stable across the 2019 and 2021 templates and older reports; from the table, else "
                  "the text; where the text disagrees the table wins and it is flagged (detail, check text.<key>). "
                  "See docs/panel.md.",
    "indicator_series": "指标时间序列：每个区划、层级、年度、指标一个数，各层级分开、不重复相加（视图）。 The panel as "
                        "series: one value per division, level, year and indicator; levels apart, nothing counted "
                        "twice (view).",
    "failed_checks": "数字不相符的勾稽关系（视图）。 The checks that fail (view).",
    "fetch_outcomes": "各门户的抓取结果统计（视图）。 Fetch outcomes per portal (view).",
    "vanished_reports": "已从门户网站消失的报告（视图）。 Reports that vanished from their portal (view).",
    "divisions": "行政区划（GB/T 2260），含更名与撤并。 China's administrative divisions (GB/T 2260), renamings "
                 "and mergers included.",
    "monitor_results": "每次抓取结束时各项监测的结果。 What the monitors said at the end of each crawl.",
    "coverage": "各行政区划每年有没有本级政府的年报（视图）。 Per division and year: its government's report, "
                "department and township reports, and whether it is present, missing, overdue or vanished (view).",
    "overdue": "逾期未见年报的政府（视图）。 Governments whose report for a year is not archived after its "
               "deadline, 31 March of the next year (view).",
}

COMMON_COLUMNS = {
    "id": "编号 / Row id",
    "url": "网址 / URL of the page",
    "title": "标题 / Title as written",
    "year": "报告年度 / Year reported on",
    "issuer": "发布机关 / Issuing body",
    "report_id": "报告编号 / The report (reports.id)",
    "fetched_at": "抓取时间 (UTC) / When it was fetched",
    "portal": "门户 / Portal name",
    "portal_url": "门户网址 / Portal URL",
    "portal_id": "门户编号 / Portal (portals.id)",
    "province": "省份 / Province",
    "city": "地市 / City (prefecture)",
    "county": "区县 / County",
    "outcome": "结果 / Outcome of the fetch",
    "reason": "原因 / Why",
    "name": "名称 / Name",
    "check": "勾稽关系 / Check name (t3.balance.<column>, t3.results.<column>, t3.applicants.<row>, t4.<group>.total)",
    "expected": "按各部分计算的值 / The sum the rule computes from the parts",
    "actual": "报告所列的值 / The value the report prints",
    "n": "数量 / Count",
    "response_id": "原始响应 / The raw response it was parsed from (responses.id)",
    "content_sha256": "内容SHA-256 / SHA-256 of the page as served",
    "http_status": "HTTP状态码 / HTTP status",
    "gone_since": "消失日期 / Date the page was first found gone",
    "division_code": "行政区划代码 / GB/T 2260 code of the division (divisions.code)",
    "code": "区划代码 / GB/T 2260 division code",
    "due": "应发布日期 / The date by which the report was due",
}

COLUMN_DESCRIPTIONS = {
    "reports": {
        "published": "发布日期 / Publication date", "template": "模板 / Template: 2019, 2021 or legacy",
        "body": "正文 / The report's clean text (searchable)", "address": "地址 / Contact address",
        "postcode": "邮编 / Postcode", "phones": "电话 / Phone numbers", "fax": "传真 / Fax numbers",
        "email": "电子邮箱 / Email", "encoding": "编码 / Character encoding of the page",
        "section_count": "章节数 / Number of top-level sections",
        "tables_missing": "缺失的统计表 / Tables (2, 3, 4) whose heading is on the page but whose table is not",
        "checks_failed": "不相符的勾稽关系数 / Number of failed checks",
        "warnings": "解析警告 / Parser warnings",
        "level": "机关层级 / Issuer level: government, government_office, department, township, development_zone",
        "parser_version": "解析器版本 / Parser version that produced the row",
        "attachment_url": "附件网址 / The attachment the text came from (PDF/DOCX)",
        "attachment_sha256": "附件SHA-256 / SHA-256 of that attachment",
        "image_only": "仅图片 / The report is only images (图片版)",
        "images": "图片 / The images of an image-only report (JSON list of URLs; no OCR)",
    },
    "sections": {"number": "序号 / Section number", "heading": "标题 / Heading as written",
                 "kind": "类别 / Kind: overview, proactive, requests, fees, review_litigation, problems, other",
                 "text": "正文 / Text of the section"},
    "stats": {"table_no": "表号 / Table number (2, 3, 4)", "row_key": "行键 / Row key (stable across templates)",
              "row_label": "行名 / Row label as written", "column_key": "列键 / Column key (stable across templates)",
              "column_label": "列名 / Column label as written", "value": "数值 / Value (0 when blank)",
              "unit": "单位 / Unit as written (元, 万元, 件…)", "blank": "空白 / The cell was blank, -, / or 无",
              "position": "次序 / The cell's place in the report's own table order"},
    "stat_cells": {"table_no": "表号 / Table number (2, 3, 4)", "row_key": "行键 / Row key",
                   "column_key": "列键 / Column key", "label_id": "标签 / The labels (stat_labels.id)",
                   "value": "数值 / Value (0 when blank)", "unit": "单位 / Unit as written",
                   "blank": "空白 / The cell was blank", "position": "次序 / The cell's place in the report's table order"},
    "stat_labels": {"row_label": "行名 / Row label as written", "column_label": "列名 / Column label as written"},
    "checks": {"ok": "是否相符 / Whether the report's numbers add up"},
    "figures": {"value": "数值 / Value stated", "unit": "单位 / Unit as written", "sentence": "原句 / The sentence"},
    "indicators": {"indicator": "指标 / Indicator key (parsing/indicators.py INDICATORS; docs/panel.md)",
                   "value": "数值 / Value (件, 条, 元 or 万元 as the indicator says; integers where the report wrote them)",
                   "source": "来源 / table (统计表) or text (正文)",
                   "detail": "出处 / The cell's row / column as written, or the sentence; ≠ 正文 notes a disagreeing text",
                   "level": "机关层级 / Issuer level: government, government_office, department, township, "
                            "development_zone"},
    "indicator_series": {"indicator": "指标 / Indicator key", "value": "数值 / The level's value for the year",
                         "reports": "报告数 / Reports it is read from (a government's own: one)",
                         "sources": "来源 / table, text or both",
                         "level": "机关层级 / Level (never added to another)"},
    "responses": {"run_id": "抓取运行 / Crawl run (crawl_runs.id)", "final_url": "最终网址 / URL after redirects",
                  "method": "方法 / HTTP method", "status": "HTTP状态码 / HTTP status",
                  "headers": "响应头 / Response headers (JSON list of [name, value])",
                  "body_sha256": "正文SHA-256 / The body (bodies.sha256)",
                  "route": "类型 / What the URL was fetched as: report, listing, attachment, discovery, start",
                  "parent_url": "来源页 / The page that linked to it",
                  "link_date": "列表日期 / The date the list printed beside the link",
                  "request_body": "请求正文 / The form a POST sent (kept for WARC request records)"},
    "bodies": {"sha256": "SHA-256 / SHA-256 of the body", "size": "大小 / Size in bytes",
               "stored_size": "存储大小 / Size stored", "compression": "压缩 / Compression: zlib or none",
               "data": "数据 / The body"},
    "revisions": {"body": "正文 / The report's text then", "replaced_at": "被替换时间 / When a newer version replaced it"},
    "crawl_runs": {"started": "开始 / Started", "finished": "结束 / Finished",
                   "start_urls": "起始网址 / Start URLs (JSON)", "pid": "进程号 / Process id",
                   "new": "新报告 / New reports", "changed": "已变化 / Changed reports",
                   "unchanged": "未变化 / Unchanged reports", "failed": "失败 / Failed fetches",
                   "blocked": "被拦截 / Blocked fetches", "skipped": "跳过 / Skipped links",
                   "requests": "请求数 / Requests made", "exit_status": "退出状态 / Exit status",
                   "full": "完整抓取 / 1 for a --full crawl",
                   "list_pages": "列表页 / A distributed crawl's list pages read by all its workers, "
                                 "JSON {portal URL: count} (empty: this archive's ledger rows are the run's list pages)"},
    "schema_migrations": {"applied_at": "应用时间 / Applied at"},
    "report_overview": {"published": "发布日期 / Publication date", "template": "模板 / Template",
                        "section_count": "章节数 / Sections", "postcode": "邮编 / Postcode",
                        "phones": "电话 / Phones", "email": "电子邮箱 / Email"},
    "applications_per_year": {"applications_received": "本年新收申请数 / Applications received in the year",
                              "source": "来源 / table (统计表) or text (正文)",
                              "level": "机关层级 / Issuer level"},
    "vanished_reports": {},
    "portals": {"family": "网站系统 / CMS family", "first_seen": "首次发现 / First seen",
                "last_crawled": "最近抓取 / Last crawled", "code": "区划代码 / Division code the portals CSV gives",
                "site_id": "政府网站标识码 / The site id (政府网站标识码) its pages print"},
    "divisions": {"level": "层级 / Level: province, prefecture or county", "parent_code": "上级区划 / Parent division code",
                  "valid_from": "启用年份 / First year valid", "valid_to": "停用年份 / First year no longer valid (empty: in use)",
                  "successors": "继承区划 / Codes that took its area over when it ended (撤县设区, 更名, 合并), ';'-separated",
                  "source": "来源 / gb2260 (the packaged registry) or demo"},
    "monitor_results": {"monitor": "监测项 / Monitor", "passed": "是否通过 / Whether it passed",
                        "detail": "详情 / What it found"},
    "coverage": {"government_report_id": "本级政府年报 / The government's own report (reports.id)",
                 "department_reports": "部门年报数 / Department reports", "township_reports": "乡镇街道年报数 / Township reports",
                 "status": "状态 / present, missing, overdue or vanished"},
    "overdue": {"days_overdue": "逾期天数 / Days past the deadline",
                "last_published_year": "最近一份年报的年度 / Year of its latest report"},
}

ANY_TABLE_COLUMNS = {c: d for table in COLUMN_DESCRIPTIONS.values() for c, d in table.items()}

TABLE_OPTIONS = {
    "reports": {"fts_table": FTS_TABLE, "fts_pk": "id", "searchmode": "escaped", "sort_desc": "year",
                "label_column": "title", "facets": ["year", "template", "province", "city", "county", "level"]},
    "sections": {"facets": ["kind"], "label_column": "heading"},
    "stats": {"facets": ["table_no", "row_key"]},
    "checks": {"facets": ["ok", "check"]},
    "figures": {"facets": ["name"]},
    "indicators": {"facets": ["indicator", "source", "level", "year"]},
    "indicator_series": {"facets": ["indicator", "level", "year"]},
    "portals": {"label_column": "name", "facets": ["province", "city", "family"]},
    "responses": {"sort_desc": "id", "facets": ["outcome", "route", "status"]},
    "revisions": {"sort_desc": "id", "label_column": "title"},
    "crawl_runs": {"sort_desc": "id"},
    "bodies": {"hidden": True},
    "fetches": {"facets": ["outcome"]},
    "vanished_reports": {"facets": ["year"]},
    FTS_TABLE: {"hidden": True},
}

# Sums over table 三's result rows (tests/corpus/README.md keys), reused by queries and charts.
T3 = "stats.table_no = 3 and stats.column_key = 'total'"


# The panel's request indicators (parsing/indicators.py) that the county query compares, in order;
# a column is named after its key's last part (requests.received -> received).
REQUEST_MEASURES = ("requests.received", "requests.carried_over", "requests.granted", "requests.partly_granted",
                    "requests.refused", "requests.not_held", "requests.not_processed", "requests.handled",
                    "requests.carried_forward")
# What the chart draws: received and how they ended.
CHART_MEASURES = ("requests.received", "requests.granted", "requests.partly_granted", "requests.refused",
                  "requests.not_held", "requests.not_processed")
# Series are level-aware: a county's own government unless :level names another level
# (department, township …); levels are never added together.
CHOSEN_LEVEL = "case when :level = '' then 'government' else :level end"


def measure_column(key: str) -> str:
    return key.rsplit(".", 1)[1]


def measure_label(key: str) -> str:
    """A legend entry: Chinese, then English (本年新收申请 applications received)."""
    return f"{BY_KEY[key].zh} {BY_KEY[key].en}"


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


REQUEST_COLUMNS = ",\n       ".join(
    f"max(case when s.level = chosen.level and s.indicator = '{key}' then s.value end) as {measure_column(key)}"
    for key in REQUEST_MEASURES)

# Canned queries: (name, needs {table: [columns]}, definition). A query is offered only when the
# archive has what it needs. Parameters left empty mean "any".
CANNED_QUERIES = [
    ("search", {"reports": ["title"]}, {
        "title": "搜索（排序，带摘要） / Search, ranked, with snippets",
        "description": f"按相关度排序（匹配超过{RANK_LIMIT:,}份时最近收录的在前），«»标出匹配处。 Reports containing "
                       f"every word, best first (most recently archived first when more than {RANK_LIMIT:,} match); "
                       "«» marks the match.",
        "sql": f"""with matched as (
  select count(*) as n from (select rowid from [{FTS_TABLE}] where [{FTS_TABLE}] match nianbao_query(:q)
                             limit {RANK_LIMIT + 1})
), hits as (
  -- one branch runs: LIMIT 0 stops the other before it reads the index
  select * from (select rowid as id, bm25([{FTS_TABLE}], {BM25_WEIGHTS}) as score from [{FTS_TABLE}]
                 where [{FTS_TABLE}] match nianbao_query(:q)
                 order by score limit (select case when n <= {RANK_LIMIT} then 50 else 0 end from matched))
  union all
  select * from (select rowid, null from [{FTS_TABLE}]
                 where [{FTS_TABLE}] match nianbao_query(:q)
                 order by rowid desc limit (select case when n > {RANK_LIMIT} then 50 else 0 end from matched))
)
select reports.id, reports.year, reports.issuer, reports.title,
       nianbao_snippet(reports.title, reports.body, :q) as snippet
from hits join reports on reports.id = hits.id
order by hits.score, hits.id desc""",
    }),
    ("issuers_without_report", {"reports": ["issuer", "province", "county"]}, {
        "title": "某年没有报告的单位 / Issuers with no report for a year",
        "description": "在其他年度发布过报告、但没有该年度报告的单位（省份可留空）。 Issuers that published "
                       "a report for some year but none for :year (province optional).",
        "sql": """select issuer, province, county,
       (select group_concat(year, ', ') from (select distinct r.year from reports r
         where r.issuer = reports.issuer and r.province is reports.province and r.county is reports.county
           and r.year is not null order by r.year)) as years_with_report,
       max(year) as latest_year
from reports
where issuer is not null and :year <> '' and (:province = '' or province = :province)
group by issuer, province, county
having sum(year = cast(:year as integer)) = 0
order by province, county, issuer""",
    }),
    ("counties_without_report", {"coverage": ["division_code"]}, {
        "title": "某省某年没有政府年报的区县 / Counties of a province with no government report for a year",
        "description": "按行政区划代码：在范围内（有门户或有报告）的县级区划，该年度本级政府报告未收录（逾期或未到期）。"
                       "By GB/T 2260 code: county-level divisions in scope (with a portal or a report) of :province "
                       "whose own government's report for :year the archive does not hold. See /-/nianbao/coverage.",
        "sql": """select coverage.division_code, coverage.name, coverage.province, coverage.year, coverage.status,
       coverage.due, coverage.department_reports, coverage.township_reports,
       (select max(r.year) from reports r where r.division_code = coverage.division_code
          and r.level = 'government') as last_published_year
from coverage
where :province <> '' and :year <> '' and coverage.level = 'county' and coverage.province = :province
  and coverage.year = cast(:year as integer) and coverage.government_report_id is null
order by coverage.division_code""",
    }),
    ("divisions_with_vanished_reports", {"reports": ["division_code", "gone_since"]}, {
        "title": "报告从网站消失的区划 / Divisions whose reports vanished",
        "description": "存档中有、但已从原网站消失的报告，按行政区划汇总（存档副本保留）。 Reports the archive holds "
                       "that their portal no longer serves, by division (the archived copies are kept).",
        "sql": """select reports.division_code, reports.province, reports.city, reports.county,
       count(*) as vanished_reports,
       group_concat(distinct reports.year) as years,
       min(reports.gone_since) as first_gone, max(reports.gone_since) as last_gone
from reports
where reports.gone_since is not null
group by reports.division_code, reports.province, reports.city, reports.county
order by vanished_reports desc, reports.division_code""",
    }),
    ("portals_without_report", {"portals": ["name", "province", "county"], "reports": ["portal_id"]}, {
        "title": "某年没有报告的门户 / Portals with no report for a year",
        "description": "登记的门户中，没有该年度任何报告的。 Registered portals where no report for :year was archived.",
        "sql": """select portals.name, portals.province, portals.city, portals.county, portals.url
from portals
where :year <> '' and not exists (select 1 from reports where reports.portal_id = portals.id
                  and reports.year = cast(:year as integer))
  and (:province = '' or portals.province = :province)
order by portals.province, portals.county, portals.name""",
    }),
    ("requests_by_county", {"indicator_series": ["province", "county", "level", "indicator", "value"]}, {
        "title": "各区县每年依申请公开收件与办理结果 / Applications and outcomes per county per year",
        "description": "某省各区县每年新收申请数及办理结果，取自指标面板（表三总计列，无表时取正文所述）。默认为县政府本级"
                       "（level 可选 department、township 等），部门、乡镇街道另列，不重复相加。 Per county and year "
                       "within :province, from the panel (table 三's total column, else what the text says): the "
                       "county government's own numbers by default (:level: department, township …), departments' "
                       "and townships' received apart; no level is added to another.",
        "sql": f"""with chosen(level) as (select {CHOSEN_LEVEL})
select s.county, s.division_code, s.year, chosen.level as level,
       max(case when s.level = chosen.level then s.reports end) as reports,
       {REQUEST_COLUMNS},
       group_concat(distinct case when s.level = chosen.level then s.sources end) as sources,
       max(case when s.level = 'department' and s.indicator = 'requests.received' then s.value end) as departments_received,
       max(case when s.level = 'department' and s.indicator = 'requests.received' then s.reports end) as department_reports,
       max(case when s.level = 'township' and s.indicator = 'requests.received' then s.value end) as townships_received,
       max(case when s.level = 'township' and s.indicator = 'requests.received' then s.reports end) as township_reports
from indicator_series s, chosen
where s.province = :province and s.indicator like 'requests.%'
group by coalesce(s.division_code, s.county), s.year
having reports is not null or departments_received is not null or townships_received is not null
order by s.county, s.year""",
    }),
    ("refusals_by_province", {"reports": ["province"], "stats": ["row_key"]}, {
        "title": "不予公开、无法提供、不予处理：按省份和年度 / Refusal reasons by province and year",
        "description": "表三各项不予公开、无法提供、不予处理理由之和（年度可留空）。 Each refusal reason summed by "
                       "province and year (year optional).",
        "sql": f"""select reports.province, reports.year, stats.row_key as reason, min(stats.row_label) as label,
       cast(total(stats.value) as integer) as applications, count(distinct reports.id) as reports
from stats join reports on reports.id = stats.report_id
where {T3} and (stats.row_key like 'result.withheld.%' or stats.row_key like 'result.unavailable.%'
                or stats.row_key like 'result.not_processed.%')
  and (:year = '' or reports.year = cast(:year as integer))
group by reports.province, reports.year, stats.row_key
order by reports.province, reports.year desc, applications desc""",
    }),
    ("review_litigation", {"reports": ["province"], "stats": ["row_key"]}, {
        "title": "行政复议、行政诉讼结果 / Administrative review and litigation results",
        "description": "表四各项结果之和，按省份和年度（省份可留空）。 Table 四 summed by province and year "
                       "(province optional).",
        "sql": """select reports.province, reports.year, count(distinct reports.id) as reports,
       cast(total(case when column_key = 'review.upheld' then value end) as integer) as review_upheld,
       cast(total(case when column_key = 'review.corrected' then value end) as integer) as review_corrected,
       cast(total(case when column_key = 'review.other' then value end) as integer) as review_other,
       cast(total(case when column_key = 'review.pending' then value end) as integer) as review_pending,
       cast(total(case when column_key = 'review.total' then value end) as integer) as review_total,
       cast(total(case when column_key = 'litigation_direct.total' then value end) as integer) as litigation_direct_total,
       cast(total(case when column_key = 'litigation_direct.corrected' then value end) as integer) as litigation_direct_corrected,
       cast(total(case when column_key = 'litigation_after_review.total' then value end) as integer) as litigation_after_review_total,
       cast(total(case when column_key = 'litigation_after_review.corrected' then value end) as integer) as litigation_after_review_corrected
from stats join reports on reports.id = stats.report_id
where stats.table_no = 4 and (:province = '' or reports.province = :province)
group by reports.province, reports.year
order by reports.province, reports.year""",
    }),
    ("tables_not_adding_up", {"checks": ["ok"]}, {
        "title": "数字不相符的报告 / Reports whose own tables do not add up",
        "description": "勾稽关系不成立的报告及不成立的项（年度可留空）。 Reports with failed checks, and which (year optional).",
        "sql": """select reports.id, reports.year, reports.issuer, reports.title,
       count(*) as failed_checks, group_concat(checks.[check], ', ') as checks
from checks join reports on reports.id = checks.report_id
where not checks.ok and (:year = '' or reports.year = cast(:year as integer))
group by reports.id
order by failed_checks desc, reports.year desc""",
    }),
    ("newest_reports", {"reports": ["fetched_at"]}, {
        "title": "最新收录的报告 / Newest reports",
        "description": "最近抓取或发布的报告。 Reports most recently archived, newest first.",
        "sql": """select id, fetched_at, published, year, issuer, title
from reports order by fetched_at desc, published desc limit 100""",
    }),
    ("revision_changes", {"revisions": ["report_id", "body"]}, {
        "title": "报告各版本的变化 / What changed between a report's revisions",
        "description": "某报告的各个版本（旧版本在revisions表，最新版在reports表）：标题、长度、内容哈希的变化。 "
                       "Each version of :report_id in order: title, length and hash, and what differs from the one before.",
        "sql": """with versions as (
  select fetched_at, 'revision ' || id as version, title, length(body) as chars, content_sha256
  from revisions where report_id = cast(:report_id as integer)
  union all
  select fetched_at, 'current', title, length(body), content_sha256
  from reports where id = cast(:report_id as integer)
)
select fetched_at, version, title, chars,
       chars - lag(chars) over (order by fetched_at) as chars_changed,
       case when lag(title) over (order by fetched_at) is null then ''
            when lag(title) over (order by fetched_at) = title then 'same'
            else 'was: ' || lag(title) over (order by fetched_at) end as title_change,
       content_sha256
from versions order by fetched_at""",
    }),
]

def numbers_sql(has_province: bool) -> str:
    """The chart's series, long (year, measure, count), from the panel: the chosen level's reports
    (a county's government by default), each counted once as the indicator_series view counts them,
    summed over the province (or the whole archive), or one issuer's own reports when :issuer is
    chosen. Every year from the first to the last with a number is a row, a year without one a NULL
    count, so the line breaks there instead of joining across the gap. Written on the tables, not on
    the view: summed by year only, it answers in ~2 s for 40,000 reports without a province (docs/panel.md)."""
    measures = ", ".join(f"({_sql_text(key)}, {_sql_text(measure_label(key))}, {n})"
                         for n, key in enumerate(CHART_MEASURES))
    keys = ", ".join(_sql_text(key) for key in CHART_MEASURES)
    in_province = " [[ and reports.province = :province ]]" if has_province else ""
    return f"""with recursive measures(indicator, measure, n) as (values {measures}),
numbers(year, indicator, value) as (
  select reports.year, indicators.indicator, sum(indicators.value)
  from reports cross join indicators on indicators.report_id = reports.id
  where :issuer = '' and reports.year is not null and reports.level = {CHOSEN_LEVEL}
    and indicators.indicator in ({keys}){in_province} and {COUNTED_ONCE}
  group by reports.year, indicators.indicator
  union all
  select reports.year, indicators.indicator, indicators.value
  from reports cross join indicators on indicators.report_id = reports.id
  where :issuer <> '' and reports.issuer = :issuer and reports.year is not null
    and indicators.indicator in ({keys}){in_province}
    and reports.id = (select min(r2.id) from reports r2 where r2.issuer = reports.issuer and r2.year = reports.year
                      and exists (select 1 from indicators i2 where i2.report_id = r2.id
                                  and i2.indicator = indicators.indicator))
),
years(year) as (
  select min(year) from numbers union all select year + 1 from years where year < (select max(year) from numbers)
)
select years.year, measures.measure, numbers.value as count
from years cross join measures
left join numbers on numbers.year = years.year and numbers.indicator = measures.indicator
where years.year is not null
order by measures.n, years.year"""


# Years on a continuous axis: a missing year is a visible gap, not a neighbour.
YEAR_AXIS = {"title": "年度 year", "format": "d", "tickMinStep": 1}


def dashboards(database_name: str, report_columns: set[str]) -> dict:
    """datasette-dashboards: a unit's or a province's numbers over the years."""
    has_province = "province" in report_columns
    filters = {"issuer": {"name": "发布机关 Issuer", "type": "select", "db": database_name,
                          "query": "select distinct issuer from reports where issuer is not null"
                                   + (" [[ and province = :province ]]" if has_province else "")
                                   + " order by issuer"},
               "level": {"name": "机关层级 Level (默认 default: government 人民政府)", "type": "select",
                         "db": database_name,
                         "query": "select distinct level from indicators where level is not null "
                                  "order by level <> 'government', level"}}
    if has_province:
        filters = {"province": {"name": "省份 Province", "type": "select", "db": database_name,
                                "query": "select distinct province from reports where province is not null "
                                         "order by province"}, **filters}
    # vega-embed draws SVG (readable by a screen reader and by the browser test), not a canvas
    svg = {"embedOptions": {"renderer": "svg"}}
    charts = {
        "reports": {"title": "报告数 / Reports archived", "db": database_name, "library": "metric",
                    "query": "select count(*) as n from reports where 1"
                             + (" [[ and province = :province ]]" if has_province else "")
                             + " [[ and issuer = :issuer ]]",
                    "display": {"field": "n", "suffix": " 份"}},
        "reports_per_year": {
            "title": "每年报告数 / Reports per year", "db": database_name, "library": "vega-lite",
            "query": "select year, count(*) as reports from reports where year is not null"
                     + (" [[ and province = :province ]]" if has_province else "")
                     + " [[ and issuer = :issuer ]] group by year order by year",
            "display": {"usermeta": svg,
                        # a bar spans its year on the continuous axis
                        "transform": [{"calculate": "datum.year - 0.4", "as": "from"},
                                      {"calculate": "datum.year + 0.4", "as": "to"}],
                        "mark": {"type": "bar", "tooltip": {"content": "data"}},
                        "encoding": {"x": {"field": "from", "type": "quantitative", "axis": YEAR_AXIS,
                                           "scale": {"zero": False}, "title": "年度 year"},
                                     "x2": {"field": "to"},
                                     "y": {"field": "reports", "type": "quantitative", "title": "报告 reports"},
                                     "y2": {"datum": 0}}}},
        "applications": {
            "title": "依申请公开：新收申请与办理结果（默认县政府本级） / Applications received and outcomes "
                     "(a government's own by default)",
            "db": database_name, "library": "vega-lite", "query": numbers_sql(has_province),
            "display": {
                "usermeta": svg,
                # a NULL count breaks the line: the gap shows
                "mark": {"type": "line", "point": True, "tooltip": True, "invalid": "break-paths-show-domains"},
                "encoding": {"x": {"field": "year", "type": "quantitative", "axis": YEAR_AXIS,
                                   "scale": {"zero": False, "padding": 16}, "title": "年度 year"},
                             "y": {"field": "count", "type": "quantitative", "title": "件 applications"},
                             "color": {"field": "measure", "type": "nominal", "title": "指标 indicator",
                                       "sort": [measure_label(key) for key in CHART_MEASURES],
                                       "legend": {"orient": "bottom", "columns": 2, "labelLimit": 400}}}}},
    }
    return {"nianbao": {
        "title": "年报数字 / Numbers over the years",
        "description": "选择省份、发布机关或机关层级，查看逐年变化（数字取自指标面板：统计表，无表时取正文所述）。 "
                       "Choose a province, an issuer or a level to see its numbers year by year (from the panel: "
                       "the statistics tables, else what the text says).",
        "layout": [["reports", "reports_per_year"], ["applications", "applications"]],
        "filters": filters,
        "charts": charts,
    }}


def database_description_html(database_name: str) -> str:
    """The archive's description: what it is, how search works, and how to search from SQL, with an
    example a person can run (a link to it on the database page)."""
    run = f"/{database_name}?" + urlencode({"sql": SQL_SEARCH_EXAMPLE})
    return (f"<p>{escape('政府信息公开工作年度报告 archive. ' + SEARCH_HELP)}</p>"
            f'<p class="nianbao-sql-search">{escape(SQL_SEARCH_HELP)}</p>'
            f'<pre class="nianbao-sql-example">{escape(SQL_SEARCH_EXAMPLE)}</pre>'
            f'<p><a href="{escape(run)}">运行这个例子 / run this example</a></p>')


def archive_metadata(database_name: str, columns: dict[str, list[str]] | None = None) -> dict:
    """Metadata for the archive DATABASE_NAME whose tables and views have COLUMNS ({name: [column, …]})."""
    columns = columns or {}

    def has(needs: dict[str, list[str]]) -> bool:
        return all(t in columns and set(cols) <= set(columns[t]) for t, cols in needs.items())

    tables = {}
    for name, cols in columns.items():
        if name.startswith(FTS_TABLE):
            tables[name] = {"hidden": True}
            continue
        own = COLUMN_DESCRIPTIONS.get(name, {})
        # a view's columns are mostly its tables' columns: described as there
        described = {c: own.get(c) or COMMON_COLUMNS.get(c) or ANY_TABLE_COLUMNS.get(c) for c in cols}
        described = {c: d for c, d in described.items() if d}
        table = {"description": TABLE_DESCRIPTIONS.get(name, ""), "columns": described}
        for key, value in TABLE_OPTIONS.get(name, {}).items():
            if key == "facets":
                value = [c for c in value if c in cols]
            elif key in ("sort_desc", "sort", "label_column") and value not in cols:
                continue
            table[key] = value
        if name == "reports":
            table["description_html"] = (
                f"<p>{escape(table.pop('description'))}</p><p>{escape(SEARCH_HELP_SHORT)} "
                '<a href="/-/nianbao/search">按相关度排序并显示摘要的搜索 / ranked search with snippets</a></p>')
        tables[name] = table
    return {
        "title": "nianbao 年报 — 政府信息公开工作年度报告 archive",
        "description": "各级政府及部门的政府信息公开工作年度报告：全文、章节、统计表与勾稽核对。 "
                       "Chinese governments' yearly information-disclosure reports, crawled from their portals "
                       "and parsed by nianbao: full text, sections, statistics tables and their checks.",
        "source": "Government portals (政府门户网站), crawled by nianbao",
        "source_url": "https://github.com/nianbao/nianbao",
        "license": "Reports: public government information; archive code Apache-2.0",
        "license_url": "https://www.apache.org/licenses/LICENSE-2.0",
        "databases": {
            database_name: {
                "description_html": database_description_html(database_name),
                "tables": tables,
                "queries": {name: query for name, needs, query in CANNED_QUERIES if has(needs)},
            }
        },
        "plugins": {"datasette-dashboards": dashboards(database_name, set(columns.get("reports", [])))},
    }
