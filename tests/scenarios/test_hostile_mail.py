"""Hostile mail through the whole pipeline: address confusions credit no one falsely and answer
only the real sender; a mail of 100 000 parts ends as one finding, in seconds."""
from __future__ import annotations

import email
import re
import time
from email import policy

import pytest

from pipeline.app.runner import run
from pipeline.demo.samples import catalogue
from tests.support.workspace import make_workspace

ALICE, MALLORY = "alice@example.org", "mallory@example.net"


def complete_sample() -> bytes:
    return next(s for s in catalogue() if s.key == "gpipc-park-complete").build()


def with_headers(data: bytes, from_value: str, return_path: str | None) -> bytes:
    head, sep, body = data.partition(b"\n\n")
    head = re.sub(rb"(?m)^From: .*(\n[ \t].*)*$", b"From: " + from_value.encode(), head)
    if return_path is not None:
        head = b"Return-Path: " + return_path.encode() + b"\n" + head
    return head + sep + body


def spooled(workspace) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((workspace.root / "var" / "outbox").glob("*.eml"))]


@pytest.mark.parametrize("from_value, credited", [
    (f'"{ALICE}" <@evil.example>', ""),
    (f"{ALICE} <@evil.example>", ""),
    (f"{ALICE}, {MALLORY}", ""),
    (f"{ALICE} <{MALLORY}", ""),
    (f'"{ALICE}" <{MALLORY}>', MALLORY),
])
def test_a_confused_from_is_not_credited_to_alice_and_only_the_real_sender_is_answered(
        tmp_path, from_value, credited):
    workspace = make_workspace(tmp_path, [])
    (workspace.root / "mail" / "new" / "1.confused.eml").write_bytes(
        with_headers(complete_sample(), from_value, f"<{MALLORY}>"))
    run(workspace.config())
    (submission,) = workspace.query("select sender from submissions")
    assert submission["sender"] == credited
    (reply,) = spooled(workspace)
    assert [a.addr_spec for a in reply["To"].addresses] == [MALLORY]
    assert reply["Cc"] is None and reply["Bcc"] is None
    everything = " ".join(str(v) for row in workspace.query("select to_addr from outbox")
                          for v in row.values())
    assert ALICE not in everything


def test_without_a_return_path_a_confused_from_gets_no_reply_at_all(tmp_path):
    workspace = make_workspace(tmp_path, [])
    (workspace.root / "mail" / "new" / "1.confused.eml").write_bytes(
        with_headers(complete_sample(), f"{ALICE} <@evil.example>", None))
    run(workspace.config())
    assert workspace.query("select sender, verdict from submissions") == [
        {"sender": "", "verdict": "complete"}]
    assert workspace.query("select status, reason from outbox") == [
        {"status": "suppressed", "reason": "no_address"}]
    assert spooled(workspace) == []


def many_parts(n: int) -> bytes:
    boundary = "many-parts"
    head = ("From: 张三 <zhangsan@example.cn>\r\nTo: cases@example.org\r\n"
            "Subject: =?utf-8?b?44CQ56S65L6L5Y2V5L2N44CR57u/55uf5qGI5L6L5b6B6ZuG?=\r\n"
            "Message-ID: <many@example.cn>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n")
    part = (f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            "Content-Disposition: attachment; filename=part.bin\r\n\r\nxyz\r\n")
    return (head + part * n + f"--{boundary}--\r\n").encode()


def test_a_mail_of_100000_parts_is_one_finding_in_seconds(tmp_path):
    workspace = make_workspace(tmp_path, [])
    (workspace.root / "mail" / "new" / "1.many.eml").write_bytes(many_parts(100_000))
    started = time.monotonic()
    run(workspace.config())
    elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    (row,) = workspace.query("select status, verdict from messages")
    assert row["status"] == "done"
    findings = workspace.query("select rule, field, message from findings "
                               "where rule = 'attachment_unreadable'")
    assert [(f["field"], f["message"]) for f in findings if "上限" in f["message"]] == [
        ("（其余99700个文件）", "附件“（其余99700个文件）”无法打开：邮件共有100000个文件（含压缩包内的文件），"
                          "超过300个的上限，其余99700个未读取；请只发送通知要求的材料。请检查文件后重新发送")]
    assert workspace.query("select count(*) as n from documents")[0]["n"] == 301
    assert all(len(r["raw"] or b"") < 200_000 for r in workspace.query("select raw from outbox"))
