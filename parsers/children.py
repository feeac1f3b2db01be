"""The child processes parsers start (ffprobe, LibreOffice): each in a session of its own, with
no network and an environment that holds no password."""
from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess

# What a converter may see of our environment: where its programs are, its home and temporary
# folder, language and time zone. Nothing else: the config's password_env variables (IMAP and
# SMTP authorization codes) and whatever else the operator's shell holds stay with us.
KEPT_VARIABLES = frozenset({"PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ",
                            "FONTCONFIG_FILE", "FONTCONFIG_PATH"})


def child_environment() -> dict[str, str]:
    """The environment a child process starts with: KEPT_VARIABLES and the LC_* ones."""
    return {name: value for name, value in os.environ.items()
            if name in KEPT_VARIABLES or name.startswith("LC_")}


def offline(command: list[str]) -> list[str]:
    """`command` run in a network namespace of its own, where the only interface is a loopback
    that is down: a remote stylesheet in an HTML "申报表.doc" or a URL in a playlist goes
    nowhere. Where the kernel allows no namespace, `command` as it is; the converters' own
    settings then keep them off the network (office.py's proxy, ffprobe's protocol list)."""
    return [*_namespace_prefix(os.getpid()), *command]


@functools.lru_cache(maxsize=8)
def _namespace_prefix(pid: int) -> tuple[str, ...]:
    """How this process (`pid`: a forked worker asks again) gets a network namespace: as root,
    unshare --net; otherwise inside a user namespace of its own; () when neither works."""
    unshare, true = shutil.which("unshare"), shutil.which("true")
    if unshare is None or true is None:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--net", "--map-root-user")):
        try:
            done = subprocess.run([*prefix, true], stdin=subprocess.DEVNULL,
                                  capture_output=True, env=child_environment(), timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return prefix
    return ()


def kill_group(child: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's whole process group (LibreOffice forks oosplash -> soffice.bin), then
    reap the child. The child must have been started with start_new_session=True."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it finished between the timeout and the kill
    child.communicate()
