"""Legacy Word files (.doc, .wps, RTF, Word 2003 XML, HTML saved as .doc) to .docx by LibreOffice.

LibreOffice runs headless in its own process group, with a profile folder that no other
LibreOffice uses at the same time (a second soffice on a busy profile hands its work to the
first and exits 0 without writing anything). One start costs about a second, so files are
converted in batches; results are cached by the sha256 of the input.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Sequence

from parsers.children import child_environment, kill_group, offline

log = logging.getLogger("intake")

# Settings written into each worker's LibreOffice profile. --convert-to already opens documents
# with macros never run; these hold whatever a later version or a stray setting does: no macro
# runs (Basic or VBA), VBA code is neither loaded nor carried into the .docx, and links to other
# files are not followed. Where no network namespace can be had (parsers/children.py), every
# HTTP, HTTPS and FTP request goes to a proxy on a loopback port where nothing listens (the
# discard port): a remote stylesheet or image in an HTML file saved as .doc is never fetched.
_NOWHERE = {"Name": "127.0.0.1", "Port": "9"}
_LOCKDOWN = {
    "/org.openoffice.Office.Common/Security/Scripting": {
        "MacroSecurityLevel": "3", "DisableMacrosExecution": "true",
        "BlockUntrustedRefererLinks": "true"},
    "/org.openoffice.Office.Writer/Filter/Import/VBA": {
        "Load": "false", "Executable": "false", "Save": "false"},
    "/org.openoffice.Inet/Settings": {
        "ooInetProxyType": "2", "ooInetNoProxy": "",
        **{f"ooInet{scheme}Proxy{key}": value for scheme in ("HTTP", "HTTPS", "FTP")
           for key, value in _NOWHERE.items()}},
}

# The extension tells LibreOffice's type detection where to start; content decides the rest.
_SUFFIX = {"doc": ".doc", "rtf": ".rtf", "wordml": ".xml", "html": ".html"}
_TARGET = "docx:MS Word 2007 XML"


@dataclass(frozen=True)
class Converted:
    """The .docx bytes of one input, or why there are none."""

    docx: bytes | None = None
    error: str | None = None


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


class Converter:
    """Converts batches of legacy Word files; one instance per worker process."""

    def __init__(self, cache: Path | None, timeout: float = 60.0, per_file: float = 10.0):
        self.cache = cache
        self.timeout, self.per_file = timeout, per_file
        self._profile: tuple[Path, IO[str]] | None = None
        # The pipeline converts a run's batch in a thread while parsers start on other mail:
        # one LibreOffice at a time on the profile (a second would hand its work to the first).
        self._busy = threading.Lock()

    def convert_many(self, items: Sequence[tuple[bytes, str]]) -> dict[str, Converted]:
        """(data, format) pairs to results keyed by the input's sha256."""
        with self._busy:
            return self._convert_many(items)

    def _convert_many(self, items: Sequence[tuple[bytes, str]]) -> dict[str, Converted]:
        results: dict[str, Converted] = {}
        todo: dict[str, tuple[bytes, str]] = {}
        for data, fmt in items:
            sha = hashlib.sha256(data).hexdigest()
            cached = self._cached(sha)
            if cached is not None:
                results[sha] = Converted(docx=cached)
            else:
                todo[sha] = (data, fmt)
        if todo:
            results.update(self._convert(todo))
        return results

    def convert(self, data: bytes, fmt: str) -> Converted:
        return self.convert_many([(data, fmt)])[hashlib.sha256(data).hexdigest()]

    def close(self) -> None:
        if self._profile is not None:
            self._profile[1].close()
            self._profile = None

    # ---- cache ------------------------------------------------------------------------

    def _cached(self, sha: str) -> bytes | None:
        if self.cache is None:
            return None
        try:
            return (self.cache / f"{sha}.docx").read_bytes()
        except OSError:
            return None

    def _remember(self, sha: str, docx: bytes) -> None:
        if self.cache is None:
            return
        self.cache.mkdir(parents=True, exist_ok=True)
        tmp = self.cache / f".{sha}.{os.getpid()}.tmp"
        tmp.write_bytes(docx)
        tmp.replace(self.cache / f"{sha}.docx")

    # ---- LibreOffice ------------------------------------------------------------------

    def _convert(self, todo: dict[str, tuple[bytes, str]]) -> dict[str, Converted]:
        """One LibreOffice call for the batch; files it did not convert are tried alone."""
        if soffice() is None:
            reason = "无法转换旧版Word文件（服务器未安装LibreOffice），请另存为.docx后重新发送"
            return {sha: Converted(error=reason) for sha in todo}
        results, failed = self._run_batch(todo)
        if len(todo) > 1:
            for sha in failed:
                single, _ = self._run_batch({sha: todo[sha]})
                results.update(single)
        for sha, result in results.items():
            if result.docx is not None:
                self._remember(sha, result.docx)
        return results

    def _run_batch(self, todo: dict[str, tuple[bytes, str]]) -> tuple[dict[str, Converted], list[str]]:
        with tempfile.TemporaryDirectory(prefix="intake-convert-") as work:
            inputs, outdir = Path(work) / "in", Path(work) / "out"
            inputs.mkdir()
            for sha, (data, fmt) in todo.items():
                (inputs / f"{sha}{_SUFFIX.get(fmt, '.doc')}").write_bytes(data)
            problem = self._run(sorted(inputs.iterdir()), outdir, len(todo))
            results, failed = {}, []
            for sha in todo:
                out = outdir / f"{sha}.docx"
                if out.is_file() and out.stat().st_size > 0:
                    results[sha] = Converted(docx=out.read_bytes())
                else:
                    # Exit 0 without the output file is LibreOffice's way of failing quietly.
                    results[sha] = Converted(error=problem or "LibreOffice未能转换此文件（文件可能已损坏或加密）")
                    failed.append(sha)
            return results, failed

    def _run(self, files: list[Path], outdir: Path, count: int) -> str | None:
        """Run soffice over the files; the reason it failed as a whole, else None."""
        command = [soffice() or "soffice", "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={self._profile_dir().as_uri()}",
                   "--convert-to", _TARGET, "--outdir", str(outdir), *map(str, files)]
        limit = self.timeout + self.per_file * count
        process = subprocess.Popen(offline(command), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=child_environment())
        try:
            output, _ = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            kill_group(process)
            return f"转换超时（超过{limit:.0f}秒），文件可能已损坏"
        if process.returncode != 0:
            tail = output.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            log.warning("soffice exited %s: %s", process.returncode, tail[0])
            return f"LibreOffice转换失败（退出码{process.returncode}）"
        return None

    def _profile_dir(self) -> Path:
        """A LibreOffice profile folder locked by this worker for its lifetime."""
        if self._profile is not None:
            return self._profile[0]
        base = (self.cache.parent if self.cache else Path(tempfile.gettempdir())) / "lo-profiles"
        base.mkdir(parents=True, exist_ok=True)
        for slot in range(64):
            path = base / f"worker-{slot}"
            handle = open(base / f"worker-{slot}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            _lock_down(path)
            self._profile = (path, handle)
            return path
        raise OSError(f"every LibreOffice profile slot in {base} is in use")


def _lock_down(profile: Path) -> None:
    """Our settings over the profile's own (LibreOffice keeps the others it wrote there)."""
    settings = profile / "user" / "registrymodifications.xcu"
    settings.parent.mkdir(parents=True, exist_ok=True)
    try:
        kept = [line for line in settings.read_text(encoding="utf-8").splitlines()
                if line.startswith("<item ") and not _locked(line)]
    except (OSError, UnicodeDecodeError):
        kept = []  # none yet, or damaged: LibreOffice recreates what it needs
    ours = [f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
            f'<value>{value}</value></prop></item>'
            for path, props in _LOCKDOWN.items() for name, value in props.items()]
    settings.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/'
        '2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.'
        'org/2001/XMLSchema-instance">\n' + "\n".join(kept + ours) + "\n</oor:items>\n",
        encoding="utf-8")


def _locked(line: str) -> bool:
    """An item setting one of our properties (any earlier value of it is replaced)."""
    return any(f'oor:path="{path}"' in line and f'oor:name="{name}"' in line
               for path, props in _LOCKDOWN.items() for name in props)
