"""Every file symgrad writes goes through here: checked the same way, written atomically.

The rule for a file name, for every writer (``--plot`` of ``symgrad`` and
``symgrad step``, the pictures of a lesson):

* it ends in the suffix the writer produces (``.png`` for pictures; no other
  format is guessed from the name, and none is added);
* its folder exists and is a folder;
* it is not a symbolic link, and if it exists it is a regular file: symgrad
  replaces a file it may have written before, never what a link points to,
  a folder or a device.

The content is written to a temporary file in the same folder, flushed to
disk and then renamed over the target in one step (``os.replace``), so an
interrupted run (even ``kill -9``) leaves the old file or the complete new
one, never half of it.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> path = write_atomic(os.path.join(folder, "a.txt"), lambda f: f.write(b"hello"), suffix=".txt")
>>> open(path, "rb").read(), os.listdir(folder)
(b'hello', ['a.txt'])
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from symgrad.errors import InputError

__all__ = [
    "check_target",
    "check_folder",
    "write_atomic",
    "save_figure",
    "drawing",
    "private_folder",
    "written_by_symgrad",
]

#: How much of an existing file, from its start and from its end, is read to find symgrad's
#: mark: a notebook keeps it in its metadata at the end, a PDF in its info at the end, a
#: page or a LaTeX file in its first lines.
MARK_WINDOW = 64 * 1024


def check_target(path: str | os.PathLike, suffix: str = ".png", what: str = "--plot") -> Path:
    """``path`` as a :class:`~pathlib.Path` if symgrad may write it, else an InputError.

    >>> check_target("slope.pdf")
    Traceback (most recent call last):
    ...
    symgrad.errors.InputError: --plot writes PNG files, and 'slope.pdf' does not end in .png (name the file slope.png)
    """
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise InputError(
            f"{what} writes {suffix[1:].upper()} files, and {path.name!r} does not end in {suffix}",
            hint=f"name the file {path.stem or 'picture'}{suffix}",
        )
    folder = path.parent
    if not folder.is_dir():
        raise InputError(
            f"cannot write {path}: the folder {str(folder)!r} does not exist",
            hint="create it first, or choose another place",
        )
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError(
            f"{path} is a symbolic link; symgrad does not write through links",
            hint="remove the link or choose another file name",
        )
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path} exists and is not a regular file", hint="choose another name")
    return path


def written_by_symgrad(path: str | os.PathLike, mark: str) -> bool:
    """Whether the file at ``path`` is one symgrad wrote: a regular file with ``mark``.

    Every writer that replaces its own files without ``--force`` asks this, with
    the words it writes into each file (``mark``). The mark counts within the
    first or the last :data:`MARK_WINDOW` bytes, so a large file costs two
    bounded reads; a symbolic link, a folder, a device, a missing or an
    unreadable file is never symgrad's.

    >>> import os, tempfile
    >>> page = os.path.join(tempfile.mkdtemp(), "page.html")
    >>> _ = open(page, "w").write('<meta name="generator" content="symgrad report">')
    >>> written_by_symgrad(page, 'content="symgrad report"'), written_by_symgrad(page, "other")
    (True, False)
    """
    wanted = mark.encode("utf-8")
    if not wanted:
        raise ValueError("the mark must not be empty")
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)  # a link or a pipe put there since lstat is not followed
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        head = os.pread(fd, MARK_WINDOW, 0)
        if wanted in head:
            return True
        start = max(info.st_size - MARK_WINDOW, len(head) - len(wanted) + 1, 0)
        return info.st_size > len(head) and wanted in os.pread(fd, MARK_WINDOW, start)
    except OSError:
        return False
    finally:
        os.close(fd)


def check_folder(folder: str | os.PathLike, what: str = "--figures") -> Path:
    """``folder`` if it is a folder symgrad can write into (created if missing), else an
    InputError naming what is wrong."""
    path = Path(folder)
    if path.is_symlink() and not path.is_dir():
        raise InputError(f"{what} {folder}: a symbolic link to nothing, not a folder")
    if path.exists() and not path.is_dir():
        raise InputError(f"{what} {folder} is a file, not a folder", hint="name a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"{what}: cannot create the folder {folder}: {err.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(
            f"{what}: the folder {folder} is not writable", hint="choose a folder you can write"
        )
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(
    path: str | os.PathLike, write: Callable[[IO[bytes]], Any], suffix: str = ".png"
) -> Path:
    """Write a file with ``write(binary_stream)``: the old file or the complete new one.

    The target is checked with :func:`check_target` first. A failure while
    writing (a full disk, an error in ``write``) removes the temporary file
    and leaves the target as it was.
    """
    target = check_target(path, suffix)
    with _sigterm_cleans_up():
        return _write(target, write)


@contextlib.contextmanager
def _sigterm_cleans_up() -> Iterator[None]:
    """While a temporary file exists, SIGTERM ends the run through Python (exit 143), so the
    temporary file is removed instead of left behind."""
    import signal

    def stop(signum, frame):
        raise SystemExit(143)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _write(target: Path, write: Callable[[IO[bytes]], Any]) -> Path:
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as err:
        raise InputError(
            f"cannot write {target}: {err.strerror or err}",
            hint="choose a folder you can write",
        ) from None
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), 0o666 & ~_umask())
        os.replace(temp, target)  # a link planted meanwhile is replaced, never followed
    except BaseException as err:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise InputError(f"cannot write {target}: {err.strerror or err}") from None
        raise
    return target


@contextlib.contextmanager
def drawing() -> Iterator[None]:
    """Around matplotlib work: numpy's and matplotlib's overflow warnings stay silent (the
    values are drawn as gaps), and numbers too large to lay out are one InputError."""
    import warnings

    import numpy as np

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            yield
        except (ValueError, OverflowError, FloatingPointError) as err:
            raise InputError(
                "cannot draw the picture: its numbers are too large for matplotlib to lay out "
                f"(float64 overflows: {str(err)[:60]})",
                hint="choose a point or a learning rate that keeps the values smaller",
            ) from None


def save_figure(fig: Any, path: str | os.PathLike, suffix: str = ".png", **savefig: Any) -> Path:
    """Save a matplotlib figure (PNG, or SVG with ``suffix=".svg"``) with :func:`write_atomic`."""

    def write(stream: IO[bytes]) -> None:
        with drawing():
            fig.savefig(stream, format=suffix[1:], **savefig)

    return write_atomic(path, write, suffix)


def private_folder(prefix: str) -> Path:
    """A new folder only this user can enter (mode 0700), for one run's files.

    It lives under the user's cache folder (``$XDG_CACHE_HOME/symgrad`` or
    ``~/.cache/symgrad``, itself 0700) if that is usable, else under the
    system's temporary folder; run folders older than a week are removed.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "symgrad"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(base)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            raise PermissionError("not a folder of this user")
        os.chmod(base, 0o700)
        _prune(base, prefix)
        return Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    except (OSError, RuntimeError):
        return Path(tempfile.mkdtemp(prefix=prefix))


WEEK = 7 * 24 * 3600


def _prune(base: Path, prefix: str) -> None:
    import shutil
    import time

    now = time.time()
    for entry in base.iterdir():
        try:
            if entry.name.startswith(prefix) and now - entry.lstat().st_mtime > WEEK:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass
