"""The output folder's writer (briefing/outdir.py): one build at a time per folder, every file and folder on the
disk before and after the rename, and staging folders that cannot be removed reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from conftest import ROOT

from briefing.cli import main

_SLOW_BUILD = """
import os, sys, time
import briefing.outdir as outdir
real_write = outdir._write_file
def slow_write(path, data):
    real_write(path, data)
    time.sleep(0.3)
outdir._write_file = slow_write
from briefing.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _build_args(project: str, out: str, *rest: str) -> list[str]:
    """A build of the test project (`project`) into `out`, in one process."""
    return ["-C", project, "build", "-o", out, "-j", "1",
            *rest]


def test_two_builds_at_once_leave_one_complete_folder_and_its_manifest(project, tmp_path):
    """Without a lock the second build's manifest, read before the first one wrote, drops the first one's files."""
    out = str(tmp_path / "out")
    env = {**os.environ, "PYTHONPATH": ROOT}
    lock = tmp_path / ".out.briefing-lock"
    first = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD,
                              *_build_args(project, out, "visit-politics", "-f", "md")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:  # the first build holds the folder
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the first build never took the lock")
    second = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD,
                               *_build_args(project, out, "freight-line", "-f", "md")],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outs
    assert f"waiting for another build (process {first.pid}) to finish writing {out}" in outs[1][1]
    made = sorted(n for n in os.listdir(out) if n.endswith(".md"))
    assert made and {n.split(".")[0] for n in made} == {"visit-politics", "freight-line"}
    with open(os.path.join(out, ".briefing-build.json"), encoding="utf-8") as f:
        manifest = json.load(f)["outputs"]
    assert sorted(manifest) == made  # every file of both builds, none lost
    import hashlib

    for name in made:
        with open(os.path.join(out, name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == manifest[name]["sha256"]
    assert not [n for n in os.listdir(tmp_path) if "staging" in n]


def test_files_and_folders_reach_the_disk_before_and_after_the_rename(tmp_path, monkeypatch):
    from briefing import outdir

    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def rename(src, dst):
        events.append(("rename", os.fspath(dst)))
        real_rename(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "rename", rename)
    out = str(tmp_path / "out")
    outdir.write_all({"a.txt": b"a", "b.txt": b"b"}, out)  # a new folder: renamed into place
    staged = [path for kind, path in events if kind == "fsync" and os.path.basename(path) == "a.txt"]
    assert len(staged) == 1
    staging = os.path.dirname(staged[0])
    order = [(kind, os.path.basename(path) if os.path.dirname(path) == staging else path) for kind, path in events]
    assert order == [("fsync", "a.txt"), ("fsync", "b.txt"), ("fsync", staging), ("rename", out),
                     ("fsync", str(tmp_path))]
    events.clear()
    outdir.write_all({"a.txt": b"A"}, out)  # an existing folder: exchanged with a copy holding the new file
    assert [kind for kind, _ in events] == ["fsync", "fsync", "fsync"]
    assert events[-1] == ("fsync", str(tmp_path)) and os.path.basename(events[0][1]) == "a.txt"
    assert open(os.path.join(out, "a.txt"), "rb").read() == b"A"


def test_a_stale_staging_folder_that_cannot_be_removed_is_reported(project, tmp_path, monkeypatch, capsys):
    import shutil

    from briefing import outdir

    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.{outdir.STAGING}{dead.stdout.strip()}-x"
    stale.mkdir()
    (stale / "half.pdf").write_bytes(b"%PDF")
    real_rmtree = shutil.rmtree

    def stuck(path, ignore_errors=False, onerror=None, **kw):
        if os.fspath(path) == str(stale):
            onerror(os.unlink, str(stale / "half.pdf"), (PermissionError, PermissionError(13, "Permission denied"),
                                                         None))
            return
        real_rmtree(path, ignore_errors=ignore_errors, onerror=onerror, **kw)

    monkeypatch.setattr(shutil, "rmtree", stuck)
    assert main(_build_args(project, str(out), "visit-politics", "-a", "minister", "-f", "md")) == 0
    err = capsys.readouterr().err
    assert f"{stale}: a staging folder left by a killed build could not be removed ({stale / 'half.pdf'}: " \
           "[Errno 13] Permission denied)" in err
    assert "remove it by hand" in err
    assert os.path.exists(out / "visit-politics.minister.md")
