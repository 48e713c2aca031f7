import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symgrad.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_seed_plain(capsys):
    code, out, err = run(capsys, "w*w+2", "--at", "w=10", "--format", "plain")
    assert code == 0, err
    assert "y = w² + 2" in out
    assert "∂y/∂w = 2⋅w" in out
    assert "compute_gradients: [(20.0, 10.0)]" in out
    assert "gradients:         [20.0]" in out
    assert "102" in out
    assert "agrees" in out
    assert err == ""


def test_without_a_point_prints_the_exact_gradient_only(capsys):
    code, out, _ = run(capsys, "x*sin(x)", "--format", "plain")
    assert code == 0
    assert "∂y/∂x = x⋅cos(x) + sin(x)" in out
    assert "compute_gradients" not in out


def test_unconnected_and_zero(capsys):
    code, out, _ = run(capsys, "w*w+2", "--at", "w=10,v=3", "--format", "plain")
    assert code == 0
    assert "compute_gradients: [(20.0, 10.0), (None, 3.0)]" in out
    assert "gradients:         [20.0, None]" in out
    assert "does not depend on v" in out
    code, out, _ = run(
        capsys, "w*w+2", "--at", "w=10", "--at", "v=3", "--unconnected", "zero", "--format", "plain"
    )
    assert "gradients:         [20.0, 0.0]" in out


def test_wrt_order(capsys):
    code, out, _ = run(capsys, "x*y^2", "--at", "x=2,y=3", "--wrt", "y,x", "--format", "plain")
    assert "compute_gradients: [(12.0, 3.0), (9.0, 2.0)]" in out


def test_json_schema(capsys):
    code, out, _ = run(capsys, "w*w+2", "--at", "w=10,v=3", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["expression"] == "w**2 + 2"
    assert data["variables"] == ["w", "v"]
    assert data["point"] == {"w": 10.0, "v": 3.0}
    assert data["value"] == 102.0
    assert data["compute_gradients"] == [[20.0, 10.0], [None, 3.0]]
    assert data["tf_gradients"] == [20.0, None]
    g = data["gradients"][0]
    assert set(g) >= {"variable", "derivative", "value", "connected", "check"}
    assert g["variable"] == "w" and g["derivative"] == "2*w" and g["value"] == 20.0
    assert g["connected"] is True and g["check"]["verdict"] == "agrees"
    assert data["gradients"][1]["connected"] is False
    assert data["gradients"][1]["derivative"] == "0"


def test_json_without_point(capsys):
    code, out, _ = run(capsys, "x^2", "--format", "json")
    data = json.loads(out)
    assert data["point"] is None and data["compute_gradients"] is None


def test_latex(capsys):
    code, out, _ = run(capsys, "w^2", "--at", "w=3", "--format", "latex")
    assert out.startswith("\\begin{align}") and "w^{2}" in out


@pytest.mark.parametrize(
    "argv,code,fragment",
    [
        (["log(x)", "--at", "x=-1"], 1, "log(x) is not real at x = -1"),
        (["1/x", "--at", "x=0"], 1, "1/x has a pole at x = 0"),
        (["sqrt(x)", "--at", "x=0"], 1, "infinite"),
        (["x^2", "--at", "x=nan"], 2, "nan"),
        (["x^2", "--at", "x=inf"], 2, "inf"),
        (["x*y", "--at", "x=1"], 2, "no value for y"),
        (["|x|", "--at", "x=1"], 2, "abs(x)"),
        (["foo(x)"], 2, "unknown function foo"),
        (["(x+1"], 2, "column"),
        (["9**9**9*x", "--at", "x=1"], 3, ""),
        ([], 2, "expression"),
        (["x", "--bogus"], 2, "unrecognized"),
    ],
)
def test_errors_are_one_line_with_exit_codes(capsys, argv, code, fragment):
    got, out, err = run(capsys, *argv, "--format", "plain")
    assert got == code, (out, err)
    if code == 1:
        assert fragment in out
    else:
        assert err.startswith("symgrad: error: ")
        assert err.count("\n") == 1
        assert fragment in err
    assert "Traceback" not in out + err


def test_json_errors_are_json(capsys):
    code, out, err = run(capsys, "foo(x)", "--format", "json")
    assert code == 2
    assert json.loads(out)["exit_code"] == 2


def test_leading_minus_hint(capsys):
    code, _, err = run(capsys, "-x^2")
    assert code == 2 and "--" in err
    code, out, _ = run(capsys, "--at", "x=1", "--format", "plain", "--", "-x^2")
    assert code == 0 and "gradients:         [-2.0]" in out


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--at" in out and "commands" in out
    assert main(["--version"]) == 0


HOSTILE = [
    "x.diff.__globals__['__builtins__']['__import__']('os').system('touch {marker}')",
    "__import__('os').system('touch {marker}')",
    "().__class__.__base__.__subclasses__()",
    "eval(\"open('{marker}','w')\")",
    "x\n__import__('os').system('touch {marker}')",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_code_execution_attempts_do_nothing(capsys, tmp_path, payload):
    marker = tmp_path / "marker"
    code, out, err = run(capsys, "--at", "x=1", "--", payload.format(marker=marker))
    assert code == 2
    assert not marker.exists()
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "payload",
    [
        "9**9**9*x",
        "x^x^x^x^x^x^x^x",
        "(" * 5000 + "x" + ")" * 5000,
        "x+" * 60000 + "x",
        "exp(exp(exp(exp(x))))",
    ],
    ids=["bigpow", "tower", "nesting", "100KB", "exp-tower"],
)
def test_resource_attacks_end_quickly(capsys, payload):
    import resource

    def cpu() -> float:  # this process and its finished workers: what the limit counts
        own, workers = (
            resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime

    start = cpu()
    code, out, err = run(capsys, "--at", "x=2", "--", payload)
    assert cpu() - start < 6  # the default limit is 3 s of CPU time, however busy the machine
    assert code in (0, 1, 2, 3)
    assert "Traceback" not in out + err


def _installed_symgrad() -> list[str]:
    exe = Path(sys.executable).with_name("symgrad")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("symgrad")
    return [found] if found else [sys.executable, "-m", "symgrad"]


def test_installed_script_runs_the_seed():
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [*_installed_symgrad(), "w*w+2", "--at", "w=10"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "compute_gradients: [(20.0, 10.0)]" in proc.stdout
    assert "\x1b[" not in proc.stdout  # plain when piped


def test_python_dash_m():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "x^2", "--at", "x=3", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(proc.stdout)["tf_gradients"] == [6.0]
