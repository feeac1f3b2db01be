"""Videos through a real ffprobe: containers, phone rotation, broken files, a stuck or missing probe."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from parsers import children
from parsers.errors import UnreadableDocument
from parsers.video import VideoInfo, probe_video

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                reason="ffmpeg is not installed")
TEST_PATTERN = ("-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10")


def ffmpeg(folder: Path, name: str, *arguments: str) -> bytes:
    target = folder / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", *arguments, str(target)], check=True,
                   timeout=60)
    return target.read_bytes()


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, bytes]:
    """Two-second test-pattern clips in the containers phones and cameras write."""
    folder = tmp_path_factory.mktemp("videos")
    made = {
        "mp4": ffmpeg(folder, "clip.mp4", *TEST_PATTERN, "-c:v", "libx264", "-pix_fmt", "yuv420p"),
        "mov": ffmpeg(folder, "clip.mov", *TEST_PATTERN, "-c:v", "libx264", "-pix_fmt", "yuv420p"),
        "avi": ffmpeg(folder, "clip.avi", *TEST_PATTERN, "-c:v", "mpeg4"),
        "audio": ffmpeg(folder, "voice.m4a", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac"),
    }
    # A phone held upright: landscape frames and a 90° display matrix (copying keeps the tag).
    made["upright"] = ffmpeg(folder, "upright.mp4", "-i", str(folder / "clip.mp4"), "-c", "copy",
                             "-metadata:s:v:0", "rotate=90")
    return made


@pytest.mark.parametrize("name, codec, fmt", [
    ("mp4", "h264", "mov,mp4,m4a,3gp,3g2,mj2"),
    ("mov", "h264", "mov,mp4,m4a,3gp,3g2,mj2"),
    ("avi", "mpeg4", "avi"),
])
def test_each_container_gives_duration_size_and_codec(videos, name, codec, fmt):
    info = probe_video(videos[name])
    assert info == VideoInfo(duration=pytest.approx(2.0, abs=0.2), width=320, height=240,
                             codec=codec, format=fmt)


def test_a_rotated_phone_video_has_its_shown_size(videos):
    info = probe_video(videos["upright"])
    assert (info.width, info.height) == (240, 320)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_broken_file_is_unreadable(videos, damage):
    data = {"truncated": videos["mp4"][:len(videos["mp4"]) // 3],  # the index (moov) is at the end
            "garbage": b"\x00\x13\x37" + os.urandom(4000), "empty": b""}[damage]
    with pytest.raises(UnreadableDocument, match="视频文件已损坏"):
        probe_video(data)


def test_a_file_without_pictures_is_no_video(videos):
    with pytest.raises(UnreadableDocument, match="没有视频画面"):
        probe_video(videos["audio"])


# ---- ffprobe itself misbehaving: a fake one first on PATH ----------------------------------

def fake_ffprobe(monkeypatch, folder: Path, script: str) -> None:
    program = folder / "ffprobe"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_an_older_ffprobes_rotate_tag_is_understood(monkeypatch, tmp_path):
    probe = {"format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.5"},
             "streams": [{"codec_type": "video", "codec_name": "h264", "width": 1920,
                          "height": 1080, "tags": {"rotate": "270"}}]}
    fake_ffprobe(monkeypatch, tmp_path, f"cat <<'EOF'\n{json.dumps(probe)}\nEOF\n")
    assert probe_video(b"video") == VideoInfo(12.5, 1080, 1920, "h264", "mov,mp4,m4a,3gp,3g2,mj2")


def test_output_that_is_not_json_is_unreadable(monkeypatch, tmp_path):
    fake_ffprobe(monkeypatch, tmp_path, "echo 'not json'\n")
    with pytest.raises(UnreadableDocument, match="无法解析"):
        probe_video(b"video")


def test_a_stuck_probe_is_killed_with_everything_it_started(monkeypatch, tmp_path):
    """GIVEN an ffprobe that hangs (and has started a child) WHEN the timeout passes
    THEN the probe is unreadable at once and no process of it is left running."""
    pid_file = tmp_path / "child.pid"
    fake_ffprobe(monkeypatch, tmp_path, f"sleep 60 &\necho $! > {pid_file}\nwait\n")
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="超时"):
        probe_video(b"video", timeout=1)
    assert time.perf_counter() - started < 3
    assert not _running(int(pid_file.read_text()))


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan waits for init to reap it)."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.02)
    return True


def test_ffprobe_starts_without_our_password_variables_or_network(monkeypatch, tmp_path):
    seen = tmp_path / "seen"
    fake_ffprobe(monkeypatch, tmp_path, f"env > {seen}.env\nreadlink /proc/self/ns/net > {seen}.net\n"
                                        "echo '{}'\n")
    monkeypatch.setenv("INTAKE_TEST_SMTP_PASSWORD", "smtp-secret-4711")
    with pytest.raises(UnreadableDocument):
        probe_video(b"video")
    assert "secret-4711" not in (tmp_path / "seen.env").read_text()
    if children._namespace_prefix(os.getpid()):
        assert (tmp_path / "seen.net").read_text().strip() != os.readlink("/proc/self/ns/net")


def test_a_missing_ffprobe_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UnreadableDocument, match="ffprobe未安装"):
        probe_video(b"video")
