"""--reference-docx with the reference documents users make (pandoc, LibreOffice, a non-English Word, a built
brief), read back by python-docx, pandoc and LibreOffice; and every broken reference reported as bad input."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import in_project, need
from readers import docx_part, pandoc_footnotes

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BRIEF = ["visit-politics", "-a", "analyst"]  # the short brief: two pages, headings of two levels
BUILT = "visit-politics.analyst.docx"
KINDS = ("pandoc", "libreoffice", "german-ids", "built-brief")


def _build(project, out, *extra) -> int:
    return in_project(project, "build", "-o", str(out), *extra)


def _soffice(tmp, *args):
    run = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/lo-profile", *args],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run


def _german(path):
    """python-docx's default template with style ids as German Word writes them; the names stay Word's."""
    import docx
    from docx.shared import RGBColor

    document = docx.Document()
    document.styles["Heading 1"].font.color.rgb = RGBColor(0x99, 0x00, 0x33)
    document.save(path)
    renames = {"Heading1": "berschrift1", "Heading2": "berschrift2", "Heading3": "berschrift3",
               "Normal": "Standard", "Title": "Titel", "ListBullet": "Aufzhlungszeichen"}
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["word/styles.xml"].decode()
    for old, new in renames.items():
        xml = re.sub(rf'(w:(?:styleId|val))="{old}"', rf'\1="{new}"', xml)
    assert 'w:styleId="berschrift1"' in xml and '<w:name w:val="heading 1"/>' in xml
    parts["word/styles.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.fixture(scope="module")
def references(built, tmp_path_factory):
    """Each kind of reference document, made as a user would make it (a built brief: the shared build's)."""
    need("pandoc")
    need("soffice")
    tmp = tmp_path_factory.mktemp("refs")
    refs = {}
    refs["pandoc"] = tmp / "pandoc.docx"
    with open(refs["pandoc"], "wb") as f:
        subprocess.run(["pandoc", "--print-default-data-file", "reference.docx"], check=True, stdout=f)
    (tmp / "house.txt").write_text("Our house style.\n\nA second paragraph.\n")
    _soffice(tmp, "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp), str(tmp / "house.txt"))
    refs["libreoffice"] = tmp / "house.docx"
    refs["german-ids"] = tmp / "german.docx"
    _german(refs["german-ids"])
    refs["built-brief"] = tmp / BUILT
    shutil.copy(os.path.join(built, BUILT), refs["built-brief"])
    return refs


@pytest.fixture(scope="module")
def with_references(project, references, tmp_path_factory):
    """The same brief built with each reference, the Markdown beside it, and LibreOffice's PDF of each."""
    out = tmp_path_factory.mktemp("with")
    docs = {}
    for kind, ref in references.items():
        assert _build(project, out / kind, "-f", "docx,md", "--reference-docx", str(ref), *BRIEF) == 0, kind
        docs[kind] = out / kind / BUILT
        shutil.copy(docs[kind], out / f"{kind}.docx")
    _soffice(out, "--convert-to", "pdf", "--outdir", str(out / "pdf"), *[str(out / f"{k}.docx") for k in docs])
    return out, docs


def _heading_paragraphs(path):
    import docx

    document = docx.Document(str(path))
    return [p for p in document.paragraphs if p.style.name.lower().startswith("heading")]


@pytest.mark.parametrize("kind", KINDS)
def test_a_brief_built_with_each_reference_has_its_heading_styles_and_all_notes(with_references, kind):
    out, docs = with_references
    path = docs[kind]
    headings = _heading_paragraphs(path)
    assert {p.style.name for p in headings} >= {"Heading 1", "Heading 2"}, kind
    assert pandoc_footnotes(str(path)) == pandoc_footnotes(str(path)[:-5] + ".md")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    assert len(names) == len(set(names)), "a part written twice"
    assert (out / "pdf" / f"{kind}.pdf").stat().st_size > 0, "LibreOffice did not open it"
    text = subprocess.run(["pdftotext", str(out / "pdf" / f"{kind}.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert headings[0].text in text


def test_the_reference_heading_style_wins_and_is_found_by_name_not_id(with_references):
    _, docs = with_references
    styles = docx_part(str(docs["german-ids"]), "word/styles.xml")
    heading = re.search(r'<w:style [^>]*w:styleId="berschrift1".*?</w:style>', styles, re.S).group(0)
    assert '<w:name w:val="heading 1"/>' in heading and '<w:color w:val="990033"/>' in heading
    assert 'w:styleId="Heading1"' not in styles  # found, not added a second time
    assert '<w:pStyle w:val="berschrift1"/>' in docx_part(str(docs["german-ids"]), "word/document.xml")


def test_pandoc_reference_keeps_its_heading_look_and_gains_the_styles_it_lacks(with_references, references):
    _, docs = with_references
    before = docx_part(str(references["pandoc"]), "word/styles.xml")
    after = docx_part(str(docs["pandoc"]), "word/styles.xml")
    heading = re.search(r'<w:style [^>]*w:styleId="Heading1".*?</w:style>', before, re.S).group(0)
    colour = re.search(r'<w:color w:val="(\w+)"', heading).group(1)
    assert re.search(rf'w:styleId="Heading1".*?<w:color w:val="{colour}"', after, re.S)
    for name in ("header", "footer", "List Bullet", "List Number", "Quote", "Table Text", "Brief Table"):
        assert f'<w:name w:val="{name}"/>' in after and f'<w:name w:val="{name}"/>' not in before, name


def test_house_style_fills_in_where_the_reference_is_silent(with_references, style):
    """pandoc's Normal sets no colour: the house text colour applies; the styles it lacks are the house's."""
    import docx
    from docx.shared import Pt

    document = docx.Document(str(with_references[1]["pandoc"]))
    assert str(document.styles["Normal"].font.color.rgb) == style.colours.text.upper()
    handling = document.styles["Handling"]
    assert handling.font.size == Pt(style.sizes.furniture)
    assert handling.font.name == style.heading_font.family


def test_a_built_brief_as_reference_keeps_no_old_text_notes_or_headers(with_references, references):
    _, docs = with_references
    old = docx_part(str(references["built-brief"]), "word/footnotes.xml")
    new = docx_part(str(docs["built-brief"]), "word/footnotes.xml")
    assert old.count("<w:footnote ") == new.count("<w:footnote ")  # same brief: same notes, not twice as many
    with zipfile.ZipFile(docs["built-brief"]) as z:
        headers = [n for n in z.namelist() if re.fullmatch(r"word/header\d+\.xml", n)]
        footers = [n for n in z.namelist() if re.fullmatch(r"word/footer\d+\.xml", n)]
    assert len(headers) == 1 and len(footers) == 2


def test_the_same_reference_and_inputs_give_identical_bytes(project, references, with_references, tmp_path):
    assert _build(project, tmp_path, "-f", "docx", "--reference-docx", str(references["german-ids"]), *BRIEF) == 0
    assert (tmp_path / BUILT).read_bytes() == with_references[1]["german-ids"].read_bytes()


def test_libreoffice_separators_do_not_clash_with_note_one(with_references):
    _, docs = with_references
    notes = docx_part(str(docs["libreoffice"]), "word/footnotes.xml")
    assert re.findall(r'<w:footnote w:type="\w+" w:id="(-?\d+)"', notes) == ["-1", "0"]
    assert "<w:footnote w:id=" not in docx_part(str(docs["libreoffice"]), "word/settings.xml")


# -- broken references ---------------------------------------------------------------------------------------


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _valid_members() -> dict[str, bytes]:
    import io

    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as z:
        return {n: z.read(n) for n in z.namelist()}


def _empty(path):
    path.write_bytes(b"")


def _text(path):
    path.write_text("This is a letter, not a Word document.\n")


def _no_styles(path):
    members = _valid_members()
    del members["word/styles.xml"]
    _zip(path, members)


def _styles_not_xml(path):
    _zip(path, {**_valid_members(), "word/styles.xml": b"this is not <xml"})


def _ten_thousand_members(path):
    members = _valid_members()
    _zip(path, {**members, **{f"word/media/m{i}.bin": b"" for i in range(10_000 - len(members))}})


def _undefined_entity(path):
    styles = _valid_members()["word/styles.xml"].decode()
    body = styles[styles.index("<w:styles"):]
    doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE w:styles SYSTEM "http://example.invalid/x.dtd">\n'
           + body.replace("</w:styles>", '<w:style w:type="paragraph" w:styleId="X"><w:name w:val="X"/>&xxe;'
                          "</w:style></w:styles>"))
    _zip(path, {**_valid_members(), "word/styles.xml": doc.encode()})


def _gigabyte_styles(path):
    members = _valid_members()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in members.items():
            if name != "word/styles.xml":
                z.writestr(name, data)
        with z.open("word/styles.xml", "w", force_zip64=True) as f:
            chunk = b" " * 2**20
            for _ in range(1024):
                f.write(chunk)
    assert path.stat().st_size < 8 * 2**20


def _no_body(path):
    members = _valid_members()
    members["word/document.xml"] = re.sub(rb"<w:body>.*</w:body>", b"", members["word/document.xml"], flags=re.S)
    _zip(path, members)


def _spreadsheet(path):
    members = _valid_members()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml")
    _zip(path, members)


BROKEN = {
    "empty": (_empty, "reference .docx is empty, not a Word document"),
    "text-file": (_text, "not a Word document (not a readable zip file: File is not a zip file)"),
    "no-styles": (_no_styles, "not a Word document: it has no word/styles.xml"),
    "styles-not-xml": (_styles_not_xml, "word/styles.xml is not well-formed XML: Start tag expected, '<' not "
                       "found, line 1, column 1"),
    "ten-thousand-members": (_ten_thousand_members, "reference .docx holds 10000 files; a Word document holds a "
                             "few dozen and at most 1000 are read"),
    "undefined-entity": (_undefined_entity, "word/styles.xml line 3: undefined entity &xxe;"),
    "no-body": (_no_body, "not a Word document: word/document.xml has no <w:body>"),
    "not-a-document-part": (_spreadsheet, "not a Word document: its main part is of type "
                            "'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'"),
    "gigabyte-styles": (_gigabyte_styles, "reference .docx unpacks to 1024 MiB (word/styles.xml alone 1024 MiB); "
                        "at most 256 MiB is read"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_reference_is_bad_input_in_build(project, case, tmp_path, capsys):
    make, message = BROKEN[case]
    ref = tmp_path / "ref.docx"
    make(ref)
    assert _build(project, tmp_path / "out", "-f", "docx", "--reference-docx", str(ref), *BRIEF) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == f"{ref}: {message}", err
    assert err.splitlines()[1].startswith("    "), "no hint"
    assert "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["text-file", "undefined-entity"])
def test_check_reports_a_broken_reference_named_in_the_house_style(case, project_copy, capsys):
    make, message = BROKEN[case]
    templates = os.path.join(project_copy, "templates")
    make(__import__("pathlib").Path(templates) / "house.docx")
    style = os.path.join(templates, "style.yaml")
    with open(style, encoding="utf-8") as f:
        text = f.read()
    with open(style, "w", encoding="utf-8") as f:
        f.write(re.sub(r"^reference_docx: null", "reference_docx: house.docx", text, flags=re.M))
    assert in_project(project_copy, "check") == 1
    err = capsys.readouterr().err
    assert f"{os.path.join(templates, 'house.docx')}: {message}" in err.splitlines()


def test_a_list_style_naming_a_missing_list_definition_gives_plain_numbered_paragraphs(project, tmp_path):
    import docx

    document = docx.Document()
    number = document.styles["List Number"].element
    number.pPr.numPr.numId.val = 999
    document.save(tmp_path / "ref.docx")
    assert _build(project, tmp_path / "out", "-f", "docx", "--reference-docx", str(tmp_path / "ref.docx"),
                  *BRIEF) == 0
