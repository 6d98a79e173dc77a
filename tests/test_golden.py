"""A fresh install builds byte-identical files to the golden outputs (tests/data/golden; scripts/update-golden)."""

from __future__ import annotations

import os

from conftest import need
from golden_outputs import SUMS, build, explain, read_sums


def test_a_fresh_install_builds_the_golden_pdf_and_docx_byte_for_byte(tmp_path):
    need("pdftotext")
    expected = read_sums()
    assert sorted(expected) == ["golden.analyst.docx", "golden.analyst.pdf"], f"{SUMS} lists other files"
    built = build(str(tmp_path))
    assert sorted(built) == sorted(expected), f"the build wrote {sorted(built)}, the golden files are {sorted(expected)}"
    differ = [explain(name, os.path.join(tmp_path, name)) for name in sorted(expected) if built[name] != expected[name]]
    assert not differ, "\n\n".join(differ)
