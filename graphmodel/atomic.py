"""Atomic file writes: a file appears whole or not at all.

Write to a temporary file in the same folder, flush and fsync it, then ``os.replace``
it over the target and fsync the folder. A crash or an exception midway leaves the
previous file byte-identical (networkx's writers, by contrast, truncate the target first).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from graphmodel.errors import CampaignGraphError


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; on success it replaces ``path``.

    Text modes are UTF-8 unless told otherwise.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_write(p, "w") as f:
    ...     _ = f.write("hello")
    >>> p.read_text()
    'hello'
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CampaignGraphError(f"folder {folder} does not exist", file=str(target))
    if target.is_symlink() or (target.exists() and not target.is_file()):
        # a device, FIFO, socket, folder or link: replacing it would destroy what it is
        # (as root, "-o /dev/null" would replace the system's /dev/null with a file)
        raise CampaignGraphError("exists and is not a regular file: refusing to replace it", file=str(target))
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        # mkstemp makes the file 0600; give the finished file the permissions a plain open()
        # would (0666 less the umask), or keep the existing file's mode when replacing it.
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, mode, encoding=encoding, newline="" if "b" not in mode else None) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically, as UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inside(base: str | os.PathLike[str], name: str) -> Path:
    """``base/name`` resolved, refusing anything that would land outside ``base``.

    Used wherever a file name is built from data (a company name, a node id).

    >>> inside("/tmp/out", "a/b.html").as_posix().endswith("out/a/b.html")
    True
    """
    root = Path(base).resolve()
    candidate = (root / name).resolve()
    if candidate != root and root not in candidate.parents:
        raise CampaignGraphError(f"refusing to write outside {root}: {name!r}")
    return candidate
