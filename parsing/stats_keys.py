"""Stable keys for the statistics tables' rows and columns (see tests/corpus/README.md).

Labels are matched after cell_label(): no whitespace, simplified characters,
ASCII brackets. Patterns are tried in order; the first that matches wins.
"""
import re

# Table 二: (pattern on the item label, row key, section label as the template writes it).
TABLE2_ROWS = (
    (re.compile(r"^规章"), "art20_1.regulations", "第二十条第(一)项"),
    (re.compile(r"规范性文件"), "art20_1.normative_documents", "第二十条第(一)项"),
    (re.compile(r"^行政许可"), "art20_5.licensing", "第二十条第(五)项"),
    (re.compile(r"其他对外管理服务"), "art20_5.other_services", "第二十条第(五)项"),
    (re.compile(r"^行政处罚"), "art20_6.penalty", "第二十条第(六)项"),
    (re.compile(r"^行政强制"), "art20_6.enforcement", "第二十条第(六)项"),
    (re.compile(r"行政事业性收费"), "art20_8.fees", "第二十条第(八)项"),
    (re.compile(r"政府集中采购"), "art20_9.procurement", "第二十条第(九)项"),
)
# Table 二 columns: (pattern, key, unit implied by the label).
TABLE2_COLUMNS = (
    (re.compile(r"本年新制作"), "made_this_year", None),
    (re.compile(r"本年新公开"), "published_this_year", None),
    (re.compile(r"对外公开总"), "total_published", None),
    (re.compile(r"上一年项目"), "previous_year_count", None),
    (re.compile(r"本年增"), "change_this_year", None),
    (re.compile(r"处理决定"), "decisions", None),
    (re.compile(r"本年制发"), "issued_this_year", None),
    (re.compile(r"本年废止"), "repealed_this_year", None),
    (re.compile(r"现行有效"), "in_force", None),
    (re.compile(r"收费金额.*万元"), "fee_amount", "万元"),
    (re.compile(r"收费金额"), "fee_amount", None),
    (re.compile(r"采购项目"), "procurement_items", None),
    (re.compile(r"采购总金额.*万元"), "procurement_amount", "万元"),
    (re.compile(r"采购总金额"), "procurement_amount", None),
)
COLUMN_KEYS_2019 = {"made_this_year", "published_this_year", "total_published", "previous_year_count",
                    "change_this_year", "procurement_items", "procurement_amount"}
COLUMN_KEYS_2021 = {"issued_this_year", "repealed_this_year", "in_force", "fee_amount"}

TABLE3_COLUMNS = (
    ("natural_person", "自然人"),
    ("org.commercial", "法人或其他组织/商业企业"),
    ("org.research", "法人或其他组织/科研机构"),
    ("org.public_interest", "法人或其他组织/社会公益组织"),
    ("org.legal_services", "法人或其他组织/法律服务机构"),
    ("org.other", "法人或其他组织/其他"),
    ("total", "总计"),
)
# Table 三 rows: (pattern on the row's joined label path, key). Specific first.
TABLE3_ROWS = (
    (re.compile(r"本年新收"), "new_requests"),
    (re.compile(r"上年结转"), "carried_over"),
    (re.compile(r"结转下年"), "carried_forward"),
    (re.compile(r"总计"), "result.total"),
    (re.compile(r"部分公开"), "result.partially_disclosed"),
    (re.compile(r"国家秘密"), "result.withheld.state_secret"),
    (re.compile(r"法律行政法规禁止"), "result.withheld.prohibited_by_law"),
    (re.compile(r"三安全一稳定"), "result.withheld.security_stability"),
    (re.compile(r"第三方"), "result.withheld.third_party"),
    (re.compile(r"内部事务"), "result.withheld.internal_affairs"),
    (re.compile(r"过程性"), "result.withheld.process_info"),
    (re.compile(r"行政执法案卷"), "result.withheld.enforcement_files"),
    (re.compile(r"行政查询"), "result.withheld.query_items"),
    (re.compile(r"不掌握"), "result.unavailable.not_held"),
    (re.compile(r"另行制作"), "result.unavailable.needs_creation"),
    (re.compile(r"补正后"), "result.unavailable.unclear"),
    (re.compile(r"信访|举报|投诉"), "result.not_processed.petition"),
    (re.compile(r"无正当理由大量反复"), "result.not_processed.excessive"),
    (re.compile(r"重复申请"), "result.not_processed.repeated"),
    (re.compile(r"公开出版物"), "result.not_processed.publications"),
    (re.compile(r"确认或重新出具"), "result.not_processed.confirmation"),
    (re.compile(r"其他处理.*(?:逾期不补正|不补正)"), "result.other.no_correction"),
    (re.compile(r"其他处理.*(?:缴纳费用|缴费|收费)"), "result.other.fee_unpaid"),
    (re.compile(r"其他处理/.*其他"), "result.other.other"),
    (re.compile(r"其他处理"), "result.other"),
    (re.compile(r"予以公开"), "result.disclosed"),
)

TABLE4_GROUPS = (("review", "行政复议"), ("litigation_direct", "行政诉讼/未经复议直接起诉"),
                 ("litigation_after_review", "行政诉讼/复议后起诉"))
TABLE4_OUTCOMES = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                   ("pending", "尚未审结"), ("total", "总计"))
