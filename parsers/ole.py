"""OLE2 compound files (legacy Office, WPS, Outlook .msg): what their directory holds."""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import olefile

from parsers.errors import UnreadableDocument

# FibBase (MS-DOC 2.5.2): wIdent says "Word binary file"; fEncrypted marks a password to open.
_WORD_IDENT = 0xA5EC
_FIB_ENCRYPTED = 0x0100


@dataclass(frozen=True)
class Compound:
    """The entries at the root of a compound file, and whether a Word file in it is encrypted."""

    names: frozenset[str]
    encrypted_word: bool = False

    def has(self, name: str) -> bool:
        """Directory names compare without case, as the compound file format defines."""
        return name.casefold() in {n.casefold() for n in self.names}


def read_compound(data: bytes) -> Compound:
    """The root directory of an OLE2 file; UnreadableDocument when it is not one or is damaged."""
    try:
        # Always a file object: olefile takes short bytes for a file name and would open it.
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            names = frozenset(entry[0] for entry in ole.listdir(streams=True, storages=True))
            return Compound(names=names, encrypted_word=_word_encrypted(ole))
    except (OSError, ValueError, IndexError, struct.error) as error:
        # olefile's own errors are OSErrors; the others come from damaged sector tables.
        raise UnreadableDocument(f"Office旧版文件已损坏：{error}") from None


def _word_encrypted(ole: olefile.OleFileIO) -> bool:
    if not ole.exists("WordDocument"):
        return False
    with ole.openstream("WordDocument") as stream:
        head = stream.read(12)
    if len(head) < 12:
        return False
    ident, flags = struct.unpack_from("<H8xH", head)
    return ident == _WORD_IDENT and bool(flags & _FIB_ENCRYPTED)


def read_streams(data: bytes, names: tuple[str, ...]) -> dict[str, bytes]:
    """The root streams among `names` that the file has, by the name asked for (any case);
    UnreadableDocument when it is not a compound file, is damaged, or declares a stream larger
    than the whole file (only a crafted directory does)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            present = [name for name in names if ole.exists(name)]
            if any(ole.get_size(name) > len(data) for name in present):
                raise UnreadableDocument("Office旧版文件已损坏：数据流大于文件本身")
            return {name: _stream(ole, name) for name in present}
    except (OSError, ValueError, IndexError, struct.error) as error:
        raise UnreadableDocument(f"Office旧版文件已损坏：{error}") from None


def _stream(ole: olefile.OleFileIO, name: str) -> bytes:
    with ole.openstream(name) as stream:
        return stream.read()
