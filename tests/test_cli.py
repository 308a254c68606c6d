"""The `studybot` command line (#16): refusals in one line, options where users put them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import FIXTURE_CONTENT


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working folder (no .env), the fixture bank, no database URL, no cache."""
    monkeypatch.chdir(tmp_path)
    for name in ("STUDYBOT_DATABASE_URL", "DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(FIXTURE_CONTENT))
    monkeypatch.setenv("STUDYBOT_CACHE_DIR", "none")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    yield tmp_path


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """Return what went to stderr, checking that it is one line without a traceback."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def banks(root: Path) -> dict[str, Path]:
    """Banks that cannot run: no folder, no questions/ files, files holding no questions."""
    (root / "no-files" / "questions").mkdir(parents=True)
    (root / "no-questions" / "questions").mkdir(parents=True)
    (root / "no-questions" / "questions" / "nlp.yaml").write_text("[]\n", encoding="utf-8")
    return {
        "missing": root / "nonexistent",
        "no-files": root / "no-files",
        "no-questions": root / "no-questions",
    }


# -- item 1: a missing script or bank ------------------------------------------------


def test_a_missing_script_is_refused_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--script", str(workdir / "nonexistent.txt")]) == 2
    err = one_line_error(capsys)
    assert "cannot read the script" in err and "No such file or directory" in err
    assert not (workdir / "studybot-data").exists()  # refused before anything was made


def test_a_script_that_is_not_text_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "demo.txt").write_bytes(b"\xff\xfe/help\n")
    assert main(["run", "--script", "demo.txt"]) == 2
    assert "not UTF-8 text" in one_line_error(capsys)


def test_a_missing_batch_of_answers_is_refused_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["grade", "--batch", "nonexistent.jsonl"]) == 2
    assert "cannot read the batch nonexistent.jsonl: No such file" in one_line_error(capsys)


@pytest.mark.parametrize("kind", ["missing", "no-files"])
@pytest.mark.parametrize(
    "command",
    [["content", "lint", "--no-code"], ["content", "stats"], ["grade", "some-question"]],
)
def test_content_commands_refuse_a_missing_bank(
    workdir: Path, kind: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = banks(workdir)[kind]
    assert main([*command, "--content", str(folder)]) == 2
    err = one_line_error(capsys)
    assert f"no question bank at {folder}" in err


def test_lint_refuses_a_bank_without_questions(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = banks(workdir)["no-questions"]
    assert main(["content", "lint", "--no-code", "--content", str(folder)]) == 2
    captured = capsys.readouterr()
    assert "OK" not in captured.out
    assert "its question files hold no questions" in captured.err


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["missing", "no-files", "no-questions"])
@pytest.mark.parametrize("platform", ["console", "discord", "slack"])
def test_no_platform_starts_without_questions(
    workdir: Path,
    kind: str,
    platform: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = banks(workdir)[kind]
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(folder))
    # Tokens, and platforms at a closed port: a bot that started would never reach them.
    monkeypatch.setenv("DISCORD_TOKEN", "discord-token-for-tests")
    monkeypatch.setenv("DISCORD_API_BASE", "http://127.0.0.1:9/api/v10")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-token-for-tests")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-token-for-tests")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    assert main(["run", "--platform", platform, "--script", "-"]) == 2
    assert f"no question bank at {folder}" in one_line_error(capsys)
    assert not (workdir / "studybot-data").exists()


# -- item 2: where options go, a command without its subcommand, --version ----------


def test_content_comes_before_or_after_the_subcommand(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STUDYBOT_CONTENT_DIR")  # the default would be the bundled bank

    def total(argv: list[str]) -> str:
        assert main(argv) == 0
        [row] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("all")]
        return row.split()[-1]

    assert total(["content", "stats"]) != "8"
    assert total(["content", "--content", str(FIXTURE_CONTENT), "stats"]) == "8"
    assert total(["content", "stats", "--content", str(FIXTURE_CONTENT)]) == "8"
    # Given twice, the later one counts.
    twice = ["content", "--content", "nowhere", "stats", "--content", str(FIXTURE_CONTENT)]
    assert total(twice) == "8"
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("argv", "subcommands"),
    [
        (["content"], ["lint", "stats", "appeals", "reports", "schema"]),
        (["db"], ["migrate", "copy", "verify", "backup"]),
        ([], ["run", "content", "grade", "db"]),
    ],
)
def test_a_command_without_its_subcommand_lists_them(
    workdir: Path, argv: list[str], subcommands: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "_command" not in err and "required" not in err
    assert "say what to do, one of:" in err
    listing = err.split("say what to do, one of:", 1)[1]  # the usage above may wrap
    listed = [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]
    assert listed == subcommands


def test_version_is_the_installed_packages(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"studybot {version('studybot')}"


# -- item 3: a database folder that does not exist -----------------------------------


def test_migrate_refuses_a_folder_that_does_not_exist(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{workdir}/typo/studybot.sqlite3"
    assert main(["db", "migrate", "--database", url]) == 2
    err = one_line_error(capsys)
    assert f"the folder {workdir}/typo for the database does not exist" in err
    assert "--create" in err
    assert not (workdir / "typo").exists()

    assert main(["db", "migrate", "--database", url, "--create"]) == 0
    assert (workdir / "typo" / "studybot.sqlite3").is_file()
    assert "schema version 0 -> " in capsys.readouterr().out


def test_a_file_where_the_folder_should_be_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "data").write_text("not a folder", encoding="utf-8")
    url = f"sqlite:///{workdir}/data/studybot.sqlite3"
    assert main(["db", "migrate", "--database", url]) == 2
    assert f"{workdir}/data, where the database would be, is not a folder" in one_line_error(capsys)


def test_the_environments_database_folder_is_refused_too(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", f"sqlite:///{workdir}/typo/x.sqlite3")
    assert main(["run", "--script", "-"]) == 2
    assert "typo for the database does not exist" in one_line_error(capsys)
    assert main(["db", "migrate"]) == 2
    assert "typo for the database does not exist" in one_line_error(capsys)
    assert not (workdir / "typo").exists()


def test_the_default_data_folder_is_made_on_a_fresh_clone(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("/help\n"))
    assert main(["run", "--script", "-"]) == 0
    assert (workdir / "studybot-data" / "studybot.sqlite3").is_file()


def test_help_documents_the_database_folder_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["db", "migrate", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--create" in out and "./studybot-data is always created" in out
