"""The tagged PDF: a structure tree in reading order, every piece of text in it or an artifact, links and notes
tied to their elements, languages, metadata; read back with pikepdf and poppler, not with the renderer."""

from __future__ import annotations

import os
import subprocess

from conftest import ROOT, need, outputs
from readers import pandoc_footnotes

from briefing import model as m
from briefing.render.pdf import PdfWriter
from samples import FILLER, WHEN, golden_document, meta, note

TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


def _pdfs(built: str) -> list[str]:
    return outputs(built, "*.pdf")


def _render(writer, doc, tmp_path, name="doc.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(writer.render(doc, WHEN))
    return str(path)


# -- reading a tagged PDF with pikepdf -------------------------------------------------------------------


def _marked_text(pdf) -> tuple[list[tuple[int, str]], set[tuple[int, int]]]:
    """Walk every page's content, into its forms: return (page, operator) of each text-showing operator outside
    marked content that is an MCID or an artifact, and the (page, MCID) pairs the pages mark."""
    import pikepdf

    loose, mcids = [], set()

    def walk(stream, page, stack, resources, seen):
        for operands, op in pikepdf.parse_content_stream(stream):
            op = str(op)
            if op == "BMC":
                stack.append(("artifact" if str(operands[0]) == "/Artifact" else None))
            elif op == "BDC":
                tag, props = operands
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                if str(tag) == "/Artifact":
                    stack.append("artifact")
                elif mcid is not None:
                    assert (page, int(mcid)) not in mcids, f"MCID {mcid} used twice on page {page}"
                    mcids.add((page, int(mcid)))
                    stack.append(int(mcid))
                else:
                    stack.append(None)
            elif op == "EMC":
                stack.pop()
            elif op in TEXT_SHOWING and not any(s is not None for s in stack):
                loose.append((page, op))
            elif op == "Do":
                xobject = resources.get("/XObject", {}).get(str(operands[0]))
                if xobject is not None and xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                    walk(xobject, page, list(stack), xobject.get("/Resources", resources), seen | {xobject.objgen})

    for i, page in enumerate(pdf.pages):
        walk(page, i, [], page.obj.get("/Resources", {}), frozenset())
    return loose, mcids


def _elements(pdf):
    """Yield (element, parent) for every structure element, depth first in tree order."""
    import pikepdf

    def kids(el):
        k = el.get("/K")
        return [] if k is None else list(k) if isinstance(k, pikepdf.Array) else [k]

    def walk(el, parent):
        yield el, parent
        for kid in kids(el):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/MCR", "/OBJR"):
                yield from walk(kid, el)

    root = pdf.Root.StructTreeRoot
    for top in kids(root):
        yield from walk(top, root)


def _content_of(el, pages: dict) -> tuple[list[tuple[int, int]], list]:
    """Return the (page, MCID) pairs and the annotations (OBJR) an element holds directly."""
    import pikepdf

    k = el.get("/K")
    items = [] if k is None else list(k) if isinstance(k, pikepdf.Array) else [k]
    own_page = pages.get(el.Pg.objgen) if "/Pg" in el else None
    mcrs, objrs = [], []
    for kid in items:
        if isinstance(kid, int):
            mcrs.append((own_page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            page = pages[kid.Pg.objgen] if "/Pg" in kid else own_page
            mcrs.append((page, int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            objrs.append(kid.Obj)
    return mcrs, objrs


def _struct_text(path: str) -> str:
    need("pdfinfo")
    return subprocess.run(["pdfinfo", "-struct-text", path], check=True, capture_output=True, text=True).stdout


# -- every built brief ------------------------------------------------------------------------------


def test_every_piece_of_text_is_in_the_structure_tree_or_an_artifact(built):
    import pikepdf

    for path in _pdfs(built):
        with pikepdf.open(path) as pdf:
            loose, mcids = _marked_text(pdf)
            assert loose == [], f"{path}: text outside marked content: {loose[:5]}"
            assert mcids, path


def test_every_mcid_belongs_to_exactly_one_element_and_the_parent_tree_agrees(built):
    import pikepdf

    for path in _pdfs(built):
        with pikepdf.open(path) as pdf:
            pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
            _, marked = _marked_text(pdf)
            owner: dict[tuple[int, int], object] = {}
            for el, _ in _elements(pdf):
                for mcr in _content_of(el, pages)[0]:
                    assert mcr not in owner, f"{path}: MCID {mcr} held by two elements"
                    owner[mcr] = el
            assert set(owner) == marked, f"{path}: marked {sorted(marked - set(owner))[:5]} not in the tree, " \
                                         f"{sorted(set(owner) - marked)[:5]} in the tree but not on the page"
            nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
            tree = dict(zip((int(k) for k in nums[::2]), nums[1::2]))
            for i, page in enumerate(pdf.pages):
                entry = tree[int(page.obj.StructParents)]
                for mcid, el in enumerate(entry):
                    assert owner[(i, mcid)].objgen == el.objgen, f"{path}: parent tree of page {i + 1}, MCID {mcid}"


def test_every_link_annotation_belongs_to_a_link_element(built):
    import pikepdf

    for path in _pdfs(built):
        with pikepdf.open(path) as pdf:
            pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
            nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
            tree = dict(zip((int(k) for k in nums[::2]), nums[1::2]))
            links = 0
            for page in pdf.pages:
                annots = page.obj.get("/Annots") or []
                if annots:
                    assert page.obj.get("/Tabs") == "/S"
                for annot in annots:
                    assert annot.Subtype == "/Link"
                    element = tree[int(annot.StructParent)]
                    assert element.S == "/Link", path
                    assert annot.objgen in [o.objgen for o in _content_of(element, pages)[1]]
                    assert str(annot.get("/Contents", "")), f"{path}: a link without a description"
                    links += 1
            assert links, path


def test_each_note_is_a_note_element_with_an_id_right_after_its_marks_paragraph(built):
    import pikepdf

    for path in _pdfs(built):
        count = len(pandoc_footnotes(path[:-4] + ".docx"))
        with pikepdf.open(path) as pdf:
            pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
            ids = list(pdf.Root.StructTreeRoot.IDTree.Names) if count else []
            id_tree = {str(k): v.objgen for k, v in zip(ids[::2], ids[1::2])}
            notes = []
            for el, parent in _elements(pdf):
                if el.S != "/Note":
                    continue
                notes.append(str(el.ID))
                assert id_tree[str(el.ID)] == el.objgen, f"{path}: {el.ID} not in the ID tree"
                siblings = list(parent.K)
                before = siblings[[s.objgen for s in siblings].index(el.objgen) - 1]
                # the element just before holds the mark (a Reference whose Link goes to this note) or is another
                # note marked in the same paragraph
                marks = [str(a.get("/Contents", "")) for e in _within(before) if e.S == "/Link"
                         for a in _content_of(e, pages)[1]]
                assert before.S == "/Note" or f"Note {str(el.ID)[3:]}" in marks, f"{path}: {el.ID} after {before.S}"
            assert sorted(notes, key=lambda n: int(n[3:])) == [f"fn-{i}" for i in range(1, count + 1)], path


def _within(el):
    import pikepdf

    yield el
    k = el.get("/K")
    for kid in ([] if k is None else list(k) if isinstance(k, pikepdf.Array) else [k]):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield from _within(kid)


def test_the_structure_text_shows_headings_lists_tables_notes_and_no_furniture(built):
    text = _struct_text(os.path.join(built, "freight-line.analyst.pdf"))
    lines = [line.strip() for line in text.splitlines()]
    for kind in ("H1 (block)", "L (block)", "LI (block)", "Lbl (block)", "Table (block)", "Caption", "TR", "TH:",
                 "/Scope /Column", "TD",
                 "Reference (inline)", "Link (inline)"):
        assert kind in lines, kind
    assert any(line.startswith("Note <fn-1>") for line in lines)
    # running header and footer are artifacts: no page number is read out
    assert "Page 1 of" not in text
    assert lines.index("Document") == 0


def test_a_header_cell_says_it_heads_its_column(built):
    import pikepdf

    with pikepdf.open(os.path.join(built, "freight-line.analyst.pdf")) as pdf:
        headers = [el for el, _ in _elements(pdf) if el.S == "/TH"]
        assert headers
        for th in headers:
            assert th.A.O == "/Table" and th.A.Scope == "/Column"


def test_the_catalog_says_language_title_and_that_it_is_tagged(built):
    import pikepdf

    for path in _pdfs(built):
        with pikepdf.open(path) as pdf:
            root = pdf.Root
            assert root.MarkInfo.Marked is True
            assert str(root.Lang)
            assert root.ViewerPreferences.DisplayDocTitle is True
            with pdf.open_metadata() as xmp:
                assert xmp["dc:title"] == str(pdf.docinfo.Title)
                assert xmp["pdfuaid:part"] == "1"
                assert xmp["xmp:CreateDate"].startswith("2025-06-07")  # the test project's as_of


def test_the_built_briefs_tag_their_cyrillic_chinese_and_urdu_runs_as_spans_in_their_language(built):
    """The test project's facts hold Cyrillic, Chinese and Urdu phrases: the real briefs carry them as Spans."""
    import pikepdf

    found = {}
    for path in _pdfs(built):
        with pikepdf.open(path) as pdf:
            for el, _ in _elements(pdf):
                if el.S == "/Span":
                    found.setdefault(str(el.Lang), set()).add(os.path.basename(path))
    assert {"ru", "zh", "ur"} <= set(found), found


def test_the_pdfua_package_finds_nothing_in_any_built_brief(built):
    """The `pdfua` package (pikepdf, no JVM) checks a subset of PDF/UA-1: 16 of its 106 rules."""
    import sys

    result = subprocess.run([sys.executable, "-m", "pdfua", "check", *_pdfs(built)], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.count("result: PASS") == len(_pdfs(built))


# -- the renderer on fixed documents -----------------------------------------------------------------


def test_a_paragraph_split_across_pages_is_one_element_with_content_on_both(writer, tmp_path):
    import pikepdf

    body = [m.Paragraph([m.Text(FILLER * 60)])]
    path = _render(writer, m.Document(meta(), body), tmp_path)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 2
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        long = [el for el, _ in _elements(pdf) if el.S == "/P" and len({p for p, _ in _content_of(el, pages)[0]}) > 1]
        assert len(long) == 1
    said = "".join(line.strip()[1:-1] for line in _struct_text(path).splitlines() if line.strip().startswith('"'))
    assert said.count("The delegation discussed") == 60 and said.count("roadmap. The delegation") == 59


def test_every_node_of_the_golden_document_is_tagged_in_model_order(writer, tmp_path):
    path = _render(writer, golden_document(), tmp_path)
    lines = [line.strip() for line in _struct_text(path).splitlines()]
    order = [line.split(" ")[0].rstrip(":") for line in lines
             if not line.startswith('"') and not line.startswith("Object")]
    assert order[:7] == ["Document", "P", "H1", "P", "P", "H1", "P"]  # handling, title, subtitle, meta, heading
    # the mark's Reference > Link, then its note, which holds its one paragraph's text itself
    at = order.index("Note")
    assert order[order.index("Reference") + 1] == "Link" and order.index("Reference") < at
    assert order[at + 1] == "L"  # the note follows its mark's paragraph, before the next block
    assert lines[lines.index("Note <fn-1> (inline)") + 1].startswith('"1.')
    assert "BlockQuote" in order and "Caption" in order and "Table" in order
    assert order.index("BlockQuote") < order.index("Caption") < order.index("TH")
    assert lines[lines.index("Lbl (block)") + 1] == '"•"'
    assert '"a link"' in lines


def test_a_repeated_table_header_is_an_artifact_on_the_later_page(writer, tmp_path):
    rows = [[m.TableCell([m.Text(f"Row {i}")]), m.TableCell([m.Text(str(i))], "right")] for i in range(120)]
    table = m.Table([m.TableCell([m.Text("Item")]), m.TableCell([m.Text("Count")], "right")], rows, [])
    path = _render(writer, m.Document(meta(), [table]), tmp_path)
    text = _struct_text(path)
    assert text.count('"Item') == 1 and text.count('"Row 119') == 1
    import pikepdf

    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 2
        assert _marked_text(pdf)[0] == []


def test_runs_in_other_scripts_are_spans_in_their_language(writer, tmp_path):
    import pikepdf

    names = "Names: Аляксандр Лукашэнка, اسلام آباد and 明斯克, ירושלים; Łódź stays English."
    body = [m.Paragraph([m.Text(names)])]
    path = _render(writer, m.Document(meta(), body), tmp_path)
    with pikepdf.open(path) as pdf:
        spans = {str(el.Lang): el for el, _ in _elements(pdf) if el.S == "/Span"}
        assert spans.keys() == {"ru", "ur", "zh", "he"}
        # Right-to-left runs are drawn in visual order, shaped: the tags give a screen reader the typed text.
        assert str(spans["ur"].ActualText) == "اسلام آباد" and str(spans["he"].ActualText) == "ירושלים"
        assert "/ActualText" not in spans["ru"] and "/ActualText" not in spans["zh"]
    text = _struct_text(path)
    assert "Łódź stays English" in text


def test_the_note_separator_header_and_footer_are_artifacts(writer, tmp_path):
    import pikepdf

    body = [m.Paragraph([m.Text(FILLER), note(1, "A note.")])] + [m.Paragraph([m.Text(FILLER * 3)])] * 12
    path = _render(writer, m.Document(meta(), body), tmp_path)
    with pikepdf.open(path) as pdf:
        ops = [(str(op), [str(o) for o in operands]) for operands, op in pikepdf.parse_content_stream(pdf.pages[1])]
    artifacts = [operands[1] for op, operands in ops if op == "BDC" and operands[0] == "/Artifact"]
    assert any("/Header" in a for a in artifacts) and any("/Footer" in a for a in artifacts)
    text = _struct_text(path)
    assert "PUBLIC · Sample brief" not in text.replace('"PUBLIC "', "")


def test_an_untagged_build_has_no_structure_and_claims_nothing(tmp_path, style):
    """The writer's switch for the benchmark: the same pages, no tree, no PDF/UA claim."""
    import pikepdf

    plain = PdfWriter(style, tagged=False)
    path = _render(plain, golden_document(), tmp_path)
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/Metadata" not in pdf.Root
    assert plain.claims_ua is False


def test_text_drawn_outside_the_tree_withdraws_the_pdfua_claim(tmp_path):
    """The renderer claims PDF/UA-1 only when it has tagged everything it drew."""
    import datetime as dt
    import io

    import pikepdf

    from briefing.render.pdf_tags import StructTree, TaggingCanvas

    out = io.BytesIO()
    canvas = TaggingCanvas(out, invariant=1)
    canvas.tags, canvas.meta, canvas.when = StructTree(), meta(), dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    canvas.drawString(72, 720, "Untagged words")
    canvas.save()
    assert canvas.claims_ua is False
    path = tmp_path / "loose.pdf"
    path.write_bytes(out.getvalue())
    with pikepdf.open(path) as pdf, pdf.open_metadata() as xmp:
        assert "pdfuaid:part" not in xmp and xmp["dc:title"] == "Sample brief"


def test_a_logo_is_a_figure_with_the_house_styles_alt_text(tmp_path):
    import pikepdf
    from samples import LOGO_BRIEF, build_with_logo

    out = build_with_logo(tmp_path, "pdf")
    with pikepdf.open(os.path.join(out, f"{LOGO_BRIEF}.pdf")) as pdf:
        figures = [el for el, _ in _elements(pdf) if el.S == "/Figure"]
        assert [str(f.Alt) for f in figures] == ["The desk's crest"]
        assert len(figures[0].A.BBox) == 4
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"


def test_a_logo_without_alt_text_is_an_error_in_check(project_copy, capsys):
    from PIL import Image

    from briefing.cli import main

    Image.new("RGB", (120, 60), (31, 56, 100)).save(os.path.join(project_copy, "templates", "logo.png"))
    style = os.path.join(project_copy, "templates", "style.yaml")
    text = open(style, encoding="utf-8").read().replace("logo: null", "logo: logo.png")
    open(style, "w", encoding="utf-8").write(text)
    line = [x.startswith("logo:") for x in text.splitlines()].index(True) + 1
    cwd = os.getcwd()
    os.chdir(project_copy)
    try:
        assert main(["check"]) == 1
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert f"style.yaml:{line}:" in err and "logo: no alternative text (logo_alt)" in err
    assert "Traceback" not in err


def test_two_renders_of_a_tagged_document_are_byte_identical(style):
    first = PdfWriter(style).render(golden_document(), WHEN)
    second = PdfWriter(style).render(golden_document(), WHEN)
    assert first == second and b"/StructTreeRoot" in first


def test_a_stamped_personal_copy_stays_tagged_with_the_stamp_an_artifact(built, style, tmp_path):
    import pikepdf

    from briefing.distribute.stamp import Issue, Stamper

    shared = open(os.path.join(built, "freight-line.minister.pdf"), "rb").read()
    path = tmp_path / "copy.pdf"
    path.write_bytes(Stamper(shared, style).copy(Issue(7, "Jane Doe", "Ministry of Trade")))
    with pikepdf.open(path) as pdf:
        assert _marked_text(pdf)[0] == []
        assert "/StructTreeRoot" in pdf.Root and all("/StructParents" in p.obj for p in pdf.pages)
    assert "Jane Doe" not in _struct_text(str(path))


def test_a_link_split_by_a_page_break_is_one_link_element_with_text_on_both_pages(writer, tmp_path):
    import pikepdf

    body = [m.Paragraph([m.Text("See "), m.Link("https://example.org/long", [m.Text(FILLER * 40)]),
                         m.Text(" after the link.")])]
    path = _render(writer, m.Document(meta(), body), tmp_path)
    with pikepdf.open(path) as pdf:
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        links = [el for el, _ in _elements(pdf) if el.S == "/Link"]
        assert len(links) == 1
        mcrs, objrs = _content_of(links[0], pages)
        assert len({page for page, _ in mcrs}) == 2 and len(objrs) > 2
    said = [line.strip() for line in _struct_text(path).splitlines() if not line.strip().startswith("Object")]
    at = said.index("Link (inline)")
    assert said[at - 1] == '"See "' and said[at + 1].startswith('"The delegation discussed')
    assert said[at + 2].startswith('"') and "after the link" not in said[at + 2]  # the link's text overleaf
    assert said[at + 3].strip('" ') == "after the link."
