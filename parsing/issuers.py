"""What kind of body issued a report, and where it is, from the issuer's name.

Best effort from the name alone: no gazetteer is bundled (cpca would bring
pandas and jieba), so a county-level city without its prefecture ("开平市") is
read as a city, and a name with no place in it gives None.
"""
from __future__ import annotations

import re

from .chinese import PINYIN_NOTE_RE, fold

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
)
PROVINCE_RE = re.compile("^(?:" + "|".join(PROVINCES) + ")")
# Prefecture level: 市, 自治州, 州, 盟, 地区 ("福州市" is a 市, not "福州"). The name
# holds no other unit's suffix (州 only inside 福州市, 通州区 …), so a county's "…县"
# never reads as part of a city.
CITY_RE = re.compile(r"^(?:[^\s省市州盟县区旗]|州(?=市)){1,10}?(?:自治州|地区|市|州(?!市)|盟)")
# County level: 县, 自治县, 区, 旗, 自治旗, 市 (a county-level city under a prefecture).
COUNTY_RE = re.compile(r"^(?:[^\s省市州盟县区旗]|州(?=[市区县])){1,10}?(?:自治县|自治旗|县|旗|区|市)")
# A 区 that is a zone, not a district (开发区, 高新区, 园区 …).
NOT_A_COUNTY_RE = re.compile(r"(?:开发|高新|园|经济|试验|示范|管理|保税|自贸|风景|景)区$")

ZONE_RE = re.compile(r"开发区|高新区|高新技术产业|新区|园区|产业园|试验区|示范区|保税区|经济区|管委会|管理委员会")
TOWNSHIP_RE = re.compile(r"(?:乡|镇|苏木|街道|街道办事处|办事处)(?:人民政府)?$")
GOVERNMENT_OFFICE_RE = re.compile(r"(?:人民政府|政府)(?:办公室|办公厅|办)$")
GOVERNMENT_RE = re.compile(r"人民政府$")
MANAGEMENT_COMMITTEE_RE = re.compile(r"管委会|管理委员会")
DEPARTMENT_RE = re.compile(r"(?:局|委员会|委|办公室|办|厅|中心|处|所|站|院|队|会|署|部|馆|社|司)$")


def _normal(issuer: str | None) -> str:
    return PINYIN_NOTE_RE.sub("", fold(issuer or "")).strip()


def issuer_level(issuer: str | None) -> str | None:
    """"government" (…人民政府), "government_office" (…人民政府办公室/办公厅),
    "department" (…局, 委员会, a department's 办公室, 中心 …), "township" (乡, 镇,
    街道, 办事处, 苏木), "development_zone" (开发区, 高新区, 新区, 园区, 管委会), else None."""
    name = _normal(issuer)
    if not name:
        return None
    if ZONE_RE.search(name) and (MANAGEMENT_COMMITTEE_RE.search(name) or not GOVERNMENT_RE.search(name)):
        # 浦东新区人民政府 is a district's government; 某新区管委会 is a zone's.
        return "development_zone"
    if TOWNSHIP_RE.search(name):
        return "township"
    if GOVERNMENT_OFFICE_RE.search(name):
        return "government_office"
    if GOVERNMENT_RE.search(name):
        return "government"
    if DEPARTMENT_RE.search(name):
        return "department"
    return None


def place_from_issuer(issuer: str | None) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) named at the start of the issuer, None where the
    name does not say: "青田县人民政府" → (None, None, "青田县"); "广东省开平市农业农村局"
    → ("广东省", "开平市", None); "福州市晋安区人民政府" → (None, "福州市", "晋安区")."""
    name = _normal(issuer)
    province = city = county = None
    m = PROVINCE_RE.match(name)
    if m:
        province, name = m.group(), name[m.end():]
        if province in ("北京市", "天津市", "上海市", "重庆市"):
            city = province  # a municipality is its own prefecture
    m = COUNTY_RE.match(name)
    if m and m.group().endswith(("县", "旗")):
        return province, city, m.group()  # a county directly: "青田县人民政府"
    if city is None:
        m = CITY_RE.match(name)
        if m:
            city, name = m.group(), name[m.end():]
    m = COUNTY_RE.match(name)
    if city is not None and m and not NOT_A_COUNTY_RE.search(m.group()):
        county = m.group()
    return province, city, county
