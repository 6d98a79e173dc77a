"""A real headless browser for the HTML and `serve` tests (Debian's chromium and chromium-driver, through Selenium),
and the checkers run on HTML: the Nu HTML Checker (vnu.jar) and axe-core, both from node_modules (package.json)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile

from conftest import ROOT, missing, need

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1100,900")
"""Headless, as root, and making no connection of its own: this machine's network is closed."""
AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
VNU = os.path.join(ROOT, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")


def _need_file(path: str) -> str:
    if not os.path.isfile(path):
        missing(f"{os.path.relpath(path, ROOT)} is missing (scripts/setup --test runs npm ci)")
    return path


@contextlib.contextmanager
def chromium():
    """Yield a Selenium driver of a fresh headless Chromium; quit it afterwards."""
    binary, driver_path = need("chromium"), need("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never try to download a driver
    profile = tempfile.mkdtemp(prefix="briefing-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def axe_violations(driver) -> list[dict]:
    """Run axe-core on the page the driver shows; return its violations (id, impact, help, nodes' targets)."""
    with open(_need_file(AXE), encoding="utf-8") as f:
        driver.execute_script(f.read())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)),"
        " e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));")
    return [{"id": v["id"], "impact": v.get("impact"), "help": v["help"],
             "targets": [n.get("target") for n in v["nodes"]][:5]} for v in json.loads(result)]


def vnu_messages(paths: list[str]) -> list[dict]:
    """Return the Nu HTML Checker's messages (errors and warnings) for the HTML files at `paths`."""
    java = need("java")
    out = subprocess.run([java, "-jar", _need_file(VNU), "--format", "json", "--exit-zero-always", *paths],
                         capture_output=True, text=True, timeout=300)
    return json.loads(out.stderr or out.stdout)["messages"]
