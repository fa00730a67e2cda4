"""Labelled corpus of saved report pages → expectations for ``parsing.parse_report``.

Every ``tests/files/reports/<name>.html`` has a hand-written
``tests/files/reports/<name>.expected.json`` (labelled by reading the page text,
never by running the parser; see ``tests/files/README.md``). One test function
per field, each parametrized over all pages, so a failure names field and page.

Until ``parsing.parse_report`` exists every parser test fails with ImportError;
``test_expected_files_are_complete`` needs no parser.
"""
from __future__ import annotations

import functools
import json
import pathlib
import re

import pytest

REPORTS = pathlib.Path(__file__).parent / "files" / "reports"
SUFFIX = ".expected.json"
EXPECTED_FILES = sorted(REPORTS.glob("*" + SUFFIX))
NAMES = [p.name[: -len(SUFFIX)] for p in EXPECTED_FILES]

TOP_KEYS = {"url", "encoding_note", "expected", "body_contains", "body_excludes"}
EXPECTED_KEYS = {"title", "year", "issuer", "published", "sections", "contact"}
CONTACT_KEYS = {"address", "postcode", "phones", "fax", "email"}


def _load(name: str) -> dict:
    return json.loads((REPORTS / f"{name}{SUFFIX}").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def _parsed(name: str) -> dict:
    from parsing import parse_report  # ImportError until the parser exists

    spec = _load(name)
    body = (REPORTS / f"{name}.html").read_bytes()
    return parse_report(body, spec["url"]).to_dict()


def _case(name: str) -> tuple[dict, dict]:
    return _load(name)["expected"], _parsed(name)


# --------------------------------------------------------------------- sanity
def test_corpus_is_present():
    assert len(NAMES) >= 21, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_expected_files_are_complete(name):
    spec = _load(name)
    assert TOP_KEYS <= set(spec), TOP_KEYS - set(spec)
    exp = spec["expected"]
    assert EXPECTED_KEYS <= set(exp), EXPECTED_KEYS - set(exp)
    assert set(exp["contact"]) == CONTACT_KEYS
    assert isinstance(exp["contact"]["phones"], list) and isinstance(exp["contact"]["fax"], list)
    assert isinstance(exp["year"], int)
    assert exp["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", exp["published"])
    for s in exp["sections"]:
        assert set(s) == {"number", "heading"} and isinstance(s["number"], int)
    assert [s["number"] for s in exp["sections"]] == list(range(1, len(exp["sections"]) + 1))
    assert spec["body_contains"] and spec["body_excludes"]
    assert (REPORTS / f"{name}.html").is_file()


# --------------------------------------------------------------------- fields
@pytest.mark.parametrize("name", NAMES)
def test_title(name):
    exp, got = _case(name)
    assert got["title"] == exp["title"]


@pytest.mark.parametrize("name", NAMES)
def test_year(name):
    exp, got = _case(name)
    assert got["year"] == exp["year"]


@pytest.mark.parametrize("name", NAMES)
def test_issuer(name):
    exp, got = _case(name)
    assert got["issuer"] == exp["issuer"]


@pytest.mark.parametrize("name", NAMES)
def test_published(name):
    exp, got = _case(name)
    assert got["published"] == exp["published"]


@pytest.mark.parametrize("name", NAMES)
def test_sections(name):
    exp, got = _case(name)
    want = [(s["number"], s["heading"]) for s in exp["sections"]]
    have = [(s["number"], s["heading"]) for s in got["sections"]]
    assert have == want


@pytest.mark.parametrize("name", NAMES)
def test_contact(name):
    exp, got = _case(name)
    have = {k: got["contact"].get(k) for k in CONTACT_KEYS}
    assert have == exp["contact"]


@pytest.mark.parametrize("name", NAMES)
def test_body_contains(name):
    spec = _load(name)
    body = _parsed(name)["body"]
    missing = [s for s in spec["body_contains"] if s not in body]
    assert not missing, missing


@pytest.mark.parametrize("name", NAMES)
def test_body_excludes(name):
    spec = _load(name)
    body = _parsed(name)["body"]
    present = [s for s in spec["body_excludes"] if s in body]
    assert not present, present
