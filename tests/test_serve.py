"""`briefing serve`, driven through a real headless browser: the index, notes both ways, a saved change shown
without a reload, problems above the last good version, nothing outside the served set, nothing written."""

from __future__ import annotations

import http.client
import os
import shutil
import time

import pytest
from browser import axe_violations, chromium
from conftest import ROOT

from briefing.project import Project
from briefing.serve import Preview, Sources, is_loopback, sources

GOLDEN = os.path.join(ROOT, "tests", "data", "golden")


def wait_until(predicate, timeout: float = 10.0, step: float = 0.05):
    """Return predicate()'s first true value within `timeout` seconds; fail the test otherwise."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"not within {timeout} s: {getattr(predicate, '__doc__', None) or predicate}")
        time.sleep(step)


def _project(root) -> str:
    """A copy of the golden project at `root`, with a second audience (minister) for its brief."""
    shutil.copytree(GOLDEN, root, ignore=shutil.ignore_patterns("expected", "SHA256SUMS", "ENVIRONMENT"))
    audiences = root / "templates" / "audiences"
    minister = (audiences / "analyst.yaml").read_text().replace("label: Desk Analysts", "label: The Minister")
    (audiences / "minister.yaml").write_text(minister.replace("detail: full", "detail: summary"))
    brief = root / "templates" / "briefs" / "golden.yaml"
    brief.write_text(brief.read_text().replace("audiences: [analyst]", "audiences: [analyst, minister]"))
    (root / "briefing.yaml").write_text("facts: facts.yaml\ntemplates: templates\n")
    return str(root)


@pytest.fixture()
def project(tmp_path) -> str:
    """A project of the test's own, to change."""
    return _project(tmp_path / "project")


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> str:
    """A project that the module's tests only read."""
    return _project(tmp_path_factory.mktemp("shared") / "project")


def _sources(root: str) -> Sources:
    return sources(root)


def _started(root: str):
    """The preview of the project at `root` on a free loopback port, once every file is rendered."""
    p = Preview(_sources(root), port=0).start()
    wait_until(lambda: not p.state.snapshot.busy and len(p.state.snapshot.files) == 4)
    return p


@pytest.fixture()
def preview(project):
    """The preview of the test's own project."""
    p = _started(project)
    yield p
    p.close()


@pytest.fixture(scope="module")
def reading(shared):
    """The preview of the shared project, for tests that change nothing."""
    p = _started(shared)
    yield p
    p.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def _frame_text(driver) -> str:
    """The text of the brief in the preview's frame ('' while it loads)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    try:
        driver.switch_to.default_content()
        driver.switch_to.frame(driver.find_element("id", "brief"))
        return driver.find_element("tag name", "article").text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""
    finally:
        driver.switch_to.default_content()


def _edit(path: str, old: str, new: str) -> None:
    with open(path, encoding="utf-8") as f:
        content = f.read()
    assert old in content
    with open(path, "w", encoding="utf-8") as f:
        f.write(content.replace(old, new))


def test_the_index_lists_every_brief_for_each_audience_as_html_and_pdf(reading, shared, browser):
    project_pairs = Project.load(directory=shared).plan([], [])
    assert len(project_pairs) == 2
    browser.get(reading.url)
    rows = browser.find_elements("css selector", "main table tbody tr")
    listed = []
    for row in rows:
        links = {a.text: a.get_attribute("href") for a in row.find_elements("tag name", "a")}
        assert sorted(links) == ["HTML", "PDF"]
        listed.append(links["HTML"].rsplit("/", 1)[1])
        assert links["PDF"] == links["HTML"][:-len("html")] + "pdf"
    assert listed == [f"{b.name}.{a.name}.html" for b, a in project_pairs]
    browser.find_element("link text", "PDF").click()
    frame = browser.find_element("id", "brief")
    pdf = _get(reading, frame.get_attribute("data-src"))
    assert pdf.status == 200 and pdf.getheader("Content-Type") == "application/pdf"
    assert pdf.read().startswith(b"%PDF-")


def test_a_pages_notes_link_to_their_marks_and_back(reading, browser):
    browser.get(reading.url + "preview/golden.analyst.html")
    wait_until(lambda: _frame_text(browser))
    browser.switch_to.frame(browser.find_element("id", "brief"))
    try:
        marks = browser.find_elements("css selector", "a[role=doc-noteref]")
        notes = browser.find_elements("css selector", "section[role=doc-endnotes] > ol > li")
        assert marks and len(marks) == len(notes)
        in_view = "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;"
        mark = marks[2]
        mark.click()
        note = browser.find_element("id", "fn-3")
        assert browser.execute_script("return location.hash") == "#fn-3"
        assert browser.execute_script(in_view, note)
        assert note.text.strip()
        assert not browser.execute_script(in_view, mark)
        note.find_element("css selector", "a[role=doc-backlink]").click()
        assert browser.execute_script("return location.hash") == "#fnref-3"
        assert browser.execute_script(in_view, browser.find_element("id", "fnref-3"))
    finally:
        browser.switch_to.default_content()


def test_a_saved_change_to_a_fact_shows_on_the_open_page_within_two_seconds(preview, project, browser):
    browser.get(preview.url + "preview/golden.analyst.html")
    wait_until(lambda: "About 120 firms exhibited" in _frame_text(browser))
    browser.execute_script("window.notReloaded = true")
    _edit(f"{project}/facts.yaml", "statement: About 120 firms exhibited", "statement: About 140 firms exhibited")
    saved = time.monotonic()
    wait_until(lambda: "About 140 firms exhibited" in _frame_text(browser), timeout=2.0, step=0.02)
    assert time.monotonic() - saved < 2.0
    assert browser.execute_script("return window.notReloaded === true")  # the frame was reloaded, not the page
    assert "About 120 firms" not in _frame_text(browser)


def test_a_template_typo_shows_its_line_above_the_last_good_version_and_the_fix_clears_it(preview, project, browser):
    template = f"{project}/templates/briefs/golden.md.j2"
    browser.get(preview.url + "preview/golden.analyst.html")
    wait_until(lambda: "About 120 firms exhibited" in _frame_text(browser))
    panel = browser.find_element("id", "problems")
    assert not panel.is_displayed()
    _edit(template, '{{ say("fair.contracts") }}', '{{ say("fair.contracts") }')
    wait_until(panel.is_displayed, timeout=5)
    message = panel.text
    assert "golden.md.j2:11" in message, message
    assert "Traceback" not in browser.page_source
    assert browser.find_element("id", "status").text.startswith("Problems")
    assert "About 120 firms exhibited" in _frame_text(browser)  # the last good version, under the problems
    above = "return arguments[0].getBoundingClientRect().bottom <= arguments[1].getBoundingClientRect().top"
    assert browser.execute_script(above, panel, browser.find_element("id", "brief"))
    _edit(template, '{{ say("fair.contracts") }', '{{ say("fair.contracts") }}')
    wait_until(lambda: not panel.is_displayed(), timeout=5)
    wait_until(lambda: browser.find_element("id", "status").text == "Up to date")


def test_an_unknown_fact_in_a_template_names_its_file_line_and_hint(preview, project, browser):
    browser.get(preview.url)
    _edit(f"{project}/templates/briefs/golden.md.j2", 'say("fair.halls")', 'say("fair.hals")')
    panel = browser.find_element("id", "problems")
    wait_until(panel.is_displayed, timeout=5)
    assert "golden.md.j2:5" in panel.text and "fair.hals" in panel.text
    assert panel.find_element("css selector", ".hint").text  # what to do about it
    assert len(browser.find_elements("css selector", "main table tbody tr")) == 2  # the index stays


def _get(preview, path: str, method: str = "GET", host: str | None = None) -> http.client.HTTPResponse:
    """Send `path` exactly as written (no client-side normalisation of '..')."""
    address, port = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(address, port, timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host or f"{address}:{port}")
    connection.endheaders()
    return connection.getresponse()


@pytest.mark.parametrize("path", [
    "/../facts.yaml", "/facts.yaml", "/../../etc/passwd", "/%2e%2e/facts.yaml", "/brief/../facts.yaml",
    "/brief/..%2Ffacts.yaml", "/brief/..%2F..%2Ffacts.yaml", "/brief/golden.analyst.md", "/brief/golden.analyst.docx",
    "/templates/style.yaml", "/_assets/../serve.py", "/_assets/brief.css", "/_assets/%2e%2e/serve.py",
    "/preview/facts.yaml", "/preview/..%2Ffacts.yaml", "//etc/passwd", "/briefing.yaml", "/out/", "/brief/",
    "/brief/golden.analyst.html/..", "/brief/%00", "http://example.org/", "*",
])
def test_paths_outside_the_served_set_get_404(reading, path):
    response = _get(reading, path)
    assert response.status == 404, path
    assert b"facts" not in response.read()


def test_the_browser_gets_404_outside_the_served_set(reading, browser):
    for path in ("../facts.yaml", "facts.yaml", "templates/style.yaml"):
        browser.get(reading.url + path)
        assert browser.find_element("tag name", "h1").text == "Not found"


def test_the_served_set_is_the_index_previews_files_events_and_assets(reading):
    for path, kind in [("/", "text/html"), ("/preview/golden.minister.pdf", "text/html"),
                       ("/brief/golden.analyst.html", "text/html"), ("/brief/golden.minister.pdf", "application/pdf"),
                       ("/_assets/live.js", "text/javascript"), ("/_assets/preview.css", "text/css")]:
        response = _get(reading, path)
        assert (response.status, response.getheader("Content-Type").split(";")[0]) == (200, kind), path
        assert response.getheader("X-Content-Type-Options") == "nosniff"
    response = _get(reading, "/events", method="HEAD")
    assert response.getheader("Content-Type").startswith("text/event-stream")


def test_only_get_and_head_are_answered(reading):
    assert _get(reading, "/", method="POST").status == 405
    assert _get(reading, "/brief/golden.analyst.html", method="PUT").status == 405


def test_a_request_naming_another_host_is_refused_on_loopback(reading):
    """A web page reaching the preview through a name of its own (DNS rebinding) gets nothing."""
    assert _get(reading, "/brief/golden.analyst.html", host="attacker.example").status == 421
    assert _get(reading, "/", host=f"localhost:{reading.server.server_address[1]}").status == 200


def test_the_preview_listens_on_loopback_unless_told_otherwise(project):
    with Preview(_sources(project), port=0) as p:
        assert p.server.server_address[0] == "127.0.0.1" and p.url.startswith("http://127.0.0.1:")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2") and not is_loopback("example.org")


def _tree(root: str) -> dict:
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            st = os.stat(path)
            found[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return found


def test_serving_writes_nothing_into_the_project(project, browser):
    before = _tree(project)
    with Preview(_sources(project), port=0) as p:
        wait_until(lambda: not p.state.snapshot.busy and len(p.state.snapshot.files) == 4)
        browser.get(p.url + "preview/golden.analyst.html")
        wait_until(lambda: _frame_text(browser))
        browser.get(p.url + "brief/golden.minister.pdf")
    assert _tree(project) == before


def test_a_bug_shows_a_message_on_the_page_never_a_traceback(project, browser, capsys):
    def load():
        raise RuntimeError("a bug for the test")

    with Preview(Sources(load, (f"{project}/templates",), (project,)), port=0) as p:
        wait_until(lambda: p.state.snapshot.problems)
        browser.get(p.url)
        panel = browser.find_element("id", "problems")
        assert "an internal error stopped the preview (RuntimeError: a bug for the test)" in panel.text
        assert "Traceback" not in browser.page_source
        assert browser.find_element("css selector", "main").text  # never a blank page
    assert "Traceback" in capsys.readouterr().err  # the terminal has it


def test_the_preview_pages_have_no_accessibility_violations(reading, browser):
    for path in ("", "preview/golden.analyst.html", "preview/golden.minister.pdf"):
        browser.get(reading.url + path)
        assert axe_violations(browser) == [], path
    browser.get(reading.url + "brief/golden.analyst.html")  # Urdu, Cyrillic and Chinese in their spans
    assert browser.find_elements("css selector", 'span[lang="ur"][dir="rtl"]')
    assert axe_violations(browser) == []


def test_the_preview_shows_the_bytes_build_writes(reading, shared, tmp_path):
    from briefing.cli import main

    assert main(["-C", shared, "build", "-f", "html,pdf", "-o", str(tmp_path / "out")]) == 0
    for name in ("golden.analyst.html", "golden.minister.pdf"):
        assert _get(reading, f"/brief/{name}").read() == (tmp_path / "out" / name).read_bytes()


def test_the_command_serves_on_loopback_and_stops_on_ctrl_c(project):
    import signal
    import subprocess
    import sys

    command = [sys.executable, "-m", "briefing", "-C", project, "serve", "--port", "0"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = server.stderr.readline()
        assert line.startswith("briefing serve: the briefs are at http://127.0.0.1:"), line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) == 0
    assert "Traceback" not in server.stderr.read()


def test_a_port_in_use_is_an_environment_failure(project, capsys):
    import socket

    from briefing.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["-C", project, "serve", "--port", str(taken.getsockname()[1])]) == 3
    assert "pass another --port" in capsys.readouterr().err
