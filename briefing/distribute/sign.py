"""Signed copies: each personal copy certified with the desk's certificate (PAdES, with pyHanko), and
checked before it leaves.

The key and certificate come from the environment, never from a list or the command line:
BRIEFING_SIGN_KEY (a PEM or DER key, or a PKCS#12 .p12/.pfx file holding key and certificate),
BRIEFING_SIGN_CERT (the certificate, with a PEM key), BRIEFING_SIGN_CHAIN (optional intermediate
certificates, separated by os.pathsep) and BRIEFING_SIGN_PASSPHRASE.

Before the first copy is signed, the key must be the certificate's (else every copy would carry a signature no
one can verify). Each signed copy is then validated with pyHanko before it is sent: intact, cryptographically
valid, made with the desk's certificate, and covering the whole file. The signature is a certification
signature that permits no changes (DocMDP), and its widget — an invisible, zero-size field on the first page —
is tagged as a Form element in the structure tree, so a signed copy stays PDF/UA.

A signature holds its signing time, so two signed copies made from the same inputs differ in those bytes;
the copy under the signature is byte-identical, and the ledger decides what to send from what the brief says."""

from __future__ import annotations

import io
import os

from briefing.errors import EnvironmentFailure, InputError, Problem

_ENV = "BRIEFING_SIGN_KEY"
FIELD = "Signature"
"""The name of the signature field."""


class SignatureCheckFailed(Exception):
    """A signed copy did not validate: it is not sent."""


def _matches(signing_key, signing_cert) -> bool:
    """Whether the private key is the one whose public half the certificate holds."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_private_key

    private = load_der_private_key(signing_key.dump(), password=None)
    return private.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == \
        signing_cert.public_key.dump()


class Signer:
    """Signs PDFs with one key; loaded (and the key checked against its certificate) once per run."""

    def __init__(self, list_path: str):
        try:
            from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
            from pyhanko.sign import signers
            from pyhanko_certvalidator.registry import SimpleCertificateStore
        except ImportError:
            raise InputError(Problem(list_path, 0, 0, "this list asks for signed copies, but pyHanko is not installed",
                                     "install it with `.venv/bin/pip install -e '.[sign]'`")) from None
        key = os.environ.get(_ENV, "")
        if not key:
            raise InputError(Problem(list_path, 0, 0, f"this list asks for signed copies, but {_ENV} is not set",
                                     "set BRIEFING_SIGN_KEY (and BRIEFING_SIGN_CERT, BRIEFING_SIGN_PASSPHRASE); "
                                     "see docs/distribute.md"))
        passphrase = os.environ.get("BRIEFING_SIGN_PASSPHRASE")
        secret = passphrase.encode("utf-8") if passphrase else None
        chain = [p for p in os.environ.get("BRIEFING_SIGN_CHAIN", "").split(os.pathsep) if p]
        pkcs12 = key.lower().endswith((".p12", ".pfx"))
        cert = os.environ.get("BRIEFING_SIGN_CERT", "")
        if not pkcs12 and not cert:
            raise InputError(Problem(key, 0, 0, "a PEM key needs its certificate in BRIEFING_SIGN_CERT"))
        for path in [key, *([] if pkcs12 else [cert]), *chain]:
            if not os.path.isfile(path):
                raise InputError(Problem(path, 0, 0, "signing key or certificate file not found",
                                         "check BRIEFING_SIGN_KEY, BRIEFING_SIGN_CERT and BRIEFING_SIGN_CHAIN"))
        where = key
        try:
            others = [c for path in chain for c in load_certs_from_pemder([path])]
            if pkcs12:
                with open(key, "rb") as f:
                    signer = signers.SimpleSigner.load_pkcs12_data(f.read(), other_certs=others, passphrase=secret)
            else:
                signing_key = load_private_key_from_pemder(key, passphrase=secret)
                where = cert
                signing_cert = load_cert_from_pemder(cert)
                signer = signers.SimpleSigner(signing_cert=signing_cert, signing_key=signing_key,
                                              cert_registry=SimpleCertificateStore.from_certs(others))
        except (ValueError, TypeError) as e:  # not a key or certificate, a wrong or missing passphrase
            raise InputError(Problem(where, 0, 0, f"cannot load the signing key or certificate: {e}",
                                     "check the file and BRIEFING_SIGN_PASSPHRASE")) from None
        except OSError as e:  # there, but not readable
            raise EnvironmentFailure(f"cannot read the signing key or certificate {e.filename or where}: "
                                     f"{e.strerror or e}", "check the file's permissions") from None
        if not _matches(signer.signing_key, signer.signing_cert):
            subject = signer.signing_cert.subject.human_friendly
            raise InputError(Problem(key, 0, 0, f"this key does not belong to the certificate ({subject}); every "
                                     "copy would carry a signature no one can verify, so nothing was sent",
                                     "set BRIEFING_SIGN_KEY and BRIEFING_SIGN_CERT to a key and the certificate "
                                     "issued for it"))
        self.signer = signer

    def sign(self, pdf: bytes, reason: str) -> bytes:
        """Return `pdf` certified (no changes permitted) by an incremental update, checked with pyHanko; raise
        SignatureCheckFailed if the result does not validate."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=FIELD, on_page=0))
        _tag_widget(writer)
        meta = signers.PdfSignatureMetadata(field_name=FIELD, reason=reason, subfilter=fields.SigSeedSubFilter.PADES,
                                            certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES)
        signed = signers.sign_pdf(writer, meta, signer=self.signer).getvalue()
        self.check(signed)
        return signed

    def check(self, signed: bytes) -> None:
        """Raise SignatureCheckFailed unless the copy's one signature is intact, valid, the desk's, and covers
        the entire file (no update after it)."""
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext

        signatures = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures
        if len(signatures) != 1:
            raise SignatureCheckFailed(f"the copy holds {len(signatures)} signatures, not 1")
        context = ValidationContext(trust_roots=[self.signer.signing_cert], allow_fetching=False,
                                    revocation_mode="soft-fail")
        status = validate_pdf_signature(signatures[0], context)
        if not (status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
                and status.docmdp_ok is not False
                and status.signing_cert.dump() == self.signer.signing_cert.dump()):
            raise SignatureCheckFailed("the signed copy does not validate: " + status.summary())


def _tag_widget(writer) -> None:
    """Give the signature field's widget a place in the structure tree — a Form element holding an object
    reference to it, after the document's other elements — and a description (/TU, /Contents), so the copy
    stays PDF/UA (ISO 14289-1, 7.18.1 and 7.18.4)."""
    from pyhanko.pdf_utils import generic

    def get(d, key):  # resolved, as `d[key]` is (pyHanko's `get` leaves references unresolved)
        return d[key] if key in d else None

    root = writer.root
    tree = get(root, "/StructTreeRoot")
    widget_ref = root["/AcroForm"]["/Fields"].raw_get(len(root["/AcroForm"]["/Fields"]) - 1)
    widget = widget_ref.get_object()
    text = generic.TextStringObject("Digital signature of the issuing desk")
    widget[generic.NameObject("/TU")] = text
    widget[generic.NameObject("/Contents")] = text
    if tree is None:  # an untagged PDF: nothing to keep whole
        writer.update_container(widget)
        return
    key = int(get(tree, "/ParentTreeNextKey") or 0)
    widget[generic.NameObject("/StructParent")] = generic.NumberObject(key)
    writer.update_container(widget)
    page_ref = widget.raw_get("/P")
    page = page_ref.get_object()
    if get(page, "/Tabs") != "/S":
        page[generic.NameObject("/Tabs")] = generic.NameObject("/S")
        writer.update_container(page)
    parent_ref = tree.raw_get("/K")
    if isinstance(parent_ref.get_object(), generic.ArrayObject):
        parent_ref = root.raw_get("/StructTreeRoot")
    parent = parent_ref.get_object()
    objr = generic.DictionaryObject({generic.NameObject("/Type"): generic.NameObject("/OBJR"),
                                     generic.NameObject("/Obj"): widget_ref, generic.NameObject("/Pg"): page_ref})
    form = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/StructElem"), generic.NameObject("/S"): generic.NameObject(
            "/Form"), generic.NameObject("/P"): parent_ref, generic.NameObject("/Pg"): page_ref,
        generic.NameObject("/Alt"): text, generic.NameObject("/K"): objr}))
    kids = get(parent, "/K")
    kids = list(kids) if isinstance(kids, generic.ArrayObject) else ([parent.raw_get("/K")] if kids is not None else [])
    parent[generic.NameObject("/K")] = generic.ArrayObject(kids + [form])
    writer.update_container(parent)
    numbers = tree["/ParentTree"]
    if "/Nums" in numbers:
        numbers[generic.NameObject("/Nums")] = generic.ArrayObject(
            list(numbers["/Nums"]) + [generic.NumberObject(key), form])
    else:
        limits = generic.ArrayObject([generic.NumberObject(key), generic.NumberObject(key)])
        leaf = writer.add_object(generic.DictionaryObject({
            generic.NameObject("/Nums"): generic.ArrayObject([generic.NumberObject(key), form]),
            generic.NameObject("/Limits"): limits}))
        numbers[generic.NameObject("/Kids")] = generic.ArrayObject(list(numbers["/Kids"]) + [leaf])
    writer.update_container(numbers)
    tree[generic.NameObject("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.update_container(tree)
