"""Hostile files for the review folder and the browser: executables, scripts and shortcuts under
trusted names, a macro-enabled Word file, names that hide their suffix behind bidi controls,
and a mail that carries them all beside a complete park case."""
from __future__ import annotations

import io
import struct
import zipfile

from pipeline.demo.samples import at, catalogue, mail, sample_id
from pipeline.demo.samples.texts import ZHANG

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "照片\u202egpj.exe" shows as "照片exe.jpg"


def windows_exe() -> bytes:
    """The start of a PE file as Windows reads it: an MZ header pointing at a PE signature."""
    dos = b"MZ" + b"\x90\x00" + b"\x00" * 56
    dos = dos[:0x3C] + struct.pack("<L", 0x40)
    return dos + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def hta_page() -> bytes:
    """An HTML application: double-clicked, mshta runs its script with the user's rights."""
    return ('<html><head><HTA:APPLICATION ID="x"/><script language="VBScript">'
            'CreateObject("WScript.Shell").Run "calc.exe"</script></head>'
            '<body>证明材料</body></html>').encode()


def shortcut_lnk() -> bytes:
    """A Windows shortcut (.lnk): the header's size and CLSID, then a target nobody wants."""
    clsid = bytes.fromhex("0114020000000000c000000000000046")
    return struct.pack("<L", 0x4C) + clsid + b"\x00" * 56 + "cmd.exe /c calc".encode("utf-16-le")


def docm_from(docx: bytes) -> bytes:
    """`docx` made macro-enabled as Word saves a .docm: a vbaProject.bin part and the main
    part's macroEnabled content type."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml")
            target.writestr(info, data)
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return out.getvalue()


def _park_files() -> tuple[str, list[tuple[str, bytes]]]:
    """The complete park case's unit and files, read back from its sample mail."""
    from parsers.mail import parse_mail

    sample = next(s for s in catalogue() if s.key == "gpipc-park-complete")
    parsed = parse_mail(sample.build())
    return "示例经济技术开发区管理委员会", [(a.name, a.data) for a in parsed.attachments]


# Each hostile attachment by name, with what its bytes are.
def hostile_attachments(form_docx: bytes) -> list[tuple[str, bytes]]:
    return [
        ("证明材料.exe", windows_exe()),
        ("证明材料.hta", hta_page()),
        ("证明材料.lnk", shortcut_lnk()),
        ("证明材料.docm", docm_from(form_docx)),
        (f"照片{RLO}gpj.exe", windows_exe()),
        ("营业执照.jpg", windows_exe()),
        (f"证明材料{RLO}fdp.scr", windows_exe()),
    ]


def hostile_review_mail(key: str = "hostile-exports") -> bytes:
    """A complete park case whose applicant also sent executables, a script, a shortcut, a
    macro-enabled .docm and bidi-disguised names."""
    unit, files = _park_files()
    form = next(data for name, data in files if name.startswith("附件1"))
    return mail(f"【{unit}】绿盟案例征集", ZHANG.sender(), "申报材料见附件，请查收。",
                [*files, *hostile_attachments(form)], date=at(2024, 4, 8, 10, 15),
                message_id=sample_id(key), filename_style="rfc2231")
