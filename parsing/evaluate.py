"""Accuracy of the parser on a labelled corpus (tests/corpus/README.md)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .report import parse_report

PAGE_FIELDS = ("title", "year", "issuer", "published", "template", "sections", "contact",
               "tables_missing", "stats", "checks", "figures")


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


def evaluate(corpus_dir: str | Path) -> Evaluation:
    corpus = Path(corpus_dir)
    result = Evaluation()
    for label_path in sorted(corpus.glob("*.json")):
        label = json.loads(label_path.read_text(encoding="utf-8"))
        page = (corpus / label["page"]).resolve()
        got = parse_report(page.read_bytes(), label.get("url")).to_dict()
        result.pages += 1
        expected = label["expected"]
        for name in PAGE_FIELDS:
            if name not in expected:
                continue
            # Labels list only the failing checks, without "ok".
            want = _comparable(name, [dict(x, ok=False) for x in expected[name]]
                               if name == "checks" else expected[name])
            have = _comparable(name, got[name])
            if name == "sections" and not any(s.get("kind") for s in expected[name]):
                have = [h[:2] + (None,) for h in have]  # a label without kinds scores headings only
            if name == "stats":
                for key, value in want.items():
                    result.score("stats (cells)", have.get(key) == value, f"{label_path.stem} {key}: {have.get(key)} != {value}")
                extra = sorted(set(have) - set(want))
                for key in extra:
                    result.score("stats (cells)", False, f"{label_path.stem} {key}: extra cell {have[key]}")
            result.score(name, have == want, f"{label_path.stem}: {have!r} != {want!r}"[:400])
    return result


def format_evaluation(result: Evaluation) -> str:
    lines = [f"{'field':<16}{'scored':>8}{'correct':>9}{'accuracy':>10}"]
    for name, s in result.fields.items():
        lines.append(f"{name:<16}{s.total:>8}{s.correct:>9}{s.accuracy:>9.1%}")
    lines.append(f"{result.pages} labelled pages")
    return "\n".join(lines)
