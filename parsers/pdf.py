"""PDF text and page count through pdfplumber; a page without a real text layer is a scan."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError

from pipeline.errors import UnreadableDocument

# (cid:123) runs are what pdfminer gives for fonts without a Unicode map: no usable text.
_CID = re.compile(r"\(cid:\d+\)")


@dataclass(frozen=True)
class PdfContent:
    pages: int
    text: str

    @property
    def is_scan(self) -> bool:
        """No text layer worth the name: a scanned or photographed page."""
        return len(_CID.sub("", self.text).strip()) < 20


def read_pdf(data: bytes) -> PdfContent:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            texts = [page.extract_text() or "" for page in pdf.pages]
            return PdfContent(pages=len(pdf.pages), text="\n".join(texts))
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as error:
        raise UnreadableDocument(f"PDF无法打开：{error}") from None
    except Exception as error:  # pdfminer raises many unrelated types on broken or encrypted files
        name = type(error).__name__
        reason = "PDF已加密" if "Password" in name or "Encrypt" in name else f"PDF无法打开：{name}"
        raise UnreadableDocument(reason) from None
