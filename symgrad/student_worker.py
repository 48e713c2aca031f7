"""The process that runs a student's code for the grading plugin (:mod:`symgrad.testing`).

It is started as a fresh interpreter (``python student_worker.py IN OUT``),
never forked from the test, so no teacher frame, formula or expected value
exists in it. It imports nothing from symgrad (``import symgrad`` would load
SymPy), reads one JSON request per line from the file descriptor ``IN``,
imports the student's module, calls the function, turns every result into
plain floats and shapes *here*, and writes one JSON reply per line to
``OUT``. The test's process only ever reads that plain data.

Everything the student's code can reach in this process is its own: it can
patch numpy or this module, read its own requests, or write to ``OUT``; the
test's process treats every byte that comes back as untrusted.

Requests::

    {"id": 1, "op": "call", "target": {"path": "student.py"}, "name": "grad",
     "args": [...], "shapes": [[], [3, 4]], "cpu": 10.0}
    {"id": 2, "op": "text", "target": {"module": "answers"}, "name": "ANSWER"}
    {"id": 3, "op": "value", "target": {"module": "answers"}, "name": "ANSWERS"}

Replies: ``{"id": 1, "ok": true, "values": [{"shape": [3, 4], "data": [...]}]}``
or ``{"id": 1, "ok": false, "kind": "raised", "message": "...", "where": "student.py, line 7"}``.
"""

import importlib
import importlib.util
import json
import math
import os
import sys
import traceback

MAX_TEXT = 300  # characters of any message that goes back (a 5 MB exception message does not)
MAX_ANSWER = 10_000  # characters of an answer read as text

_dumps = json.dumps
_loads = json.loads
_write = os.write
_modules: dict = {}


def _short(text) -> str:
    try:
        text = str(text)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        return "(a message that cannot be shown)"
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _name(err: BaseException) -> str:
    return _short(type(err).__name__)


def _where(tb_or_err, student_file: str | None) -> str:
    """``student.py, line 7``: the innermost frame of the student's own code."""
    if isinstance(tb_or_err, SyntaxError) and tb_or_err.filename:
        return f"{os.path.basename(tb_or_err.filename)}, line {tb_or_err.lineno}"
    frames = traceback.extract_tb(tb_or_err.__traceback__)
    mine = os.path.abspath(__file__)
    ours = [f for f in frames if os.path.abspath(f.filename) != mine]
    if student_file:
        own = [f for f in ours if os.path.abspath(f.filename) == student_file]
        ours = own or ours
    if not ours:
        return ""
    frame = ours[-1]
    return f"{os.path.basename(frame.filename)}, line {frame.lineno}"


class Refused(Exception):  # noqa: N818 - a refusal, sent back as a reply
    """The request cannot be served; carries the reply's kind and message."""

    def __init__(self, kind: str, message: str, where: str = ""):
        super().__init__(message)
        self.kind, self.message, self.where = kind, message, where


def _load(target: dict):
    """The student's module, imported once per worker."""
    key = _dumps(target, sort_keys=True)
    if key in _modules:
        return _modules[key]
    path = target.get("path")
    try:
        if path:
            name = target.get("name") or os.path.splitext(os.path.basename(path))[0]
            folder = os.path.dirname(os.path.abspath(path))
            if folder not in sys.path:
                sys.path.insert(0, folder)
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise Refused("import", f"{os.path.basename(path)} is not a Python file")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(target["module"])
    except Refused:
        raise
    except FileNotFoundError as err:
        raise Refused("import", f"the submission {_short(path)} does not exist") from err
    except SyntaxError as err:
        where = _where(err, path and os.path.abspath(path))
        raise Refused("import", f"SyntaxError: {_short(err.msg)}", where) from err
    except BaseException as err:  # noqa: BLE001 - anything the student's module does
        where = _where(err, path and os.path.abspath(path))
        raise Refused("import", f"{_name(err)}: {_short(err)}", where) from err
    _modules[key] = module
    return module


def _student_file(module) -> str | None:
    path = getattr(module, "__file__", None)
    return os.path.abspath(path) if isinstance(path, str) else None


def _decode(value):
    if isinstance(value, dict) and "__array__" in value:
        import numpy

        return numpy.array(value["__array__"], dtype=value.get("dtype", "float64")).reshape(
            value["shape"]
        )
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    return value


def _plain(result, shape: list) -> dict:
    """One gradient as ``{"shape": [...], "data": [floats]}``, or Refused."""
    numpy = sys.modules.get("numpy")
    if numpy is None and not shape:
        if isinstance(result, (list, tuple)):
            if len(result) != 1:
                return {"shape": [len(result)], "data": [float(v) for v in result]}
            result = result[0]
        return {"shape": [], "data": [float(result)]}
    if numpy is None:
        import numpy
    array = numpy.asarray(result, dtype=float)
    got = [int(n) for n in array.shape]
    wanted = 1
    for n in shape:
        wanted *= int(n)
    if array.size != wanted:
        return {"shape": got, "data": None}  # the wrong shape: no need to send the numbers
    return {"shape": got, "data": [float(v) for v in array.ravel().tolist()]}


def _call(request: dict) -> dict:
    module = _load(request["target"])
    name = request["name"]
    fn = getattr(module, name, None) if isinstance(name, str) else None
    if fn is None or not callable(fn):
        where = os.path.basename(_student_file(module) or request["target"].get("module", ""))
        raise Refused("missing", f"{where} defines no function {name}")
    args = _decode(request["args"])
    code = getattr(fn, "__code__", None)
    where = (
        f"{os.path.basename(code.co_filename)}, line {code.co_firstlineno}"
        if code is not None
        else ""
    )
    try:
        import inspect

        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        try:
            signature.bind(*args)
        except TypeError:
            raise Refused(
                "signature",
                f"{name}{_short(signature)} cannot be called with the {len(args)}"
                f" argument{'s' if len(args) != 1 else ''} the test passes"
                f" ({_short(', '.join(request.get('labels', [])))})",
                where,
            ) from None
    shapes = request["shapes"]
    try:
        result = fn(*args)
    except SystemExit as err:
        raise Refused("exit", f"the function called sys.exit({_short(err.code)})") from None
    except RecursionError as err:
        raise Refused("raised", "RecursionError: " + _short(err), _where(err, None)) from None
    except MemoryError as err:
        raise Refused("memory", "MemoryError", _where(err, None)) from None
    except BaseException as err:  # noqa: BLE001 - the student's bug is the finding
        raise Refused("raised", f"{_name(err)}: {_short(err)}", _where(err, None)) from None
    try:
        if len(shapes) == 1:
            results = [result]
        else:
            results = list(result)
            if len(results) != len(shapes):
                raise Refused(
                    "count",
                    f"the function returned {len(results)} gradients, expected {len(shapes)}",
                )
        values = [_plain(r, s) for r, s in zip(results, shapes)]
    except Refused:
        raise
    except SystemExit as err:
        raise Refused("exit", f"the result called sys.exit({_short(err.code)})") from None
    except BaseException as err:  # noqa: BLE001 - a hostile __float__ / __array__ / __len__
        raise Refused(
            "convert", f"the gradient is not numbers ({_name(err)}: {_short(err)})"
        ) from None
    return {"ok": True, "values": values}


def _data(value, name: str, depth: int = 0):
    """Plain data (text, numbers, lists, dicts with text keys) made of built-in types only."""
    kind = type(value)
    if value is None or kind in (bool, int, float):
        return value
    if kind is str:
        if len(value) > MAX_ANSWER:
            raise Refused("convert", f"{name} holds text longer than {MAX_ANSWER} characters")
        return str.__str__(value)
    if depth < 4 and kind in (list, tuple) and len(value) <= 1000:
        return [_data(v, name, depth + 1) for v in list.__iter__(list(value))]
    if depth < 4 and kind is dict and len(value) <= 1000:
        return {
            str.__str__(k): _data(v, name, depth + 1)
            for k, v in dict.items(value)
            if type(k) is str
        }
    raise Refused(
        "convert", f"{name} is not plain data (text, numbers, lists) but {_short(kind.__name__)}"
    )


def _text(request: dict) -> dict:
    module = _load(request["target"])
    name = request["name"]
    if not hasattr(module, name):
        where = os.path.basename(_student_file(module) or "")
        raise Refused("missing", f"{where} defines no {name}")
    value = getattr(module, name)
    if request.get("op") == "text" and type(value) is not str:
        raise Refused("convert", f"{name} is not text but {_short(type(value).__name__)}")
    return {"ok": True, "value": _data(value, name)}


def _limit_cpu(seconds) -> None:
    try:
        import resource

        used = sum(os.times()[:2])
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = resource.RLIM_INFINITY if seconds is None else int(math.ceil(used + seconds)) + 1
        if hard != resource.RLIM_INFINITY and soft != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform dependent
        pass


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform dependent
        pass


def serve(read_fd: int, write_fd: int, memory_mb: int) -> None:
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(
        os.path.abspath(__file__)
    ):
        del sys.path[0]  # never import symgrad's own modules by accident
    _limit_memory(memory_mb)
    reader = os.fdopen(read_fd, "rb", buffering=0)
    buffer = b""
    while True:
        chunk = reader.read(1 << 16)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = _loads(line)
            try:
                _limit_cpu(request.get("cpu"))
                op = request.get("op")
                reply = _text(request) if op in ("text", "value") else _call(request)
            except Refused as err:
                reply = {"ok": False, "kind": err.kind, "message": err.message, "where": err.where}
            except BaseException as err:  # noqa: BLE001 - never die without a word
                reply = {"ok": False, "kind": "raised", "message": f"{_name(err)}: {_short(err)}"}
            finally:
                _limit_cpu(None)
            reply["id"] = request.get("id")
            try:
                data = _dumps(reply, allow_nan=True).encode() + b"\n"
            except BaseException as err:  # noqa: BLE001
                fallback = {"id": request.get("id"), "ok": False, "kind": "convert"}
                fallback["message"] = f"the result cannot be sent ({_name(err)})"
                data = _dumps(fallback).encode() + b"\n"
            view = memoryview(data)
            while view:
                view = view[_write(write_fd, view) :]


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
