"""L5, the samples of `intake demo` and the tests, binaries made at run time; imports no other package."""
from __future__ import annotations

from pipeline.demo.samples.catalogue import Sample, catalogue, write_maildir
from pipeline.demo.samples.forms import build_form
from pipeline.demo.samples.media import (garbage, photo, photo_over, photo_under, proof_pdf, scan_pdf,
                                         seal_png, zip_bytes)
from pipeline.demo.samples.mime import CAMPAIGN_MAILBOX, at, encode_words, mail, sample_id
from pipeline.demo.samples.texts import filler
from pipeline.demo.samples.word import build_writeup

__all__ = [
    "CAMPAIGN_MAILBOX", "Sample", "at", "build_form", "build_writeup", "catalogue",
    "encode_words", "filler", "garbage", "mail", "photo", "photo_over", "photo_under",
    "proof_pdf", "sample_id", "scan_pdf", "seal_png", "write_maildir", "zip_bytes",
]
