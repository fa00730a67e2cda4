"""Labelled whole-response fixtures (tests/corpus/*.json) as the archive's raw records.

The format is read by ``parsing.evaluate.read_fixture`` (one definition, used by
``nianbao eval`` too); this module turns a fixture into the ``RawResponse`` that
``archive.ingest.ingest`` takes, so parser tests, the benchmark and store tests
feed on the same responses.
"""
from __future__ import annotations

from pathlib import Path

from archive.raw import RawResponse
from parsing.evaluate import fixture_paths, read_fixture

CORPUS = Path(__file__).parent / "corpus"


def load_fixture(path: str | Path) -> tuple[RawResponse, dict]:
    """(the response as served, the labels) for one fixture file."""
    fixture = read_fixture(path)
    raw = RawResponse(url=fixture.url, status=fixture.status, headers=list(fixture.headers), body=fixture.body,
                      final_url=fixture.final_url, route="report")
    return raw, fixture.expected


def corpus_fixtures(corpus_dir: str | Path = CORPUS) -> list[Path]:
    """Every labelled fixture file of the corpus, in name order."""
    return fixture_paths(corpus_dir)
