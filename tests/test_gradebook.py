import csv
import json

import pytest

pytest_plugins = ["pytester"]

HOMEWORK = """
import pytest
from symgrad.gradebook import record
from symgrad.variants import Template

T = Template("a*x^n + b*x", {"a": (2, 9), "n": (2, 5), "b": (1, 9)}, key="hw1-q1")

@pytest.mark.symgrad(score=2)
def test_right():
    record(answer="2*x")

@pytest.mark.symgrad(score=4)
def test_partial(credit):
    with credit.part("w"):
        assert True
    with credit.part("b", weight=3):
        assert False, "the gradient for b is 2 times the expected one"

def test_wrong():
    record(answer="x", diagnosis="power_not_lowered")
    assert False, "wrong"

def test_from_the_ini_table():
    pass

@pytest.mark.symgrad(variant="student", score=3)
def test_variant(symgrad_variant):
    v = symgrad_variant(T)
    record(answer=v.source)
    print(v.source)
"""

INI = """
[pytest]
symgrad_scores =
    test_from_the_ini_table = 5
symgrad_course_seed = calc-2026
"""


@pytest.fixture
def homework(pytester):
    pytester.makepyfile(test_hw=HOMEWORK)
    pytester.makeini(INI)
    return pytester


def _run(homework, *args):
    return homework.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_points_partial_credit_and_gradescope_results(homework):
    result = _run(homework, "--symgrad-results", "results.json", "--symgrad-student", "alice")
    result.assert_outcomes(passed=3, failed=2)
    data = json.loads((homework.path / "results.json").read_text())
    tests = {t["name"]: t for t in data["tests"]}
    assert {n: (t["score"], t["max_score"]) for n, t in tests.items()} == {
        "test_right": (2.0, 2.0),
        "test_partial": (1.0, 4.0),  # w right (weight 1 of 4)
        "test_wrong": (0.0, 1.0),  # the default score
        "test_from_the_ini_table": (5.0, 5.0),
        "test_variant": (3.0, 3.0),
    }
    assert data["score"] == 11.0 and data["extra_data"]["max_score"] == 15.0
    assert tests["test_partial"]["output"].startswith("1 of 2 parts wrong (1 right)")
    assert "part b: the gradient for b is 2 times" in tests["test_partial"]["output"]
    assert (
        tests["test_wrong"]["output"].startswith("wrong")
        and tests["test_wrong"]["status"] == "failed"
    )
    assert all(t["visibility"] == "visible" for t in data["tests"])


def test_a_foreign_results_file_is_never_overwritten(homework):
    (homework.path / "results.json").write_text('{"mine": true}')
    result = _run(homework, "--symgrad-results", "results.json", "--symgrad-student", "alice")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (homework.path / "results.json").read_text() == '{"mine": true}'


def test_the_gradebook_gets_one_row_per_student(homework):
    for student in ("alice", "bob"):
        _run(homework, "--symgrad-gradebook", "grades.csv", "--symgrad-student", student)
    rows = list(csv.reader((homework.path / "grades.csv").open()))
    assert rows[0][:4] == ["student", "score", "max_score", "test_right (2)"]
    assert [r[:3] for r in rows[1:]] == [["alice", "11", "15"], ["bob", "11", "15"]]


def test_attempt_logs_record_verdicts_diagnoses_variants_and_first_tries(homework):
    from symgrad.attempts import read_attempts
    from symgrad.variants import Template

    for _ in range(2):
        _run(homework, "--symgrad-log", "log.jsonl", "--symgrad-student", "alice")
    records = read_attempts([homework.path / "log.jsonl"]).records
    assert len(records) == 10
    first, second = records[:5], records[5:]
    assert all(r["first_try"] for r in first) and not any(r["first_try"] for r in second)
    wrong = next(r for r in first if r["exercise"].endswith("test_wrong"))
    assert (wrong["verdict"], wrong["diagnosis"], wrong["answer"]) == (
        "incorrect",
        "power_not_lowered",
        "x",
    )
    variant = next(r for r in first if r["exercise"].endswith("test_variant"))
    expected = Template("a*x^n + b*x", {"a": (2, 9), "n": (2, 5), "b": (1, 9)}, key="hw1-q1")
    drawn = expected.draw("alice", course_seed="calc-2026")
    assert variant["variant"] == dict(drawn.values) and variant["answer"] == drawn.source


def test_a_variant_test_needs_a_student(homework, monkeypatch):
    monkeypatch.delenv("SYMGRAD_STUDENT", raising=False)
    result = _run(homework, "-k", "variant")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*gives each student a variant*--symgrad-student*"])


def test_students_get_their_own_variant(homework):
    outputs = set()
    for student in ("alice", "bob", "carol", "dan"):
        result = _run(homework, "-k", "variant", "-s", "--symgrad-student", student)
        outputs.add(next(line for line in result.outlines if "*x" in line))
    assert len(outputs) >= 3


def test_a_bad_student_id_is_a_usage_error(homework):
    result = _run(homework, "--symgrad-student", "../../etc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_the_plugin_writes_nothing_unless_asked(homework):
    _run(homework, "--symgrad-student", "alice")
    assert sorted(p.name for p in homework.path.iterdir()) == ["test_hw.py", "tox.ini"]
