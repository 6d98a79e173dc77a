"""Compiled templates kept between runs (briefing.sandbox's cache): used when nothing changed, compiled again
when a template did, the same Markdown and the same positioned errors either way, and never read from a folder
that others could write."""

from __future__ import annotations

import os
import stat

import pytest
from conftest import in_project

import briefing.mdtext
import briefing.sandbox
from briefing.compose import Composer
from briefing.project import Project


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> str:
    folder = str(tmp_path / "cache")
    monkeypatch.setenv(briefing.sandbox.CACHE_ENV, folder)
    return folder


def compose(project: str) -> tuple[list[str], str]:
    """(names of the templates compiled, the composed Markdown) of the project's first brief and audience, as a
    new run composes it."""
    compiled: list[str] = []
    env_compile = briefing.sandbox.BoundedEnvironment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        if name is not None:
            compiled.append(name)
        return env_compile(self, source, name, filename, raw, defer_init)

    p = Project.load(directory=project)
    composer = Composer(p.facts, p.templates)
    composer.env.compile = counting.__get__(composer.env)
    brief, audience = next(iter(p.briefs.values())), next(iter(p.audiences.values()))
    return compiled, composer.compose(brief, audience).markdown


def test_a_second_run_compiles_nothing_and_composes_the_same(project_copy, cache):
    compiled, first = compose(project_copy)
    assert compiled and len(os.listdir(cache)) == len(set(compiled))
    again, second = compose(project_copy)
    assert again == [] and second == first


def test_an_edited_template_is_compiled_again(project_copy, cache):
    compose(project_copy)
    base = os.path.join(project_copy, "templates", "base.md.j2")
    with open(base, "a", encoding="utf-8") as f:
        f.write("\nAn added closing line.\n")
    compiled, markdown = compose(project_copy)
    assert compiled == ["base.md.j2"] and "An added closing line." in markdown


def test_an_error_from_a_kept_template_is_reported_at_its_line_as_before(project_copy, cache, capsys):
    base = os.path.join(project_copy, "templates", "base.md.j2")
    lines = open(base, encoding="utf-8").read().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("{% import")) + 1
    lines.insert(at, "{{ no_such_name }}")
    open(base, "w", encoding="utf-8").write("\n".join(lines))
    reports = []
    for _ in range(2):  # compiled, then read from the cache
        assert in_project(project_copy, "build", "-f", "md") == 1
        reports.append(capsys.readouterr().err)
    assert reports[0] == reports[1]
    assert f"base.md.j2:{at + 1}:" in reports[0] and "no_such_name" in reports[0]
    assert os.listdir(cache)


def test_a_cache_folder_others_can_write_or_an_empty_setting_is_not_used(tmp_path, monkeypatch):
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv(briefing.sandbox.CACHE_ENV, str(folder))
    assert briefing.sandbox.cache_folder() is None
    folder.chmod(stat.S_IRWXU)
    assert briefing.sandbox.cache_folder() == str(folder)
    monkeypatch.setenv(briefing.sandbox.CACHE_ENV, "")
    assert briefing.sandbox.cache_folder() is None


def test_without_a_setting_the_cache_is_in_the_users_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(briefing.sandbox.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert briefing.sandbox.cache_folder() == str(tmp_path / "briefing" / "templates")
    assert stat.S_IMODE(os.stat(tmp_path / "briefing" / "templates").st_mode) == stat.S_IRWXU


def test_a_changed_filter_or_a_changed_module_source_is_a_new_key(project_copy, cache, monkeypatch, tmp_path):
    """Jinja calls some filters and the finalize function while compiling and keeps what they return, so a
    template compiled with other filters, or with another version of briefing's code, is not reused."""
    compose(project_copy)
    p = Project.load(directory=project_copy)
    composer = Composer(p.facts, p.templates)
    keys = composer.env.bytecode_cache
    before = keys.get_cache_key("base.md.j2", "templates/base.md.j2")
    composer.env.filters["escape_md"] = lambda value: "OLD" + value
    old = keys.get_cache_key("base.md.j2", "templates/base.md.j2")
    composer.env.filters["escape_md"] = lambda value: "NEW" + value  # the same name, module and qualname
    assert len({before, old, keys.get_cache_key("base.md.j2", "templates/base.md.j2")}) == 3
    edited = tmp_path / "mdtext.py"
    edited.write_bytes(open(briefing.mdtext.__file__, "rb").read() + b"\n# another version\n")
    monkeypatch.setattr(briefing.mdtext, "__file__", str(edited))
    other = Composer(p.facts, p.templates).env.bytecode_cache
    assert other.get_cache_key("base.md.j2", "templates/base.md.j2") not in (before, "")
    assert Composer(p.facts, p.templates).env.bytecode_cache.get_cache_key(
        "base.md.j2", "templates/base.md.j2") == other.get_cache_key("base.md.j2", "templates/base.md.j2")


def test_a_damaged_or_foreign_cache_file_is_compiled_again_and_a_lost_folder_fails_nothing(project_copy, cache):
    compiled, first = compose(project_copy)
    names = sorted(os.listdir(cache))
    with open(os.path.join(cache, names[0]), "r+b") as f:
        f.truncate(12)  # cut short inside the checksum
    os.chmod(os.path.join(cache, names[1]), 0o666)  # a file others could have written
    again, second = compose(project_copy)
    assert len(again) == 2 and second == first
    for name in os.listdir(cache):
        os.remove(os.path.join(cache, name))
    p = Project.load(directory=project_copy)
    composer = Composer(p.facts, p.templates)
    os.rmdir(cache)  # gone while the run goes on (as with a full disk, or a folder made read-only): nothing kept
    brief, audience = next(iter(p.briefs.values())), next(iter(p.audiences.values()))
    assert composer.compose(brief, audience).markdown == first
    assert composer.env.bytecode_cache.writable is False


def test_a_folder_under_one_others_can_write_is_not_used_unless_that_one_is_sticky(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(briefing.sandbox.CACHE_ENV, str(shared / "mine"))
    assert briefing.sandbox.cache_folder() is None  # another user could rename "mine" and put theirs there
    shared.chmod(0o1777)
    assert briefing.sandbox.cache_folder() == str(shared / "mine")
