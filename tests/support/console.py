"""A console to test against: a review-mode deployment with held replies (one of them lists a
file named like a script), two accounts, and `intake console` serving it on a free port."""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.demo.samples import at, catalogue, mail
from tests.support.workspace import Workspace, make_workspace

PASSWORD, VIEWER_PASSWORD = "correct horse 4711", "viewer battery 0815"
# A file name has no "/" (it would be taken for a folder), so no </script>: an img tag runs too.
SCRIPT = "<img src=x onerror=alert(1)>"
SAMPLES = ("gpipc-park-complete", "ccea-csr-complete", "gpipc-park-deficient")


def add_account(workspace: Workspace, name: str, role: str, password: str) -> None:
    """`intake console user add`, the password typed twice at its prompt."""
    done = subprocess.run([sys.executable, "-m", "pipeline", "console", "user", "add", name,
                           "--role", role, "--config", str(workspace.config_path)],
                          input=f"{password}\n{password}\n", capture_output=True, text=True,
                          cwd=workspace.root, timeout=60)
    assert done.returncode == 0, done.stderr


def _held_deployment(root: Path) -> Workspace:
    workspace = make_workspace(root, [s for s in catalogue() if s.key in SAMPLES])
    scripted = mail("【示例单位】绿盟案例征集", "示例 <script@example.cn>", "见附件",
                    [(f"{SCRIPT}.docx", b"PK\x03\x04 not a document")], date=at(2024, 4, 2, 9),
                    message_id="script@example.cn")
    (workspace.root / "mail" / "new" / "9.script.eml").write_bytes(scripted)
    config = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(config.replace('mode = "send"', 'mode = "review"'),
                                     encoding="utf-8")
    assert workspace.intake("run").returncode == 0
    add_account(workspace, "alice", "处理", PASSWORD)
    add_account(workspace, "bob", "viewer", VIEWER_PASSWORD)
    return workspace


@contextmanager
def running_console(root: Path) -> Iterator[Workspace]:
    """The deployment, with `url` the address the running console printed."""
    workspace = _held_deployment(root)
    server = subprocess.Popen([sys.executable, "-m", "pipeline", "console", "--port", "0",
                               "--config", str(workspace.config_path)], cwd=workspace.root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        workspace.url = re.search(r"http://\S+/", server.stdout.readline())[0]
        yield workspace
    finally:
        server.terminate()
        server.wait(timeout=10)
