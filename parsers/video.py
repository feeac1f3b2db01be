"""Video length, size and codec from ffprobe, run as a child process with a hard timeout."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

from parsers.children import child_environment, kill_group, offline
from parsers.errors import UnreadableDocument

# A healthy probe of a phone video takes well under a second; a file built to stall the
# demuxer must not hold a worker longer than this.
PROBE_TIMEOUT = 20.0
# Only the temporary file itself may be opened: a playlist (HLS, concat) in disguise must not
# make ffprobe fetch URLs or read other local files.
_COMMAND = ("ffprobe", "-v", "error", "-protocol_whitelist", "file",
            "-print_format", "json", "-show_format", "-show_streams")


@dataclass(frozen=True)
class VideoInfo:
    """A video as it plays: seconds, the size shown on screen (rotation applied), codec, format.

    `duration` is 0.0 when the container does not say; `format` is ffprobe's format_name
    ("mov,mp4,m4a,3gp,3g2,mj2", "avi", ...).
    """

    duration: float
    width: int
    height: int
    codec: str
    format: str


def probe_video(data: bytes, timeout: float = PROBE_TIMEOUT) -> VideoInfo:
    """Describe a video; raise UnreadableDocument when ffprobe cannot, or is missing or stuck."""
    with tempfile.TemporaryDirectory(prefix="intake-video-") as folder:
        path = os.path.join(folder, "video")
        with open(path, "wb") as file:
            file.write(data)
        output = _ffprobe(path, timeout)
    return _describe(_json(output))


def _ffprobe(path: str, timeout: float) -> bytes:
    """ffprobe's JSON for the file; past `timeout` seconds its whole process group is killed."""
    program = shutil.which(_COMMAND[0])
    if program is None:
        raise UnreadableDocument("ffprobe未安装，无法读取视频")
    # Its own session (and so process group): the kill reaches anything it started, and a
    # terminal's Ctrl-C meant for intake does not reach it. No network, no password variable.
    child = subprocess.Popen(offline([program, *_COMMAND[1:], path]), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True, env=child_environment())
    with child:
        try:
            output, _ = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(child)
            raise UnreadableDocument(f"视频读取超时（超过{timeout:g}秒）") from None
    if child.returncode != 0:
        raise UnreadableDocument("视频文件已损坏或格式无法识别")
    return output



def _json(output: bytes) -> dict[str, Any]:
    try:
        probe = json.loads(output)
    except ValueError:
        probe = None
    if not isinstance(probe, dict):
        raise UnreadableDocument("视频信息无法解析")
    return probe


def _describe(probe: dict[str, Any]) -> VideoInfo:
    """The first real video stream (cover art in an audio file does not count)."""
    stream = next((s for s in probe.get("streams") or () if _is_video(s)), None)
    if stream is None:
        raise UnreadableDocument("文件中没有视频画面")
    fmt = probe.get("format") or {}
    try:
        width, height = int(stream["width"]), int(stream["height"])
    except (KeyError, TypeError, ValueError):
        raise UnreadableDocument("视频信息无法解析（没有画面尺寸）") from None
    if _quarter_turned(stream):
        width, height = height, width
    return VideoInfo(duration=_seconds(fmt.get("duration"), stream.get("duration")),
                     width=width, height=height, codec=str(stream.get("codec_name", "")),
                     format=str(fmt.get("format_name", "")))


def _is_video(stream: Any) -> bool:
    return (isinstance(stream, dict) and stream.get("codec_type") == "video"
            and not (stream.get("disposition") or {}).get("attached_pic"))


def _quarter_turned(stream: dict[str, Any]) -> bool:
    """A phone held upright stores landscape frames and a 90° display rotation.

    ffprobe 5+ reports it in the display matrix side data, older versions as a `rotate` tag.
    """
    angles = [side.get("rotation") for side in stream.get("side_data_list") or ()
              if isinstance(side, dict)]
    angles.append((stream.get("tags") or {}).get("rotate"))
    for angle in angles:
        try:
            if round(float(angle)) % 180 == 90:
                return True
        except (TypeError, ValueError):
            continue
    return False


def _seconds(*candidates: Any) -> float:
    """The first duration that parses ("N/A" and missing ones skipped), else 0.0."""
    for value in candidates:
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return 0.0
