"""Signed copies: each personal copy signed with the desk's certificate (PAdES baseline, with pyHanko).

The key and certificate come from the environment, never from a list or the command line:
BRIEFING_SIGN_KEY (a PEM key, or a PKCS#12 .p12/.pfx file holding key and certificate),
BRIEFING_SIGN_CERT (the PEM certificate, with a PEM key), BRIEFING_SIGN_CHAIN (optional PEM
intermediate certificates, separated by os.pathsep) and BRIEFING_SIGN_PASSPHRASE.

A signature holds its signing time, so two signed copies made from the same inputs differ in those bytes;
the copy under the signature is byte-identical, and the ledger decides what to send from that."""

from __future__ import annotations

import io
import os

from briefing.errors import InputError, Problem

_ENV = "BRIEFING_SIGN_KEY"


class Signer:
    """Signs PDFs with one key; loaded once per run."""

    def __init__(self, list_path: str):
        try:
            from pyhanko.sign import signers
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
        for path in [key, os.environ.get("BRIEFING_SIGN_CERT") or key, *chain]:
            if not os.path.isfile(path):
                raise InputError(Problem(path, 0, 0, "signing key or certificate file not found",
                                         "check BRIEFING_SIGN_KEY, BRIEFING_SIGN_CERT and BRIEFING_SIGN_CHAIN"))
        try:
            if key.lower().endswith((".p12", ".pfx")):
                signer = signers.SimpleSigner.load_pkcs12(key, ca_chain_files=chain or None, passphrase=secret)
            else:
                cert = os.environ.get("BRIEFING_SIGN_CERT", "")
                if not cert:
                    raise InputError(Problem(key, 0, 0, "a PEM key needs its certificate in BRIEFING_SIGN_CERT"))
                signer = signers.SimpleSigner.load(key, cert, ca_chain_files=chain or None, key_passphrase=secret)
        except InputError:
            raise
        except Exception as e:  # pyHanko reports unreadable keys and wrong passphrases in several ways
            raise InputError(Problem(key, 0, 0, f"cannot load the signing key: {e}",
                                     "check the file and BRIEFING_SIGN_PASSPHRASE")) from None
        if signer is None:  # pyHanko logs the cause and returns None for a wrong passphrase
            raise InputError(Problem(key, 0, 0, "cannot load the signing key",
                                     "check the file and BRIEFING_SIGN_PASSPHRASE"))
        self.signer = signer

    def sign(self, pdf: bytes, reason: str) -> bytes:
        """Return `pdf` with a PAdES signature appended as an incremental update."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(field_name="Signature", reason=reason,
                                            subfilter=fields.SigSeedSubFilter.PADES)
        return signers.sign_pdf(writer, meta, signer=self.signer).getvalue()
