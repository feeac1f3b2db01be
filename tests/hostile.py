"""Hostile attachments, built in memory in a fraction of a second however much they expand to."""
from __future__ import annotations

import io
import struct
import zlib

from pipeline.samples import zip_bytes

GIB = 1 << 30


def _deflate_repeated(chunk: bytes, times: int) -> bytes:
    """A raw deflate stream of `chunk` × `times`, compressing the chunk only once.

    After a full flush the compressor holds no history, so each repeat of the same chunk
    compresses to the same bytes: the block is copied instead of recomputed.
    """
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = first.compress(chunk) + first.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    return block * times + tail.flush(zlib.Z_FINISH)


def _crc_repeated(chunk: bytes, times: int, crc: int = 0, checksum=zlib.crc32) -> int:
    """The checksum (CRC-32, or Adler-32 for zlib streams) of `chunk` × `times` after `crc`."""
    for _ in range(times):
        crc = checksum(chunk, crc)
    return crc


def stored_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already-deflated members: (name, deflated, uncompressed size, crc32)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, size, crc in members:
        offset, raw = out.tell(), name.encode("utf-8")
        fields = (20, 0x800, 8, 0, 0, crc, len(data), size, len(raw))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + raw + data)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0,
                                  offset) + raw)
    directory = central.getvalue()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(directory), out.tell(), 0)
    return out.getvalue() + directory + end


def docx_gigabytes(gib: int = 2) -> bytes:
    """A .docx whose document.xml inflates to `gib` GiB of whitespace inside one paragraph."""
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
            '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            '<w:t xml:space="preserve">').encode()
    chunk = b" " * (16 << 20)
    times = gib * GIB // len(chunk)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = (body.compress(head) + body.flush(zlib.Z_FULL_FLUSH)
                + _deflate_repeated(chunk, times))
    size, crc = len(head) + len(chunk) * times, _crc_repeated(chunk, times, zlib.crc32(head))
    parts = [(name, zlib.compress(data)[2:-4], len(data), zlib.crc32(data))
             for name, data in _DOCX_PARTS.items()]
    return stored_zip(parts + [("word/document.xml", deflated, size, crc)])


_DOCX_PARTS = {
    "[Content_Types].xml": (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        b'"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    "_rels/.rels": (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        b'"word/document.xml"/></Relationships>'),
}


def zip_bomb_nested(depth: int = 4, width: int = 8) -> bytes:
    """Zips of zips: each level holds `width` copies of the level below; 256 MiB at the bottom."""
    chunk = b"\x00" * (16 << 20)
    leaf = stored_zip([("zeros.bin", _deflate_repeated(chunk, 16), 256 << 20,
                        _crc_repeated(chunk, 16))])
    level = leaf
    for _ in range(depth):
        level = zip_bytes({f"{i}.zip": level for i in range(width)})
    return level


def zip_traversal() -> bytes:
    """Member names that would escape a folder if anyone used them as paths."""
    return zip_bytes({"../../etc/cron.d/evil": b"* * * * * root true\n",
                      "/etc/passwd": b"root:x:0:0::/root:/bin/sh\n",
                      "C:\\Windows\\evil.bat": b"echo evil\r\n",
                      "..\\..\\evil.txt": b"evil"})


def pdf_endless(megabytes: int = 300) -> bytes:
    """A one-page PDF whose compressed content stream draws text `megabytes` MB long:
    pdfminer would interpret it for many minutes."""
    ops = b"BT /F1 1 Tf 10 10 Td (a) Tj ET\n" * (1 << 15)
    times = megabytes * (1 << 20) // len(ops)
    # FlateDecode wants the zlib wrapper: a header, the raw stream, the Adler-32 of the text.
    data = (b"\x78\xda" + _deflate_repeated(ops, times)
            + struct.pack(">L", _crc_repeated(ops, times, 1, zlib.adler32)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, 2)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def png_bomb(side: int = 100_000) -> bytes:
    """A PNG header claiming side × side pixels (10^10 by default) over a few bytes of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">L", len(data)) + kind + data
                + struct.pack(">L", zlib.crc32(kind + data)))
    header = struct.pack(">2L5B", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 3]

