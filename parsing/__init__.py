"""Parsing: what a page says. Pure functions from bytes and a URL to dataclasses."""
from .classify import detect_template, is_annual_report_title
from .contact import Contact, extract_contact
from .encoding import decode_html
from .report import Report, parse_report
from .sections import Section, split_sections

__all__ = [
    "Contact", "Report", "Section", "decode_html", "detect_template", "extract_contact",
    "is_annual_report_title", "parse_report", "split_sections",
]
