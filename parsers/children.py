"""The child processes parsers start (ffprobe, LibreOffice), each in a session of its own."""
from __future__ import annotations

import os
import signal
import subprocess


def kill_group(child: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's whole process group (LibreOffice forks oosplash -> soffice.bin), then
    reap the child. The child must have been started with start_new_session=True."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it finished between the timeout and the kill
    child.communicate()
