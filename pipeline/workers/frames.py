"""Length-prefixed pickled frames over a pipe: requests to the parser workers, answers back."""
from __future__ import annotations

import os
import pickle
import struct

HEADER = struct.Struct("!Q")
# Pipes this large carry a 5 MB message in a few hundred system calls, not thousands.
PIPE_BYTES = 1 << 20


def write_frame(fd: int, value: object) -> None:
    """One value, pickled, after its length; written whole (the pipe may take it in pieces)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    for piece in (HEADER.pack(len(data)), data):
        view = memoryview(piece)
        while view:
            view = view[os.write(fd, view):]


def read_frames(buffer: bytearray, limit: int | None = None) -> list[object]:
    """Complete frames at the head of the buffer (at most `limit`), removed from it."""
    found: list[object] = []
    while len(buffer) >= HEADER.size and (limit is None or len(found) < limit):
        (size,) = HEADER.unpack_from(buffer)
        end = HEADER.size + size
        if len(buffer) < end:
            break
        with memoryview(buffer) as view, view[HEADER.size:end] as frame:
            found.append(pickle.loads(frame))
        del buffer[:end]
    return found
