"""The accuracy benchmark on the labelled corpus (tests/corpus): held at 100%."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import cli
from parsing.evaluate import evaluate

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="module")
def result():
    return evaluate(CORPUS)


def test_corpus_has_at_least_40_labelled_reports(result):
    assert result.pages >= 40


@pytest.mark.parametrize("field", ["title", "year", "issuer", "published", "template", "sections", "contact",
                                   "tables_missing", "stats", "stats (cells)", "checks", "figures",
                                   "body_contains", "body_excludes"])
def test_field_accuracy_is_100_percent(result, field):
    score = result.fields[field]
    assert score.total > 0
    assert score.failures == []


def test_labelled_cells_cover_full_table_sets(result):
    assert result.fields["stats (cells)"].total >= 6 * (23 * 7 + 15)


def copy_corpus_with(tmp_path, name, change):
    """A copy of the corpus fixtures (bodies stay where they are) with one label changed."""
    for path in CORPUS.glob("*.json"):
        fixture = json.loads(path.read_text(encoding="utf-8"))
        fixture["response"]["body_file"] = str((CORPUS / fixture["response"]["body_file"]).resolve())
        if path.stem == name:
            change(fixture["expected"])
        (tmp_path / path.name).write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_a_wrong_cell_label_makes_the_benchmark_fail(tmp_path):
    def change(expected):
        cell = next(s for s in expected["stats"] if s["table"] == 3 and s["row_key"] == "new_requests"
                    and s["column_key"] == "total")
        cell["value"] += 1

    result = evaluate(copy_corpus_with(tmp_path, "full_2019_a", change))
    assert not result.perfect
    assert result.fields["stats (cells)"].correct == result.fields["stats (cells)"].total - 1
    assert any("new_requests" in f for f in result.fields["stats (cells)"].failures)


def test_a_wrong_title_label_makes_the_benchmark_fail(tmp_path):
    result = evaluate(copy_corpus_with(tmp_path, "real_seed_qingtian",
                                       lambda e: e.update(title=e["title"] + "（修订）")))
    assert result.fields["title"].failures and result.fields["title"].failures[0].startswith("real_seed_qingtian")


def test_a_wrong_body_label_makes_the_benchmark_fail(tmp_path):
    result = evaluate(copy_corpus_with(tmp_path, "real_seed_qingtian",
                                       lambda e: e["body_excludes"].append(e["body_contains"][0])))
    assert result.fields["body_excludes"].failures[0].startswith("real_seed_qingtian")
    assert result.fields["body_contains"].failures == []


def test_eval_command_prints_accuracy_and_exits_0():
    outcome = CliRunner().invoke(cli, ["eval", str(CORPUS)])
    assert outcome.exit_code == 0, outcome.output
    assert "stats (cells)" in outcome.output and "100.0%" in outcome.output


def test_eval_command_exits_1_on_a_wrong_label(tmp_path):
    corpus = copy_corpus_with(tmp_path, "real_seed_qingtian", lambda e: e.update(year=1999))
    outcome = CliRunner().invoke(cli, ["eval", str(corpus)])
    assert outcome.exit_code == 1
