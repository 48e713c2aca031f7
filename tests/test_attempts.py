import json
import multiprocessing
import os

import pytest

from symgrad.attempts import FIELDS, append_attempt, attempt, read_attempts
from symgrad.errors import InputError


def _writer(args):
    path, worker = args
    for i in range(100):
        append_attempt(
            path, attempt(f"s{worker}", f"ex {i % 7}", "x" * (i * 37 % 400), "incorrect")
        )


def test_parallel_appends_interleave_whole_lines_only(tmp_path):
    path = str(tmp_path / "log.jsonl")
    with open(path, "w") as f:
        f.write('{"kept": "what was there before"}\n')
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(6) as pool:
        pool.map(_writer, [(path, w) for w in range(6)])
    lines = open(path).read().splitlines()
    assert lines[0] == '{"kept": "what was there before"}'  # never truncated
    records = [json.loads(line) for line in lines[1:]]
    assert len(records) == 600
    assert all(list(r) == list(FIELDS) for r in records)
    log = read_attempts([path])
    assert len(log.records) == 600 and log.skipped == ((path, 1),)


def test_a_record_holds_only_the_documented_fields(tmp_path):
    path = tmp_path / "log.jsonl"
    record = attempt("bob", "lesson 1, exercise 2", "2w", "incorrect", diagnosis="sign")
    append_attempt(path, {**record, "password": "secret", "home": "/home/bob"})
    text = path.read_text()
    assert "secret" not in text and "home" not in text
    assert set(json.loads(text)) == set(FIELDS)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_long_answers_are_clipped():
    record = attempt("bob", "ex", "y" * 10_000, "incorrect")
    assert len(record["answer"]) == 500


def test_a_symlink_is_refused(tmp_path):
    target = tmp_path / "thesis.txt"
    target.write_text("my thesis")
    link = tmp_path / "log.jsonl"
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        append_attempt(link, attempt("a", "ex", "1", "correct"))
    assert target.read_text() == "my thesis"


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "log.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_attempts([fifo])


def test_malformed_lines_are_skipped_and_counted(tmp_path):
    path = tmp_path / "log.jsonl"
    good = json.dumps(attempt("a", "ex", "1", "correct"))
    path.write_text(
        "\n".join([good, "not json", '{"exercise": 3}', "[1, 2]", good, '{"verdict": "maybe"}'])
    )
    log = read_attempts([path])
    assert len(log.records) == 2
    assert [n for _, n in log.skipped] == [2, 3, 4, 6]
    assert log.skipped_summary() == f"skipped 4 malformed lines: {path} lines 2, 3, 4, 6"


def test_an_unreadable_log_is_one_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the attempt log"):
        read_attempts([tmp_path / "missing.jsonl"])
