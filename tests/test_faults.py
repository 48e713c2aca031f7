"""Faults outside the expression parser: interrupted writes, links, folders, full or closed
streams, ASCII-only terminals, FIFOs, duplicate keys, and random command lines.

Each fault ends in one line on stderr and a documented exit code (2 bad input or
environment, 3 a limit), nothing half-written and nothing overwritten that symgrad did
not create.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symgrad.cli import main
from symgrad.errors import InputError
from symgrad.files import check_target, write_atomic

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "critic.json"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def symgrad(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "symgrad", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=kwargs.pop("cwd", None),
        env=kwargs.pop("env", None),
        **kwargs,
    )


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- writing files ---------------------------------------------------------------------


def test_kill_9_in_the_middle_of_a_write_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "old.png"
    target.write_bytes(b"the old picture")
    code = (
        "import os, sys\n"
        "from symgrad.files import write_atomic\n"
        "def half(f):\n"
        "    f.write(b'x' * 100_000)\n"
        "    f.flush()\n"
        "    os.kill(os.getpid(), 9)\n"
        "write_atomic(sys.argv[1], half)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(target)], timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"the old picture"


def test_sigterm_in_the_middle_of_a_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "old.png"
    target.write_bytes(b"the old picture")
    code = (
        "import os, signal, sys, time\n"
        "from symgrad.files import write_atomic\n"
        "def half(f):\n"
        "    f.write(b'x' * 100_000)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(5)\n"
        "write_atomic(sys.argv[1], half)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(target)], timeout=60)
    assert proc.returncode == 143
    assert target.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["old.png"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "old.png"
    target.write_bytes(b"old")

    def broken(stream):
        stream.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="No space left"):
        write_atomic(target, broken)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.png"]


@pytest.mark.parametrize(
    "argv",
    [
        ("x*sin(x)", "--at", "x=1", "--plot", "{link}"),
        ("step", "w*w+2", "--at", "w=10", "--lr", "0.1", "--plot", "{link}"),
    ],
    ids=["grad", "step"],
)
def test_a_symlink_target_is_refused_and_what_it_points_to_is_untouched(capsys, tmp_path, argv):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    link = tmp_path / "slope.png"
    link.symlink_to(notes)
    code, _, err = run(capsys, *(a.format(link=link) for a in argv))
    assert code == 2
    assert "symbolic link" in one_line(err)
    assert notes.read_text() == "my notes" and link.is_symlink()


@pytest.mark.parametrize("name", ["path.pdf", "path", "path.PNG.txt"])
def test_every_plot_writer_wants_the_same_png_name(capsys, tmp_path, name):
    target = str(tmp_path / name)
    for argv in (
        ["x^2", "--at", "x=1", "--plot", target],
        ["step", "x^2", "--at", "x=1", "--lr", "0.1", "--plot", target],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "does not end in .png" in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_plot_into_a_missing_folder_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "x^2", "--at", "x=1", "--plot", str(tmp_path / "no" / "a.png"))
    assert code == 2 and "does not exist" in one_line(err)


def test_lesson_figures_go_to_a_private_folder_of_this_run(tmp_path):
    env = os.environ | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("SYMGRAD_FIGURES", None)
    code = "from symgrad.lessons import figure_path; print(figure_path('01_tangent.png'))"
    runs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    paths = [Path(proc.communicate(timeout=120)[0].strip()) for proc in runs]
    assert len({p.parent for p in paths}) == 3  # parallel runs never share a file
    base = tmp_path / "cache" / "symgrad"
    assert base.stat().st_mode & 0o777 == 0o700
    for path in paths:
        assert path.name == "01_tangent.png" and path.parent.parent == base
        assert path.parent.stat().st_mode & 0o777 == 0o700


def test_a_planted_link_in_the_figures_folder_is_refused(capsys, monkeypatch, tmp_path):
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("years of work")
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "01_tangent.png").symlink_to(thesis)
    monkeypatch.setenv("SYMGRAD_FIGURES", str(figures))  # restored after the test
    code, _, err = run(capsys, "lesson", "run", "1", "--no-input", "--figures", str(figures))
    assert code == 2
    assert "symbolic link" in one_line(err)
    assert thesis.read_text() == "years of work"


def test_figures_naming_a_file_is_refused(capsys, monkeypatch, tmp_path):
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    monkeypatch.setenv("SYMGRAD_FIGURES", str(a_file))
    code, _, err = run(capsys, "lesson", "list", "--figures", str(a_file))
    assert code == 2 and "is a file, not a folder" in one_line(err)


def test_a_read_only_folder(capsys, monkeypatch, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, _, err = run(capsys, "x^2", "--at", "x=1", "--plot", str(folder / "a.png"))
        if IS_ROOT:  # root may write anyway: then the picture is there, whole
            assert code == 0 and (folder / "a.png").stat().st_size > 1000
        else:
            assert code == 2 and "Permission denied" in one_line(err)
            assert list(folder.iterdir()) == []
        monkeypatch.setenv("SYMGRAD_FIGURES", str(folder))
        code, _, err = run(capsys, "lesson", "list", "--figures", str(folder))
        assert code == (0 if IS_ROOT else 2)
        if not IS_ROOT:
            assert "not writable" in one_line(err)
    finally:
        folder.chmod(0o755)


def test_lessons_folder_that_does_not_exist(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SYMGRAD_LESSONS", str(tmp_path / "nonexistent"))
    code, _, err = run(capsys, "lesson", "list")
    assert code == 2 and "SYMGRAD_LESSONS" in one_line(err)


def test_check_target_refuses_a_folder_and_a_device(tmp_path):
    (tmp_path / "d.png").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        check_target(tmp_path / "d.png")


# -- streams ---------------------------------------------------------------------------


def test_stdout_on_dev_full_is_one_line_on_stderr():
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "symgrad", "x^2", "--at", "x=1"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2
    assert one_line(proc.stderr) == (
        "symgrad: error: cannot write to standard output: No space left on device"
    )


def test_stdout_closed_is_one_line_on_stderr():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "x^2", "--at", "x=1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.close(1),
    )
    assert proc.returncode == 2
    assert "cannot write to standard output" in one_line(proc.stderr)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["x^2*sin(x)", "--at", "x=1"], "dy/dx = x^2*cos(x) + 2*x*sin(x)"),
        (["critic", str(EXAMPLE)], "Critic network 3 -> 4 (relu) -> 1 (linear)"),
        (["lesson", "show", "1"], "Lesson 1"),
        (["step", "x^2", "--at", "x=1", "--lr", "0.1"], "x <- 1.0 - 0.1*2.0 = 0.8"),
    ],
    ids=["grad", "critic", "lesson", "step"],
)
def test_a_stream_that_cannot_encode_unicode_gets_ascii(
    capsys, monkeypatch, encoding, argv, expected
):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    code = main(argv)
    stream.flush()
    text = raw.getvalue().decode("ascii")  # ASCII, whatever the stream's own encoding
    assert code == 0, capsys.readouterr().err
    assert expected in text


def test_json_on_an_ascii_stream_escapes_and_means_the_same(monkeypatch):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["critic", str(EXAMPLE), "--format", "json"]) == 0
    stream.flush()
    data = json.loads(raw.getvalue().decode("ascii"))
    assert data["loss"] == 0.4020515


def test_pythonioencoding_ascii_end_to_end():
    env = os.environ | {"PYTHONIOENCODING": "ascii"}
    proc = symgrad("x^3", "--at", "x=2", env=env)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "dy/dx = 3*x^2" in proc.stdout


# -- the network file ------------------------------------------------------------------


def test_a_fifo_as_the_network_file_is_refused_at_once(capsys, tmp_path):
    fifo = tmp_path / "net.json"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "critic", str(fifo))
    assert code == 2 and "not a regular file" in one_line(err)


def test_duplicate_keys_name_the_key(capsys, tmp_path):
    text = EXAMPLE.read_text().replace('"states"', '"loss": "mean_square", "loss": "x", "states"')
    path = tmp_path / "dup.json"
    path.write_text(text)
    code, _, err = run(capsys, "critic", str(path))
    assert code == 2 and "the key 'loss' appears twice" in one_line(err)


def test_duplicate_keys_inside_params(capsys, tmp_path):
    data = json.loads(EXAMPLE.read_text())
    text = json.dumps(data).replace(
        '"critic/out/b":', '"critic/out/W": [[1], [2], [3], [4]], "critic/out/b":'
    )
    path = tmp_path / "dup.json"
    path.write_text(text)
    code, _, err = run(capsys, "critic", str(path))
    assert code == 2 and "'critic/out/W' appears twice" in one_line(err)


# -- limits and values -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "0", "-5", "-inf", "soon"])
def test_timeout_wants_positive_finite_seconds(capsys, value):
    code, _, err = run(capsys, "x^2", "--at", "x=1", f"--timeout={value}")
    assert code == 2 and "--timeout" in one_line(err)


def test_iterations_beyond_any_limit(capsys):
    code, _, err = run(
        capsys, "step", "x^2", "--at", "x=1", "--lr", "0.1", "--iterations", "1" + "0" * 20
    )
    assert code == 3 and "more than the limit" in one_line(err)


def test_a_point_too_large_to_draw(capsys, tmp_path):
    target = tmp_path / "p.png"
    code, _, err = run(
        capsys, "step", "x^2+y^2", "--at", "x=1e308,y=1", "--lr", "0.1", "--plot", str(target)
    )
    assert code == 2 and "cannot draw the picture" in one_line(err)
    assert not target.exists()


def test_huge_weights_are_explained_not_warned_about(capsys, tmp_path):
    data = json.loads(EXAMPLE.read_text())
    data["params"]["critic/hidden/W"][0][0] = 1e300
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    code, out, err = run(capsys, "critic", str(path))
    assert code == 1 and err == ""
    assert "not checked: the loss is beyond float64's range" in out


def test_a_diverging_trajectory_says_so_without_raw_warnings(capsys, tmp_path):
    code, out, err = run(
        capsys,
        "step", "x^4", "--at", "x=10", "--lr", "1", "--iterations", "20",
        "--plot", str(tmp_path / "d.png"),
    )  # fmt: skip
    assert code == 0 and "RuntimeWarning" not in err and err == ""
    assert "diverged" in out


# -- random command lines --------------------------------------------------------------

VALUES = st.sampled_from(
    ["1", "0", "-1", "0.1", "1e308", "-1e308", "nan", "inf", "1" + "0" * 30, "x", "", "ü", "2,3"]
)
FLAGS = {
    "grad": ["--at", "--wrt", "--unconnected", "--no-check", "--steps", "--format", "--timeout"],
    "check": ["--answer", "--wrt", "--format", "--timeout"],
    "step": ["--at", "--lr", "--iterations", "--optimizer", "--momentum", "--beta1", "--plot"],
    "critic": ["--optimizer", "--lr", "--init", "--explain", "--format"],
    "lesson": ["--figures", "--format", "--no-input"],
}
SWITCHES = {"--no-check", "--steps", "--no-input"}
POINTS = st.sampled_from(["x=1", "x=1e308", "x=0,y=2", "w=10", "x=nan", "x", "=", "x=1,x=2"])
EXPRESSIONS = st.sampled_from(["x^2", "w*w+2", "relu(x)", "x/y", "log(x)", "sin(", "x^x^x^x"])


@st.composite
def command_lines(draw, folder: str):
    command = draw(st.sampled_from(sorted(FLAGS)))
    argv = [] if command == "grad" else [command]
    if command == "critic":
        argv.append(draw(st.sampled_from([str(EXAMPLE), folder, folder + "/none.json"])))
    elif command == "lesson":
        argv += [draw(st.sampled_from(["list", "show", "run"])), draw(st.sampled_from(["1", "x"]))]
    else:
        argv.append(draw(EXPRESSIONS))
    for flag in draw(st.lists(st.sampled_from(FLAGS[command]), max_size=4)):
        if flag in SWITCHES:
            argv.append(flag)
        elif flag == "--at":
            argv += [flag, draw(POINTS)]
        elif flag == "--plot":
            argv += [flag, folder + "/" + draw(st.sampled_from(["p.png", "p.pdf", "p"]))]
        elif flag == "--figures":
            argv += [flag, folder]
        elif flag == "--format":
            argv += [flag, draw(st.sampled_from(["plain", "json", "latex", "rich", "xml"]))]
        else:
            argv += [f"{flag}={draw(VALUES)}"]
    if command == "lesson" and "run" in argv:
        argv.append("--no-input")
    if not any(a.startswith("--timeout") for a in argv):
        argv.append("--timeout=2")
    return argv


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_command_lines_end_with_a_documented_code_and_at_most_two_lines(
    capsys, tmp_path, data
):
    argv = data.draw(command_lines(str(tmp_path)))
    code, out, err = run(capsys, *argv)
    assert code in (0, 1, 2, 3), (argv, err)
    assert len(err.strip().splitlines()) <= 2, (argv, err)
    assert "Traceback" not in out + err, argv
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_no_worker_outlives_the_runs():
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                children.append(entry.name)
    assert children == []
