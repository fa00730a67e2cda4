"""The contact block of a report: 地址, 邮编, 电话, 传真, 电子邮箱.

Reports put it in the opening paragraph: "（地址：…；邮编：…；电话：…；传真：…；
电子邮箱：…）". Labels vary (联系地址, 邮政编码, 联系电话, 电子信箱, 电子邮件,
traditional 郵編/電話/傳真), colons are full-width, ASCII or absent, phones
use -, --, — or no separator. Only numbers that follow a phone/fax label count,
so "12345热线受理…件" in the narrative is never a contact phone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .chinese import fold

SEP = r"\s*(?:[:：]\s*)?"
ADDRESS_LABEL = r"(?<!网站)(?<!网页)(?<!网)(?<!邮箱)(?<!邮件)(?:通讯地址|通信地址|联系地址|办公地址|单位地址|地址|地点)"
POSTCODE_LABEL = r"(?:邮政编码|邮编)"
PHONE_LABEL = r"(?:联系电话|咨询电话|办公电话|服务电话|电话号码|联系方式|电话)"
FAX_LABEL = r"(?:传真号码|传真电话|传真)"
EMAIL_LABEL = r"(?:电子邮箱|电子信箱|电子邮件|邮箱地址|邮箱|E-?mail|e-?mail|EMAIL)"
ANY_LABEL = "|".join([ADDRESS_LABEL, POSTCODE_LABEL, PHONE_LABEL, FAX_LABEL, EMAIL_LABEL])

# One phone number: optional area code (0 + 2–3 digits, maybe in brackets), a
# separator of -, --, —, – or nothing, then 7–8 digits; or a mobile number.
PHONE = r"(?:[(（]?0\d{2,3}[)）]?\s*(?:[-－—–]{1,2}|\s)?\s*\d{7,8}(?:\s*[-－]\s*\d{1,4}(?!\d))?|1[3-9]\d{9}|\d{7,8})"
PHONE_LIST = rf"{PHONE}(?:\s*(?:[、,，/／]|或|和|及)\s*{PHONE})*"

# An address runs to the next separator; a bracketed part inside it, balanced,
# stays ("良園路六十號(hào)", "人民路1号(县政府大楼)"); an unbalanced ")" closes
# the contact block.
ADDRESS_CHARS = r"(?:[^，,；;。（()）\n\t]|[（(][^，,；;。（()）\n\t]{1,20}[)）])"
ADDRESS_RE = re.compile(ADDRESS_LABEL + SEP + rf"({ADDRESS_CHARS}{{4,80}}?)(?=[，,；;。）)\n\t]|\s*(?:" + ANY_LABEL + r")|$)")
POSTCODE_RE = re.compile(POSTCODE_LABEL + SEP + r"(\d{6})(?!\d)")
PHONE_RE = re.compile(r"(?<!传真)(?<!监督)(?<!投诉)" + PHONE_LABEL + r"(?:\s*[/、及和]\s*" + FAX_LABEL + r")?" + SEP + rf"({PHONE_LIST})")
PHONE_FAX_RE = re.compile(PHONE_LABEL + r"\s*[/、及和]\s*" + FAX_LABEL + SEP + rf"({PHONE_LIST})")
FAX_RE = re.compile(FAX_LABEL + SEP + rf"({PHONE_LIST})")
EMAIL_RE = re.compile(EMAIL_LABEL + SEP + r"([A-Za-z0-9._%+\-]+\s*(?:@|＠)\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
# How far a contact block reaches from its first label.
WINDOW_BEFORE, WINDOW_AFTER = 20, 400


@dataclass
class Contact:
    address: str | None = None
    postcode: str | None = None
    phones: list[str] = field(default_factory=list)
    fax: list[str] = field(default_factory=list)
    email: str | None = None

    def to_dict(self) -> dict:
        return {"address": self.address, "postcode": self.postcode, "phones": list(self.phones),
                "fax": list(self.fax), "email": self.email}


def normalise_phone(raw: str) -> str:
    """"0876—6130637" → "0876-6130637"; "(0578)6508316" → "0578-6508316"; "24832398" stays."""
    raw = raw.strip()
    m = re.match(r"^[(（]?(0\d{2,3})[)）]?\s*(?:[-－—–]{1,2}|\s)?\s*(\d{7,8})(?:\s*[-－]\s*(\d{1,4}))?$", raw)
    if m:
        area, number, ext = m.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    return re.sub(r"\D", "", raw)


def _phones(listing: str) -> list[str]:
    return [normalise_phone(p) for p in re.findall(PHONE, listing)]


def _contact_window(folded: str) -> tuple[int, int] | None:
    """The stretch of text around the first strong contact label (邮编, 电话, 邮箱)."""
    anchors = [m.start() for m in (POSTCODE_RE.search(folded), PHONE_RE.search(folded), EMAIL_RE.search(folded)) if m]
    if not anchors:
        return None
    start = min(anchors)
    # Reach back to an address label just before the first anchor.
    addr = None
    for m in ADDRESS_RE.finditer(folded, max(0, start - 120), start + 1):
        addr = m
    if addr is not None:
        start = addr.start()
    return max(0, start - WINDOW_BEFORE), start + WINDOW_AFTER


def extract_contact(text: str) -> Contact:
    folded = fold(text)
    span = _contact_window(folded)
    contact = Contact()
    if span is None:
        return contact
    window = folded[span[0]:span[1]]
    original = text[span[0]:span[1]]  # fold() keeps lengths: same offsets
    if m := ADDRESS_RE.search(window):
        contact.address = original[m.start(1):m.end(1)].strip(" 　:：") or None
    if m := POSTCODE_RE.search(window):
        contact.postcode = m.group(1)
    for m in PHONE_RE.finditer(window):
        for p in _phones(m.group(1)):
            if p not in contact.phones:
                contact.phones.append(p)
    for m in PHONE_FAX_RE.finditer(window):
        for p in _phones(m.group(1)):
            if p not in contact.fax:
                contact.fax.append(p)
    for m in FAX_RE.finditer(window):
        for p in _phones(m.group(1)):
            if p not in contact.fax:
                contact.fax.append(p)
    if m := EMAIL_RE.search(window):
        contact.email = re.sub(r"\s+", "", m.group(1)).replace("＠", "@").rstrip(".")
    return contact
