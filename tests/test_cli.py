from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.config import REPO_ROOT

STAFF = REPO_ROOT / "examples" / "killed_own_project_staff.txt"
runner = CliRunner()


def test_grade_json_from_file() -> None:
    result = runner.invoke(app, ["grade", str(STAFF), "--archetype", "killed_own_project", "--json"])
    assert result.exit_code == 0, result.output
    grade = json.loads(result.stdout)
    assert grade["level"] == "staff"
    assert grade["grader"] == "builtin"
    assert grade["trap"] == {"code": "ask_own_call", "hit": False}
    assert set(grade["signals"]) >= {
        "words",
        "speaking_seconds",
        "situation_seconds",
        "i_count",
        "we_count",
        "numbers",
    }


def test_grade_from_stdin_prints_a_table() -> None:
    result = runner.invoke(
        app, ["grade", "-", "--archetype", "killed_own_project"], input="We cancelled it. The team moved on."
    )
    assert result.exit_code == 0, result.output
    assert "Level:" in result.stdout and "weak" in result.stdout
    assert "ask_own_call" in result.stdout


@pytest.mark.parametrize(
    ("archetype", "says"), [("mentoring", "Off the question"), ("cost_negotiation", None)]
)
def test_the_table_says_when_the_story_answers_another_question(archetype: str, says: str | None) -> None:
    from tests.test_topic import COST

    result = runner.invoke(app, ["grade", "-", "--archetype", archetype], input=COST)
    assert result.exit_code == 0, result.output
    assert ("Off the question" in result.stdout) is (says is not None)


def test_grade_jsonl_batch_keeps_ids_and_reports_bad_lines(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    lines = [
        {
            "id": "a",
            "archetype": "mentoring",
            "question": "q",
            "answer": "I asked questions and she figured it out.",
        },
        {"id": "b", "archetype": None, "question": "q", "answer": "We shipped it."},
        {"id": "c", "archetype": "not_an_archetype", "answer": "x"},
    ]
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    result = runner.invoke(app, ["grade", "--jsonl", str(batch)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", None]
    assert out[0]["archetype"] == "mentoring" and "level" in out[0]
    assert out[1]["trap"] is None
    assert "unknown archetype" in out[2]["error"]
    assert "error" in out[3]


def test_grade_jsonl_in_processes_matches_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service import batch as batch_module
    from service.evals.cases import load_cases

    # Small blocks and chunks, so the order across block and chunk boundaries is what is checked.
    monkeypatch.setattr(batch_module, "_BLOCK", 7)
    monkeypatch.setattr(batch_module, "_CHUNK", 3)
    cases = load_cases(REPO_ROOT / "evals" / "cases")[:40]
    lines = [json.dumps({"id": c.id, "archetype": c.archetype, "answer": c.answer}) for c in cases]
    lines[5] = "not json"
    lines[23] = json.dumps({"id": "bad", "archetype": "nope", "answer": "x"})
    lines.insert(11, "   ")
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(lines) + "\n")
    runs = {n: runner.invoke(app, ["grade", "--jsonl", str(source), "--workers", str(n)]) for n in (1, 2)}
    assert runs[1].exit_code == runs[2].exit_code == 1
    assert runs[2].stdout == runs[1].stdout
    out = [json.loads(line) for line in runs[2].stdout.splitlines()]
    assert len(out) == 40 and out[-1]["id"] == cases[-1].id
    assert "error" in out[5] and out[23]["id"] == "bad" and "error" in out[23]
    assert sum("level" in o for o in out) == 38


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade", "/no/such/file"], "cannot read"),
        (["grade", str(STAFF), "--archetype", "nope"], "unknown archetype"),
        (["grade"], "give a file"),
    ],
)
def test_grade_errors_are_clear(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output


def test_grade_imports_only_what_it_uses(tmp_path: Path) -> None:
    """The builtin grade loads neither the model gateway, the web stack, the database nor the settings."""
    heavy = ["litellm", "fastapi", "sqlalchemy", "pydantic_settings", "service.config", "rich"]
    code = (
        "import sys; from service.cli import app; "
        f"sys.argv=['stardrive','grade',{str(STAFF)!r},'--json']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {heavy!r} if m in sys.modules])"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "LOADED []" in run.stdout


def test_grade_reads_the_prompts_dir_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """STARDRIVE_PROMPTS_DIR still moves the catalog, from the environment or from `.env`."""
    from service.catalog import get_catalog
    from service.config import get_settings

    broken = tmp_path / "prompts"
    broken.mkdir()
    (broken / "archetypes.yaml").write_text("version: 1\narchetypes: []\n")
    (tmp_path / ".env").write_text(f"STARDRIVE_PROMPTS_DIR={broken}\n")
    for where in ("environment", ".env"):
        if where == "environment":
            monkeypatch.setenv("STARDRIVE_PROMPTS_DIR", str(broken))
        else:
            monkeypatch.delenv("STARDRIVE_PROMPTS_DIR")
            monkeypatch.chdir(tmp_path)
        get_settings.cache_clear()
        get_catalog.cache_clear()
        try:
            result = runner.invoke(app, ["grade", str(STAFF), "--json"])
        finally:
            get_settings.cache_clear()
            get_catalog.cache_clear()
        assert result.exit_code == 2, where
        assert f"{broken / 'archetypes.yaml'}: (top level)" in result.output, where


def test_interview_in_the_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    from service.config import get_settings

    get_settings.cache_clear()
    answers = (
        "We had a project that wasn't working out and we ended up cancelling it.\n\n"
        "I made the kill call myself, and our eval cost dropped 40% the next quarter.\n\n/finish\n"
    )
    try:
        result = runner.invoke(app, ["interview", "-a", "killed_own_project"], input=answers)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Tell me about" in out or "killed" in out  # the probe
    assert out.count("Interviewer:") == 3  # probe + one reply per answer
    assert "Interview debrief" in out and "fixes worth most" in out


def test_interview_bad_archetype_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    from service.config import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["interview", "-a", "nope"], input="")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "archetypes" in result.output


def test_version_is_the_package_version() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"stardrive {version('stardrive')}"


@pytest.mark.parametrize("command", [["grade", "--help"], ["interview", "--help"]])
def test_help_lists_the_archetype_ids(command: list[str]) -> None:
    from service.catalog import ARCHETYPE_IDS

    result = runner.invoke(app, command, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    missing = [a for a in ARCHETYPE_IDS if a not in result.stdout]
    assert not missing, result.stdout


def test_interview_saves_the_debrief(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    from service.config import get_settings

    get_settings.cache_clear()
    target = tmp_path / "debrief.md"
    try:
        result = runner.invoke(
            app,
            ["interview", "-a", "mentoring", "--save", str(target)],
            input="I told her the answer and we shipped it.\n\n/finish\n",
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    saved = target.read_text(encoding="utf-8")
    assert saved.startswith("# Interview debrief") and "Mentoring through ambiguity" in saved
    assert f"Debrief saved to {target}" in " ".join(result.output.split())


def _stored_interviews(db: Path) -> list[tuple[str, str, list[str]]]:
    """(id, status, candidate turns' texts) of every interview in the SQLite file."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, status FROM interviews").fetchall()
        return [
            (
                iid,
                status,
                [
                    t
                    for (t,) in conn.execute(
                        "SELECT text FROM turns WHERE interview_id = ? AND role = 'candidate' ORDER BY "
                        '"index"',
                        (iid,),
                    )
                ],
            )
            for iid, status in rows
        ]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([], "kept with no answers sent"),
        (["We had a project that wasn't working out and we cancelled it."], "kept with 1 answer sent"),
        (
            ["We had a project and we cancelled it.", "I made the kill call myself; cost fell 40%."],
            "kept with 2 answers sent",
        ),
    ],
)
def test_interview_ctrl_c_ends_cleanly_and_keeps_what_was_sent(
    tmp_path: Path, answers: list[str], message: str
) -> None:
    """A real process and a real SIGINT while it waits for the next answer: exit 130 within seconds, a
    plain message (no traceback), every answer sent before it stored, the interview left open."""
    import os
    import signal

    db = tmp_path / "t.db"
    env = {
        **os.environ,
        "STARDRIVE_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "STARDRIVE_MODEL": "builtin",
        "PYTHONPATH": str(REPO_ROOT),
        "COLUMNS": "400",
    }
    cmd = [
        sys.executable,
        "-c",
        "from service.cli import app; app()",
        "interview",
        "-a",
        "killed_own_project",
    ]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        seen = 0  # "Interviewer:" lines: the probe, then one reply per answer
        for expected, answer in enumerate([None, *answers], start=1):
            if answer is not None:
                proc.stdin.write(answer.encode() + b"\n\n")
                proc.stdin.flush()
            while seen < expected:
                line = proc.stdout.readline()
                assert line, "the interview ended early"
                seen += line.count(b"Interviewer:")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = " ".join((out + err).decode().split())
    assert proc.returncode == 130, text
    assert "Traceback" not in text and "Fatal" not in text
    assert "Interrupted." in text and message in text
    [(iid, status, sent)] = _stored_interviews(db)
    assert iid in text and f"?interview={iid}" in text
    assert status == "active"  # left open, to resume
    assert sent == answers


def test_bank_add_list_show_audit_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`stardrive bank` through the same StoryBank and models as /api/stories: JSON output is the API's."""
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    from service.api.schemas import AuditOut, StoryOut
    from service.config import get_settings

    get_settings.cache_clear()
    try:
        added = runner.invoke(
            app, ["bank", "add", str(STAFF), "-a", "killed_own_project", "--project", "ranker", "--json"]
        )
        assert added.exit_code == 0, added.output
        story = StoryOut.model_validate_json(added.stdout)
        assert story.grade is not None and story.grade.level == "staff"
        for arch in ("mentoring", "safety_escalation"):
            more = runner.invoke(
                app, ["bank", "add", "-", "-a", arch, "--project", "Ranker"], input="We did it."
            )
            assert more.exit_code == 0, more.output
        assert "Reuse:" in more.output and "3 archetypes" in more.output
        listed = runner.invoke(app, ["bank", "list", "--json"])
        assert [s["archetype"] for s in json.loads(listed.stdout)] == [
            "killed_own_project",
            "mentoring",
            "safety_escalation",
        ]
        shown = runner.invoke(app, ["bank", "show", story.id, "--json"])
        assert StoryOut.model_validate_json(shown.stdout) == story
        audit = AuditOut.model_validate_json(runner.invoke(app, ["bank", "audit", "--json"]).stdout)
        assert audit.projects_over_two_archetypes == {
            "ranker": ["killed_own_project", "mentoring", "safety_escalation"]
        }
        assert len(audit.matrix) == 8 and not audit.checks.one_story_per_archetype
        table = runner.invoke(app, ["bank", "audit"], env={"COLUMNS": "200"})
        assert "Killed-my-own-project" in table.stdout and "no story yet" in table.stdout
        removed = runner.invoke(app, ["bank", "remove", story.id])
        assert removed.exit_code == 0
        assert runner.invoke(app, ["bank", "show", story.id]).exit_code == 1
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["bank", "add", "-", "-a", "mentoring", "--project", "p"], " \u200b\n", 2, "must not be empty"),
        (["bank", "add", "-", "-a", "nope", "--project", "p"], "I did it.", 2, "archetype"),
        (["bank", "add", "/no/such", "-a", "mentoring", "--project", "p"], "", 2, "cannot read"),
        (["bank", "remove", "nope"], "", 1, "no story 'nope'"),
    ],
)
def test_bank_errors_are_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str, code: int, message: str
) -> None:
    monkeypatch.setenv("STARDRIVE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    from service.config import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, args, input=stdin)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == code, result.output
    assert message in result.output
