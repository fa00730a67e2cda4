"""parse_report: a pure function from a page's bytes and URL to a Report."""
from __future__ import annotations

from dataclasses import dataclass, field

from .checks import Check, compute_checks
from .classify import detect_template, is_annual_report_title
from .figures import Figure, extract_figures
from .gkmlpt import detail_page, gkmlpt_detail
from .contact import Contact, extract_contact
from .encoding import decode_html
from .html_text import clean_lines, drop_noise, element_lines, find_content, page_text, parse_tree, unmark
from .meta import (
    agreed_title, full_title_line, is_good_title, issuer_from_title, page_titles, pick_title, published_date, title_candidates,
    title_element_candidates, year_from_title,
)
from .sections import Section, split_sections
from .selectors import SITE_ID_RE
from .signals import attachment_urls, image_urls, link_share, page_signal, text_says_report
from .grid import innermost_tables, read_tables, table_grid
from .tables import Stat, extract_stats, template_from_stats

# Which statistics table follows a section of each kind (new templates).
TABLE_OF_KIND = {"proactive": 2, "requests": 3, "review_litigation": 4}
# Signals of a report whose content is elsewhere, and of a page that is no report.
SIGNALS_OF_A_REPORT = ("attachment_only", "image_only")
SIGNALS_OF_NO_PAGE = ("soft_404", "maintenance")


@dataclass
class Report:
    url: str | None
    title: str | None
    year: int | None
    issuer: str | None
    published: str | None
    template: str | None
    sections: list[Section]
    contact: Contact
    body: str
    preamble: str = ""
    stats: list[Stat] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    tables_missing: list[int] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    encoding: str | None = None
    is_report: bool = False
    warnings: list[str] = field(default_factory=list)
    # Absolute URLs of the document files (.pdf/.doc/.docx/.wps …) and images in the content.
    attachments: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    # A report title over images only (图片版): the text is in the pictures.
    image_only: bool = False
    # What the page is besides a report's text (signals.page_signal): "soft_404",
    # "maintenance", "attachment_only", "image_only", or None.
    signal: str | None = None
    # The page's 政府网站标识码 (selectors.SITE_ID_RE): which division's portal served it.
    site_id: str | None = None

    def to_dict(self) -> dict:
        return {
            "url": self.url,
            "title": self.title,
            "year": self.year,
            "issuer": self.issuer,
            "published": self.published,
            "template": self.template,
            "is_report": self.is_report,
            "sections": [s.to_dict() for s in self.sections],
            "contact": self.contact.to_dict(),
            "tables_missing": list(self.tables_missing),
            "stats": [s.to_dict() for s in self.stats],
            "checks": [c.to_dict() for c in self.checks],
            "figures": [f.to_dict() for f in self.figures],
            "preamble": self.preamble,
            "body": self.body,
            "encoding": self.encoding,
            "warnings": list(self.warnings),
            "attachments": list(self.attachments),
            "images": list(self.images),
            "image_only": self.image_only,
            "signal": self.signal,
            "site_id": self.site_id,
        }


def parse_report(body: bytes | str, url: str | None = None, content_type: str | None = None) -> Report:
    """Parse a saved or fetched report page.

    ``body`` is the page's raw bytes (the encoding is detected: BOM, header,
    meta charset, else UTF-8/GB18030) or already-decoded text.
    """
    text, encoding = decode_html(body, content_type)
    site_id = SITE_ID_RE.search(text)
    detail = gkmlpt_detail(text)
    if detail is not None:
        # A gkmlpt page renders its document from JSON with JavaScript.
        text = detail_page(detail)
    root = parse_tree(text)
    drop_noise(root)
    container = find_content(root)
    # Read the tree before element_lines() marks its text.
    share_of_links = link_share(container)
    attachments = attachment_urls(container, url)
    images = image_urls(container, url)
    tables = read_tables(container)
    stats = extract_stats(tables) or extract_stats(page_tables(root, tables))
    published = published_date(root, page_text(root))
    lines = clean_lines(element_lines(container, tables))
    titles = page_titles(root)
    title = agreed_title(root, titles)
    if title is None:
        candidates = title_candidates(root, lines, titles)
        title = pick_title(candidates)
        if not is_good_title(title):
            title = pick_title(candidates + title_element_candidates(root))
    year = year_from_title(title)
    preamble, sections = split_sections(lines)
    lines = [unmark(line) for line in lines]
    preamble = unmark(preamble)
    for section in sections:
        section.text = unmark(section.text)
    body_text = "\n".join(lines)
    template = template_from_stats(stats) or detect_template(body_text, [s.heading for s in sections], year)
    title_says_report = is_annual_report_title(full_title_line(root, lines, title, titles))
    text_says = text_says_report(body_text, [s.kind for s in sections], share_of_links)
    warnings = []
    if not lines:
        warnings.append("no text found in the page")
    if not sections:
        warnings.append("no top-level section headings found")
    report = Report(
        url=url,
        title=title,
        year=year,
        issuer=issuer_from_title(title),
        published=published,
        template=template,
        sections=sections,
        contact=extract_contact(body_text),
        body=body_text,
        preamble=preamble,
        stats=stats,
        checks=compute_checks(stats),
        tables_missing=tables_missing(sections, stats, template),
        figures=extract_figures(body_text),
        encoding=encoding,
        warnings=warnings,
        attachments=attachments,
        images=images,
        image_only=title_says_report and bool(images) and not text_says and not attachments,
        site_id=site_id.group(1) if site_id else None,
    )
    report.signal = page_signal(report)
    # A report only when its title AND its text say so: a list page or a homepage
    # whose <title> reads like a report's is not one; a report published as
    # pictures or as an attached file is, with the signal saying which.
    report.is_report = title_says_report and (
        text_says or report.signal in SIGNALS_OF_A_REPORT) and report.signal not in SIGNALS_OF_NO_PAGE
    return report


def page_tables(root, container_tables: list) -> list:
    """read_tables(root), reusing the grids already read from the container's tables."""
    known = dict(container_tables)  # lxml hands out the same element object while one is held
    return [(table, known[table] if table in known else table_grid(table)) for table in innermost_tables(root)]


def tables_missing(sections: list[Section], stats: list[Stat], template: str | None) -> list[int]:
    """Tables (2, 3, 4) whose section heading is on the page but whose cells are not:
    images, attachments, or dropped by the portal."""
    if template == "legacy":
        return []
    found = {s.table for s in stats}
    wanted = [TABLE_OF_KIND[s.kind] for s in sections if s.kind in TABLE_OF_KIND]
    return sorted({t for t in wanted if t not in found})
