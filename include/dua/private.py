"""Files and folders only their owner may read, created with their final
permissions: a secret is never on disk, not even for a moment, with a mode
another local user could read (no write-then-chmod)."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """``path`` as a folder of mode 0700 (its missing parents made normally).
    An existing folder is left as it is: see :func:`tighten`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(path, DIR_MODE)  # the umask can only take bits away
    except FileExistsError:
        pass
    return path


def write_private(path: Path, data: bytes | str, exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` as a 0600 file.

    The bytes go to a new file opened with mode 0600 next to ``path``, which
    then replaces ``path`` in one rename, so a reader never sees a half-written
    file or another mode.  ``exclusive``: fail with FileExistsError when
    ``path`` exists (two processes making the same secret: the first wins)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)  # atomic, and fails when path exists
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return path


def open_private_append(path: Path):
    """``path`` opened for appending text, created 0600 when missing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, FILE_MODE)
    return os.fdopen(fd, "a", encoding="utf-8")


def tighten(path: Path) -> list[Path]:
    """Make a folder made before this rule private: 0700 folders, 0600 files.
    Returns what had broader permissions (for the caller to say so)."""
    changed = []
    for p in [Path(path), *Path(path).rglob("*")]:
        if p.is_symlink():
            continue
        want = DIR_MODE if p.is_dir() else FILE_MODE
        mode = p.stat().st_mode & 0o777
        if mode & 0o077:
            p.chmod(want)
            changed.append(p)
    return changed
