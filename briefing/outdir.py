"""Write files into an output folder all at once: a staging folder beside it takes its place in one step, so a
failed or killed write leaves the folder exactly as it was; and one writer at a time per folder (`locked`).

Durability: every file is fsynced before the staging folder is, the staging folder before it is renamed or
exchanged into place, and the folder holding it after, so that after a power cut the output folder is the old
build or the new one, never a new name pointing at files whose data never reached the disk."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys

from briefing.errors import EnvironmentFailure, InputError, Problem, diagnostics

STAGING = "briefing-staging-"
"""Marks the folder a build is written into before it is moved into place; a killed build's is removed later."""
LOCK = "briefing-lock"
"""Marks the lock file beside the output folder (`.out.briefing-lock`) that one build at a time holds."""


@contextlib.contextmanager
def locked(out: str):
    """Hold the output folder for one build from its first look at the folder to its last write: a second build
    of the same folder waits (saying so once, on stderr: the one message this module prints, as it cannot wait
    for the end of the command), then finds the first one's files and manifest in place.

    The lock is the operating system's (flock) on a file beside the folder, so it goes with the process however
    that ends; where the folder's parent cannot be written, the lock file is inside the folder; where neither can,
    the build goes on unlocked and its write reports the real cause."""
    import fcntl

    target = os.path.realpath(out)
    parent, name = os.path.split(target)
    fd = None
    for path in (os.path.join(parent, f".{name}.{LOCK}"), os.path.join(target, f".{LOCK}")):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            break
        except OSError:
            continue
    if fd is None:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            print(f"briefing: waiting for another build{f' (process {holder})' if holder.isdigit() else ''} to "
                  f"finish writing {out}", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_all(files: dict[str, bytes], out: str) -> None:
    """Write `files` (name: bytes) into the folder `out` at once; on any failure raise EnvironmentFailure (or
    InputError, when `out` is no folder for them) with `out` exactly as it was.

    The files are written into a staging folder beside `out`, which then takes the place of `out` in one
    atomic step: a rename when `out` is new, else an exchange with a copy of `out` (hard links) holding the
    new files. Where that cannot be done (a file system without exchange, `out` a mount point or holding
    folders or the working directory), the staged files are renamed into `out` one by one under a commit
    mark, and a build killed part way is completed by the next one."""
    target = os.path.realpath(out)
    _check_target(out, target, files)
    staging = None
    try:
        parent, name = os.path.split(target)
        os.makedirs(parent, exist_ok=True)
        remove_stale_staging(target)
        exists = os.path.isdir(target)
        beside = not exists or os.stat(parent).st_dev == os.stat(target).st_dev
        if beside:
            try:
                staging = _mkstaging(parent, f".{name}.")
            except PermissionError:
                beside = False
        if not beside:
            staging = _mkstaging(target, ".")
        swap = exists and beside and _swappable(target)
        if swap:
            _link_tree(target, staging, skip=set(files))
        st = os.stat(target) if exists else None
        os.chmod(staging, st.st_mode & 0o7777 if st else 0o777 & ~_umask())
        if st and os.geteuid() == 0:
            os.chown(staging, st.st_uid, st.st_gid)
        for fname, data in files.items():
            _write_file(os.path.join(staging, fname), data)
        _fsync(staging)  # the files' names, before the folder takes the output's place
        if not exists:
            os.rename(staging, target)
            staging = None
            _fsync(parent)
        elif swap and _exchange(staging, target):
            _fsync(parent)
        else:
            _commit_one_by_one(staging, target, list(files))
    except OSError as e:
        raise _write_error(out, e) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


COMMIT_MARK = ".commit"
"""In a staging folder: the names of the files being renamed into place, written before the first rename."""


def _commit_one_by_one(staging: str, target: str, names: list[str]) -> None:
    mark = os.path.join(staging, COMMIT_MARK)
    _write_file(mark + ".new", json.dumps(names).encode("utf-8"))
    os.rename(mark + ".new", mark)
    _fsync(staging)  # the mark is on the disk before the first file moves
    _finish_commit(staging, target, names)


def _finish_commit(staging: str, target: str, names: list[str]) -> None:
    for fname in map(os.path.basename, names):
        src = os.path.join(staging, fname)
        if os.path.lexists(src):
            os.replace(src, os.path.join(target, fname))
    _fsync(target)


def _fsync(folder: str) -> None:
    """Make a folder's entries durable (the files created or renamed in it)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swappable(target: str) -> bool:
    """`target` may be exchanged for a copy of itself: it holds no folders, nor this process's working directory."""
    cwd = os.path.realpath(os.getcwd())
    if cwd == target or cwd.startswith(target + os.sep):
        return False
    return not any(e.is_dir(follow_symlinks=False) for e in os.scandir(target) if STAGING not in e.name)


def _check_target(out: str, target: str, files: dict[str, bytes]) -> None:
    """Raise InputError (or EnvironmentFailure, for a folder this user may not write) before anything is
    written if `out` cannot take the files."""
    problems = []
    if os.path.isdir(target) and not os.access(target, os.W_OK | os.X_OK):
        raise EnvironmentFailure(f"{out}: the folder is read-only", "make it writable, or choose another folder")
    if os.path.lexists(target) and not os.path.isdir(target):
        problems.append(Problem(out, 0, 0, "is not a folder, so the build cannot be written into it",
                                "remove or rename it, or choose another output folder with -o"))
    elif os.path.isdir(target):
        for fname in sorted(files):
            path = os.path.join(target, fname)
            if os.path.isdir(path) and not os.path.islink(path):
                problems.append(Problem(os.path.join(out, fname), 0, 0,
                                        "is a folder where a file of this build goes",
                                        "remove or rename the folder, then build again"))
    if problems:
        raise InputError(problems)


def _write_error(out: str, e: OSError) -> EnvironmentFailure:
    import errno

    hint = {errno.ENOSPC: "free some space on that disk, then build again",
            errno.EDQUOT: "free some space within your quota, then build again"}.get(
        e.errno, "make the output folder and its parent writable, or choose another folder with -o")
    where = f" ({e.filename})" if e.filename else ""
    return EnvironmentFailure(f"{out}: could not write the files: {e.strerror or e}{where}; the folder is as it was",
                              hint)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mkstaging(folder: str, prefix: str) -> str:
    import tempfile

    return tempfile.mkdtemp(dir=folder, prefix=f"{prefix}{STAGING}{os.getpid()}-")


def _write_file(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, 0o666 & ~_umask())


def _link_tree(src: str, dst: str, skip: set[str]) -> None:
    """Fill `dst` with hard links to the files under `src` (copies where a link is refused), but not `skip`."""
    for entry in os.scandir(src):
        if entry.name in skip or STAGING in entry.name:
            continue
        to = os.path.join(dst, entry.name)
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), to)
        elif entry.is_dir():
            os.mkdir(to)
            shutil.copystat(entry.path, to)
            _link_tree(entry.path, to, set())
        else:
            try:
                os.link(entry.path, to)
            except OSError:
                shutil.copy2(entry.path, to)


def _exchange(a: str, b: str) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not supported."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.EBUSY, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), b)


def remove_stale_staging(target: str) -> None:
    """Remove the staging folders that builds no longer running left beside or inside `target`, first finishing
    the renames of one that was killed while committing."""
    parent, name = os.path.split(target)
    for folder, prefix in ((parent, f".{name}.{STAGING}"), (target, f".{STAGING}")):
        try:
            entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
        except OSError:
            continue
        for entry in entries:
            pid = entry.name[len(prefix):].split("-", 1)[0]
            if not pid.isdigit() or (int(pid) != os.getpid() and process_alive(int(pid))):
                continue
            mark = os.path.join(entry.path, COMMIT_MARK)
            if os.path.exists(mark):  # killed while renaming its files into place: finish the job
                try:
                    with open(mark, encoding="utf-8") as f:
                        _finish_commit(entry.path, target, [str(n) for n in json.load(f)])
                except (OSError, ValueError) as e:
                    diagnostics.warn(Problem(entry.path, 0, 0, "a build killed while writing left this folder, and "
                                             f"its files could not be moved into place: {e}",
                                             f"look at it, then remove it; {target} holds the build before it"))
                    continue
            failed: list[str] = []
            shutil.rmtree(entry.path, onerror=lambda _f, path, info: failed.append(f"{path}: {info[1]}"))
            if failed:
                diagnostics.warn(Problem(entry.path, 0, 0, "a staging folder left by a killed build could not be "
                                         f"removed ({failed[0]})", "remove it by hand (it holds nothing of use)"))


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running (one that cannot be signalled is taken to be)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
