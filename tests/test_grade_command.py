"""`studybot grade`: one answer from standard input, or a batch of JSON lines, as JSON verdicts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.bank import load_bank
from bot.grading.report import verdict
from tests.conftest import FIXTURE_CONTENT

ANSWER = "L1 pushes many weights to exactly zero. Ridge shrinks every weight but keeps it."


def test_one_answer_on_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(ANSWER))
    assert main(["grade", "algorithms-l1-l2", "--content", str(FIXTURE_CONTENT)]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["question"] == "algorithms-l1-l2" and verdict["attempt"] is True
    assert verdict["coverage"] == pytest.approx(2 / 3, abs=1e-3)
    points = verdict["key_points"]
    assert [p["covered"] for p in points] == [True, True, False]
    assert points[0]["evidence"] == "L1 pushes many weights to exactly zero."
    assert points[2]["evidence"] is None


def test_a_batch_of_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "answers.jsonl"
    lines = [
        {"question": "algorithms-l1-l2", "answer": ANSWER},
        {"question": "algorithms-l1-l2", "answer": "lasso, ridge, elastic net, sparsity"},
    ]
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert main(["grade", "--batch", str(batch), "--content", str(FIXTURE_CONTENT)]) == 0
    verdicts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [v["attempt"] for v in verdicts] == [True, False]
    assert verdicts[1]["coverage"] == 0 and "list of terms" in verdicts[1]["problem"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade", "no-such-question"], "no question 'no-such-question'"),
        (["grade"], "name a question"),
    ],
)
def test_bad_input_is_a_clear_error(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("an answer"))
    assert main([*args, "--content", str(FIXTURE_CONTENT)]) == 2
    assert message in capsys.readouterr().err


def test_a_malformed_batch_line_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "answers.jsonl"
    batch.write_text('{"question": "algorithms-l1-l2"}\n', encoding="utf-8")
    assert main(["grade", "--batch", str(batch), "--content", str(FIXTURE_CONTENT)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_a_verdict_names_each_point_and_rounds_coverage_to_four_places() -> None:
    question = load_bank(FIXTURE_CONTENT).get("algorithms-l1-l2")
    assert question is not None
    result = verdict(question, ANSWER)
    assert result["coverage"] == 0.6667 and "problem" not in result
    assert [p["text"] for p in result["key_points"]] == [k.text for k in question.key_points]


def test_a_verdict_on_the_prompt_pasted_back_is_no_attempt() -> None:
    question = load_bank(FIXTURE_CONTENT).get("algorithms-l1-l2")
    assert question is not None
    result = verdict(question, question.prompt)
    assert (result["attempt"], result["problem"]) == (False, "it repeats the question")
