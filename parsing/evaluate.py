"""Accuracy of the parser on a labelled corpus of whole responses (tests/corpus/README.md).

A fixture is one JSON file per response: ``response`` (url, status, headers as
served, and ``body_file``: the body's raw bytes kept in their own file, as the
archive keeps bodies apart from its ``responses`` ledger) and ``expected`` (the
hand-made labels). The page is parsed the way the archive parses it: its bytes,
its URL and its Content-Type header.

This module reads the format (``read_fixture``) without importing the archive,
so parsing stays a room of its own; tests/fixtures.py turns a fixture into the
archive's ``RawResponse``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .report import parse_report

# Labelled fields scored against Report.to_dict(), in the order they are printed.
PAGE_FIELDS = ("title", "year", "issuer", "published", "template", "sections", "contact",
               "tables_missing", "stats", "checks", "figures", "body_contains", "body_excludes")
RESPONSE_KEYS = {"url", "status", "headers", "body_file"}
OPTIONAL_RESPONSE_KEYS = {"final_url"}
FIXTURE_KEYS = {"response", "expected"}
OPTIONAL_FIXTURE_KEYS = {"source"}


class FixtureError(ValueError):
    """A fixture file that does not follow the format."""


@dataclass
class Fixture:
    """One labelled response: what a portal served and what the page says."""
    path: Path
    url: str
    status: int
    headers: list[tuple[str, str]]
    body_path: Path
    expected: dict
    final_url: str | None = None
    source: str | None = None

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def body(self) -> bytes:
        return self.body_path.read_bytes()

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), as RawResponse.header."""
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")


def _require(ok: bool, path: Path, what: str) -> None:
    if not ok:
        raise FixtureError(f"{path}: {what}")


def read_fixture(path: str | Path) -> Fixture:
    """Read and check one fixture file; ``body_file`` is relative to the fixture's folder."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    _require(isinstance(data, dict) and FIXTURE_KEYS <= set(data), path, f"needs the keys {sorted(FIXTURE_KEYS)}")
    unknown = set(data) - FIXTURE_KEYS - OPTIONAL_FIXTURE_KEYS
    _require(not unknown, path, f"unknown keys {sorted(unknown)}")
    response = data["response"]
    _require(isinstance(response, dict) and RESPONSE_KEYS <= set(response), path,
             f"response needs the keys {sorted(RESPONSE_KEYS)}")
    unknown = set(response) - RESPONSE_KEYS - OPTIONAL_RESPONSE_KEYS
    _require(not unknown, path, f"unknown response keys {sorted(unknown)}")
    _require(isinstance(response["status"], int), path, "status must be an integer")
    headers = response["headers"]
    _require(isinstance(headers, list) and all(
        isinstance(h, list) and len(h) == 2 and all(isinstance(part, str) for part in h) for h in headers),
        path, "headers must be a list of [name, value] string pairs")
    expected = data["expected"]
    _require(isinstance(expected, dict), path, "expected must be an object")
    unknown = set(expected) - set(PAGE_FIELDS)
    _require(not unknown, path, f"unknown labelled fields {sorted(unknown)}")
    body_path = (path.parent / response["body_file"]).resolve()
    _require(body_path.is_file(), path, f"body file {response['body_file']} not found")
    return Fixture(path=path, url=response["url"], status=response["status"],
                   headers=[(name, value) for name, value in headers], body_path=body_path,
                   expected=expected, final_url=response.get("final_url"), source=data.get("source"))


def fixture_paths(corpus_dir: str | Path) -> list[Path]:
    """Every fixture of a corpus folder, in name order."""
    return sorted(Path(corpus_dir).glob("*.json"))


def parse_fixture(fixture: Fixture) -> dict:
    """What the parser makes of the fixture's response, as Report.to_dict()."""
    return parse_report(fixture.body, fixture.url, fixture.content_type).to_dict()


@dataclass
class FieldScore:
    total: int = 0
    correct: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Evaluation:
    pages: int = 0
    fields: dict[str, FieldScore] = field(default_factory=dict)

    def score(self, name: str, ok: bool, where: str) -> None:
        s = self.fields.setdefault(name, FieldScore())
        s.total += 1
        s.correct += int(ok)
        if not ok:
            s.failures.append(where)

    def score_items(self, name: str, scored: int, failures: list[str]) -> None:
        """``scored`` items of field ``name`` at once, of which ``failures`` went wrong."""
        s = self.fields.setdefault(name, FieldScore())
        s.total += scored
        s.correct += scored - len(failures)
        s.failures.extend(failures)

    @property
    def perfect(self) -> bool:
        return all(s.correct == s.total for s in self.fields.values())


def _comparable(name: str, value):
    """The part of a field that labels state, in a form that compares exactly."""
    if name == "sections":
        return [(s["number"], s["heading"], s.get("kind")) for s in value]
    if name == "checks":
        return sorted((c["check"], c["expected"], c["actual"]) for c in value if not c.get("ok", False))
    if name == "figures":
        return [(f["name"], f["value"], f["unit"]) for f in value]
    if name == "stats":
        return {(s["table"], s["row_key"], s["column_key"]): (s["value"], s["unit"], s["blank"]) for s in value}
    return value


def field_mismatch(name: str, want, got: dict) -> str | None:
    """How the parsed page ``got`` differs from the label ``want`` for field ``name``; None when it agrees."""
    if name == "body_contains":
        missing = [s for s in want if s not in got["body"]]
        return f"body lacks {missing!r}" if missing else None
    if name == "body_excludes":
        present = [s for s in want if s in got["body"]]
        return f"body holds {present!r}" if present else None
    # Labels list only the failing checks, without "ok".
    want = _comparable(name, [dict(x, ok=False) for x in want] if name == "checks" else want)
    have = _comparable(name, got[name])
    if name == "sections" and not any(kind for *_, kind in want):
        have = [h[:2] + (None,) for h in have]  # a label without kinds scores headings only
    return None if have == want else f"{have!r} != {want!r}"


def stats_cell_mismatches(want: list[dict], got: dict) -> tuple[int, list[str]]:
    """Labelled cells scored one by one: (cells scored, failures), an extra parsed cell being one failure."""
    want, have = _comparable("stats", want), _comparable("stats", got["stats"])
    failures = [f"{key}: {have.get(key)} != {value}" for key, value in want.items() if have.get(key) != value]
    extra = sorted(set(have) - set(want))
    failures += [f"{key}: extra cell {have[key]}" for key in extra]
    return len(want) + len(extra), failures


def evaluate(corpus_dir: str | Path) -> Evaluation:
    result = Evaluation()
    for path in fixture_paths(corpus_dir):
        fixture = read_fixture(path)
        got = parse_fixture(fixture)
        result.pages += 1
        for name in PAGE_FIELDS:
            if name not in fixture.expected:
                continue
            want = fixture.expected[name]
            if name == "stats":
                scored, failures = stats_cell_mismatches(want, got)
                result.score_items("stats (cells)", scored, [f"{fixture.name} {f}" for f in failures])
            mismatch = field_mismatch(name, want, got)
            result.score(name, mismatch is None, f"{fixture.name}: {mismatch}"[:400])
    return result


def format_evaluation(result: Evaluation) -> str:
    lines = [f"{'field':<16}{'scored':>8}{'correct':>9}{'accuracy':>10}"]
    for name, s in result.fields.items():
        lines.append(f"{name:<16}{s.total:>8}{s.correct:>9}{s.accuracy:>9.1%}")
    lines.append(f"{result.pages} labelled pages")
    return "\n".join(lines)
