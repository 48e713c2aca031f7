import csv
import io
import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from symgrad.attempts import append_attempt, attempt
from symgrad.cli import main
from symgrad.report import class_report

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def _tries(student, exercise, verdicts, diagnoses=None, start=0):
    out = []
    for i, verdict in enumerate(verdicts):
        diagnosis = (diagnoses or {}).get(i)
        out.append(
            attempt(
                student,
                exercise,
                f"answer {i}" if verdict != "correct" else "2*x",
                verdict,
                diagnosis=diagnosis,
                first_try=i == 0,
                number=i + 1,
                time=T0 + timedelta(minutes=start + i),
            )
        )
    return out


# A class whose figures are counted by hand below.
CLASS = [
    *_tries("ann", "lesson 4, exercise 1", ["correct"]),
    *_tries("bob", "lesson 4, exercise 1", ["incorrect", "correct"], {0: "chain_inner"}),
    *_tries(
        "cat",
        "lesson 4, exercise 1",
        ["incorrect", "invalid", "incorrect", "incorrect"],
        {0: "chain_inner", 2: "sign", 3: "chain_inner"},
    ),
    *_tries("ann", "lesson 4, exercise 2", ["invalid", "correct"]),
    *_tries("bob", "lesson 4, exercise 2", ["incorrect"], {}),
    *_tries("dan", "lesson 4, exercise 10", ["correct"]),
]


def test_figures_match_a_hand_count():
    r = class_report(CLASS)
    assert [e.exercise for e in r.exercises] == [
        "lesson 4, exercise 1",
        "lesson 4, exercise 2",
        "lesson 4, exercise 10",  # natural order, not 1, 10, 2
    ]
    ex1, ex2, ex10 = r.exercises
    # exercise 1: ann right first; bob wrong then right; cat three wrong (the invalid one not counted)
    assert (ex1.students, ex1.attempts, ex1.first_try, ex1.eventual) == (3, 6, 1, 2)
    assert [(d.key, d.count, d.students) for d in ex1.diagnoses] == [
        ("chain_inner", 3, 2),
        ("sign", 1, 1),
    ]
    assert ex1.diagnoses[0].example == "answer 0"
    # exercise 2: ann's first counted try is right (a parse error is not a try); bob wrong
    assert (ex2.students, ex2.first_try, ex2.eventual) == (2, 1, 1)
    assert [d.key for d in ex2.diagnoses] == ["(no diagnosis)"]
    assert (ex10.students, ex10.first_try_rate, ex10.eventual_rate) == (1, 1.0, 1.0)
    assert [(s.student, s.exercise, s.wrong, s.solved) for s in r.stuck] == [
        ("cat", "lesson 4, exercise 1", 3, False)
    ]
    assert r.students == 4 and r.records == len(CLASS)


def test_order_in_the_log_does_not_matter():
    assert class_report(list(reversed(CLASS))).to_dict() == class_report(CLASS).to_dict()


def test_plain_text(render):
    text = class_report(CLASS).plain_text()
    assert "Class report: 4 students, 11 attempts, 3 exercises" in text
    assert "lesson 4, exercise 1   3         33% (1)    67% (2)     chain_inner ×3, sign ×1" in text
    assert "  cat: lesson 4, exercise 1, 3 wrong tries, not solved yet" in text
    rich = render(class_report(CLASS), width=100)
    assert "33% (1)" in rich and "cat: lesson 4, exercise 1" in rich


def test_csv_is_one_row_per_exercise_and_keeps_student_text_inert():
    records = [*CLASS, *_tries("eve", "=HYPERLINK(1)", ["incorrect"], {0: "sign"})]
    rows = list(csv.DictReader(io.StringIO(class_report(records).to_csv())))
    by_name = {r["exercise"]: r for r in rows}
    assert len(rows) == 4
    first = by_name["lesson 4, exercise 1"]
    assert first["first_try_rate"] == "0.3333" and first["stuck_students"] == "cat"
    assert "'=HYPERLINK(1)" in by_name  # a spreadsheet shows it, never runs it


def test_html_is_self_contained_and_escapes_student_text():
    records = [*CLASS, *_tries("eve", "ex <b>", ["incorrect"], {0: "<script>alert(1)</script>"})]
    page = class_report(records).to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http:" not in page and "https:" not in page and "src=" not in page  # nothing to fetch
    assert page.count("<svg") == 1 + 3  # success chart + one chart per exercise with mistakes


def _log(tmp_path, records=CLASS):
    path = tmp_path / "attempts.jsonl"
    for r in records:
        append_attempt(path, r)
    return path


def test_cli_formats(tmp_path, capsys):
    path = _log(tmp_path)
    assert main(["report", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exercises"][0]["first_try"] == 1 and data["stuck"][0]["student"] == "cat"
    assert main(["report", str(path), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("exercise,students,attempts")


def test_cli_skips_malformed_lines_with_one_summary(tmp_path, capsys):
    path = _log(tmp_path)
    with open(path, "a") as f:
        f.write("garbage\n{}\n")
    assert main(["report", str(path), "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "skipped 2 malformed lines" in err and "lines 12, 13" in err


def test_cli_html_is_written_atomically_and_never_over_a_stranger(tmp_path, capsys):
    path = _log(tmp_path)
    page = tmp_path / "class.html"
    assert main(["report", str(path), "--html", str(page), "--format", "plain"]) == 0
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert main(["report", str(path), "--html", str(page), "--format", "plain"]) == 0  # ours
    notes = tmp_path / "notes.html"
    notes.write_text("my notes")
    capsys.readouterr()
    assert main(["report", str(path), "--html", str(notes)]) == 2
    assert "was not written by symgrad" in capsys.readouterr().err
    assert notes.read_text() == "my notes"
    link = tmp_path / "link.html"
    link.symlink_to(notes)
    assert main(["report", str(path), "--html", str(link)]) == 2
    assert notes.read_text() == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "attempts.jsonl",
        "class.html",
        "link.html",
        "notes.html",
    ]


def test_cli_bad_logs(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symgrad: error: cannot read the attempt log") and err.count("\n") == 1


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
def test_html_renders_in_a_real_browser_offline(tmp_path):
    page = tmp_path / "class.html"
    page.write_text(class_report(CLASS).to_html())
    shot = tmp_path / "shot.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no network at all
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1000,1200",
    ]
    done = subprocess.run(
        [CHROMIUM, *flags, f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), done.stderr[-2000:]
    assert "CONSOLE" not in done.stderr  # no console messages, errors or otherwise
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    assert "Success by exercise" in dom and dom.count("<rect") >= 6
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.std() > 0.05  # something was drawn, not a blank page
