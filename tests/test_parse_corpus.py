"""The labelled corpus, page by page and field by field.

Every ``tests/corpus/<name>.json`` is one whole response as served (URL, status,
headers, the body in its own file) with hand-made labels (tests/corpus/README.md;
labelled by reading the page, never by running the parser). Each test is
parametrized over the pages that label its field, so a failure names field and
page; the comparison is the one ``nianbao eval`` scores with.
"""
from __future__ import annotations

import functools
import re

import pytest
from w3lib.encoding import http_content_type_encoding

import parsing.evaluate as evaluate_module
from parsing.evaluate import PAGE_FIELDS, evaluate, field_mismatch, parse_fixture, read_fixture, stats_cell_mismatches
from tests.fixtures import CORPUS, corpus_fixtures

PATHS = corpus_fixtures()
NAMES = [p.stem for p in PATHS]
# Fields every page must label (the others may be left out where a page cannot say, e.g. a truncated text's tables).
REQUIRED_FIELDS = {"title", "year", "issuer", "published", "sections", "contact"}
CONTACT_KEYS = {"address", "postcode", "phones", "fax", "email"}


@functools.lru_cache(maxsize=None)
def _fixture(name: str):
    return read_fixture(CORPUS / f"{name}.json")


@functools.lru_cache(maxsize=None)
def _parsed(name: str) -> dict:
    return parse_fixture(_fixture(name))


def _labelled(field: str) -> list[str]:
    return [name for name in NAMES if field in _fixture(name).expected]


# --------------------------------------------------------------------- the fixtures themselves
def test_corpus_is_present():
    assert len(NAMES) >= 46, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_fixture_is_a_whole_labelled_response(name):
    fixture = _fixture(name)  # read_fixture refuses unknown keys, bad headers and a missing body file
    assert fixture.status == 200
    assert re.match(r"https?://", fixture.url)
    assert [key for key, _ in fixture.headers if key.lower() == "content-type"] == ["Content-Type"]
    assert fixture.content_type.startswith("text/html")
    assert fixture.body
    exp = fixture.expected
    assert REQUIRED_FIELDS <= set(exp), REQUIRED_FIELDS - set(exp)
    assert set(exp["contact"]) == CONTACT_KEYS
    assert isinstance(exp["contact"]["phones"], list) and isinstance(exp["contact"]["fax"], list)
    assert isinstance(exp["year"], int)
    assert exp["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", exp["published"])
    numbers = [s["number"] for s in exp["sections"]]  # consecutive; a page 2 of a repost starts at 三 (real_025)
    if numbers:
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert all(isinstance(s["heading"], str) for s in exp["sections"])
    for key in ("body_contains", "body_excludes"):
        assert key not in exp or (exp[key] and all(isinstance(s, str) and s for s in exp[key]))


def test_each_response_is_labelled_once():
    urls = [_fixture(name).url for name in NAMES]
    bodies = [_fixture(name).body_path for name in NAMES]
    assert len(set(urls)) == len(urls)
    assert len(set(bodies)) == len(bodies)


def test_the_corpus_serves_the_content_types_portals_send():
    # A charset in the header, none at all (the meta decides), and a header that lies (GBK bytes
    # served as UTF-8: the parser must not believe it).
    declared = {name: http_content_type_encoding(_fixture(name).content_type) for name in NAMES}
    assert any(enc == "gb18030" for enc in declared.values())
    assert any(enc is None for enc in declared.values())
    lying = []
    for name, enc in declared.items():
        try:
            if enc:
                _fixture(name).body.decode(enc)
        except UnicodeDecodeError:
            lying.append(name)
    assert lying


def test_eval_parses_each_page_with_its_content_type(monkeypatch):
    seen = {}
    parse = evaluate_module.parse_report

    def spy(body, url=None, content_type=None):
        seen[url] = content_type
        return parse(body, url, content_type)

    monkeypatch.setattr(evaluate_module, "parse_report", spy)
    evaluate(CORPUS)
    assert seen == {_fixture(name).url: _fixture(name).content_type for name in NAMES}


def test_a_fixture_with_an_unknown_label_is_refused(tmp_path):
    text = (CORPUS / f"{NAMES[0]}.json").read_text(encoding="utf-8").replace('"title"', '"titel"', 1)
    (tmp_path / "bad.json").write_text(text, encoding="utf-8")
    with pytest.raises(evaluate_module.FixtureError, match="titel"):
        read_fixture(tmp_path / "bad.json")


# --------------------------------------------------------------------- fields
@pytest.mark.parametrize("field", [f for f in PAGE_FIELDS if f != "stats"])
def test_field_is_labelled_somewhere(field):
    assert _labelled(field)


def _field_cases():
    return [pytest.param(field, name, id=f"{field}-{name}")
            for field in PAGE_FIELDS for name in _labelled(field)]


@pytest.mark.parametrize("field, name", _field_cases())
def test_field(field, name):
    want = _fixture(name).expected[field]
    got = _parsed(name)
    if field == "stats":
        _, failures = stats_cell_mismatches(want, got)
        assert not failures, failures[:10]
    assert field_mismatch(field, want, got) is None
