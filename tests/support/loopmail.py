"""Complete submissions that must get no automatic reply, one reason each, and their controls.

Every mail is a whole cq-ict-enabling submission built by the sample generator (申报表 with every
field filled, two photos, the prescribed subject), from its own unit, sender and Message-ID, so
that without the one header or envelope detail it carries it would be answered with a receipt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from outbox.loops import Ours
from pipeline.demo.samples import CAMPAIGN_MAILBOX, at, build_form, filler, mail, photo
from pipeline.demo.samples.texts import Person

OUR_ADDRESS = CAMPAIGN_MAILBOX  # cases@example.org
OUR_ADDRESSES = frozenset({OUR_ADDRESS})
OUR_DOMAIN = "example.org"
OURS = Ours(OUR_ADDRESSES, OUR_DOMAIN)
CAMPAIGN = "cq-ict-enabling"

# Two halves of invented unit names: 重庆示例云帆科技有限公司, 重庆示例云桥科技有限公司, …
_FIRST, _SECOND = "云数智信联", "帆桥链通达源川峰图湾"
_NAMES = ("林晓", "周蔚", "许诺", "韩冰", "罗岚", "唐宁", "邓远", "曹颖", "彭程", "蒋悦")


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    # The code reply_block must give (a key of outbox.loops.REASONS), None for exactly one reply.
    reason: str | None


@dataclass(frozen=True)
class _Spec:
    """How one case differs from a plain submission."""

    name: str
    reason: str | None
    headers: dict[str, str] = field(default_factory=dict)
    to: str = OUR_ADDRESS
    # The From as mime.mail writes it ("显示名 <addr>"); the applicant's own when empty.
    sender: str = ""
    # Header lines a receiving server puts on top (Return-Path, Delivered-To).
    envelope: tuple[str, ...] = ()
    # A From line written verbatim, for what mime.mail would not write.
    from_line: str = ""
    subject: str = ""
    message_id: str = ""
    # Wraps the finished submission, as a report does.
    wrap: Callable[[bytes, Person], bytes] | None = None


def suppression_cases() -> list[Case]:
    """Complete submissions to which no automatic reply may go, covering every reason."""
    return [_build(n, spec) for n, spec in enumerate(_SUPPRESSED)]


def controls() -> list[Case]:
    """Submissions of the same shape that must get exactly one reply."""
    return [_build(n + len(_SUPPRESSED), spec) for n, spec in enumerate(_CONTROLS)]


# --- Building one case -------------------------------------------------------------------------

def _build(n: int, spec: _Spec) -> Case:
    person = _person(n)
    first, second = _FIRST[n // len(_SECOND) % len(_FIRST)], _SECOND[n % len(_SECOND)]
    unit = f"重庆示例{first}{second}科技有限公司"
    files = [("赋能降碳典型应用案例申报表.docx", _form(unit, person, n)),
             ("能效监测平台.jpg", photo(200_000, f"loop-{spec.name}-1")),
             ("智能工厂现场.jpg", photo(180_000, f"loop-{spec.name}-2"))]
    body = (f"您好！\n\n　　{unit}申报赋能降碳典型应用案例，申报表和现场照片见附件，请查收。\n\n"
            f"{person.name} {person.landline}")
    raw = mail(spec.subject or f"【{unit}】赋能降碳典型案例", spec.sender or person.sender(), body,
               files, date=at(2026, 6, 1 + n % 28, 9, n % 60),
               message_id=spec.message_id or f"<loop-{spec.name}@example.com>",
               headers=spec.headers or None, to=spec.to, subject_charset="gb18030")
    if spec.from_line:
        raw = _replace_from(raw, spec.from_line)
    if spec.wrap:
        raw = spec.wrap(raw, person)
    return Case(spec.name, "".join(f"{line}\n" for line in spec.envelope).encode() + raw,
                spec.reason)


def _person(n: int) -> Person:
    return Person(_NAMES[n % len(_NAMES)], "项目经理", f"13800001{n:03d}", f"023-80001{n:03d}",
                  f"applicant{n:02d}@example.cn")


def _form(unit: str, person: Person, n: int) -> bytes:
    case_name = f"数字化能源管理平台助力园区节能降碳实践{n}"
    return build_form(CAMPAIGN, {
        "unit_name": unit, "case_name": case_name, "category": "产业绿色低碳转型",
        "contact_name": person.name, "contact_phone": person.landline,
        "contact_email": person.email, "summary": filler(600, case_name),
    })


def _replace_from(raw: bytes, line: str) -> bytes:
    """The message with its (possibly folded) From header replaced by `line`."""
    head, _, body = raw.partition(b"\n\n")
    head = re.sub(rb"(?m)^From:.*(\n[ \t].*)*", line.encode().replace(b"\\", b"\\\\"), head,
                  count=1)
    return head + b"\n\n" + body


def _report(original: bytes, person: Person, report_type: str, headers: str, human: str,
            machine: str) -> bytes:
    """A multipart/report (RFC 6522) carrying the whole original as message/rfc822."""
    boundary = f"report_{report_type}_{person.email.split('@')[0]}"
    return (f"{headers}\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type={report_type};\n\tboundary=\"{boundary}\"\n"
            f"\n--{boundary}\nContent-Type: text/plain; charset=utf-8\n"
            f"Content-Transfer-Encoding: 8bit\n\n{human}\n"
            f"\n--{boundary}\nContent-Type: message/{report_type}\n\n{machine}\n"
            f"\n--{boundary}\nContent-Type: message/rfc822\n\n").encode() + original + (
            f"\n--{boundary}--\n").encode()


def _dsn(original: bytes, person: Person) -> bytes:
    """Postfix's bounce of a submission sent to us and to a colleague who left."""
    headers = ("Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
               f"To: {OUR_ADDRESS}\nSubject: Undelivered Mail Returned to Sender\n"
               "Date: Mon, 1 Jun 2026 09:05:00 +0800\nMessage-ID: <loop-dsn@mx.example.com>\n"
               "Auto-Submitted: auto-replied")
    human = ("This is the mail system at host mx.example.com.\n\nI'm sorry to have to inform you "
             "that your message could not be delivered to one or more recipients.\n\n"
             "<former.colleague@example.cn>: host mx.example.cn said: 550 5.1.1 User unknown")
    machine = ("Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; "
               "former.colleague@example.cn\nAction: failed\nStatus: 5.1.1\n"
               "Diagnostic-Code: smtp; 550 5.1.1 User unknown")
    return _report(original, person, "delivery-status", headers, human, machine)


def _mdn(original: bytes, person: Person) -> bytes:
    """A read receipt that carries the read submission back in full."""
    headers = (f"From: 审核组 <review@example.com>\nTo: {OUR_ADDRESS}\n"
               "Subject: 已读: 赋能降碳典型案例\nDate: Mon, 1 Jun 2026 10:00:00 +0800\n"
               "Message-ID: <loop-mdn@example.com>")
    machine = ("Reporting-UA: mail.example.com; Foxmail\n"
               "Final-Recipient: rfc822; review@example.com\n"
               "Original-Message-ID: <loop-mdn-original@example.com>\n"
               "Disposition: manual-action/MDN-sent-manually; displayed")
    return _report(original, person, "disposition-notification", headers, "您的邮件已被阅读。", machine)


_TRICK = 'From: "alice@example.org" <@evil.example>'

_SUPPRESSED: tuple[_Spec, ...] = (
    # our_own: our own mail, or a copy of it, coming back.
    _Spec("our-message-id", "our_own", message_id="<20260601.0930.a1b2c3@Example.ORG>"),
    _Spec("our-loop-header", "our_own", headers={"X-Intake-Loop": OUR_DOMAIN}),
    _Spec("from-our-address", "our_own", sender=f"案例征集秘书处 <{OUR_ADDRESS}>"),
    # report: delivery and read reports that carry a whole submission.
    _Spec("dsn-with-submission", "report", wrap=_dsn),
    _Spec("mdn-with-submission", "report", wrap=_mdn),
    # auto_submitted: a platform's or an auto-responder's copy, attachments and all.
    _Spec("auto-generated-platform", "auto_submitted",
          headers={"Auto-Submitted": "auto-generated"}),
    _Spec("auto-replied-with-files", "auto_submitted", headers={"Auto-Submitted": "auto-replied"}),
    _Spec("auto-generated-comment", "auto_submitted",
          headers={"Auto-Submitted": "Auto-Generated (示例省申报平台)"}),
    # precedence
    _Spec("precedence-bulk", "precedence", headers={"Precedence": "bulk"}),
    _Spec("precedence-junk", "precedence", headers={"Precedence": "junk"}),
    _Spec("precedence-list", "precedence", headers={"Precedence": "list"}),
    _Spec("precedence-bulk-upper", "precedence", headers={"Precedence": "BULK"}),
    # list: reached us through a mailing list.
    _Spec("list-id", "list", headers={"List-Id": "重庆申报工作群 <cq-cases.lists.example.com>"}),
    _Spec("list-unsubscribe", "list",
          headers={"List-Unsubscribe": "<mailto:cq-cases-leave@lists.example.com>"}),
    _Spec("list-post", "list", headers={"List-Post": "<mailto:cq-cases@lists.example.com>"}),
    # suppress: Outlook asks for no automatic answers.
    _Spec("suppress-all", "suppress", headers={"X-Auto-Response-Suppress": "All"}),
    _Spec("suppress-dr-oof", "suppress", headers={"X-Auto-Response-Suppress": "DR, OOF"}),
    _Spec("suppress-autoreply", "suppress", headers={"X-Auto-Response-Suppress": "AutoReply"}),
    # auto_reply: an auto-responder's own marks.
    _Spec("x-autoreply", "auto_reply", headers={"X-Autoreply": "yes"}),
    _Spec("auto-reply-subject", "auto_reply",
          subject="自动回复：【重庆示例数智科技有限公司】赋能降碳典型案例"),
    # null_return_path
    _Spec("null-return-path", "null_return_path",
          envelope=("Return-Path: <>", f"Delivered-To: {OUR_ADDRESS}")),
    # daemon_sender: addresses no person reads.
    _Spec("mailer-daemon", "daemon_sender", sender="MAILER-DAEMON@mail.example.cn"),
    _Spec("postmaster", "daemon_sender", sender="postmaster@example.cn"),
    _Spec("noreply", "daemon_sender", sender="示例省申报平台 <noreply@example.com>"),
    _Spec("no-reply", "daemon_sender", sender="no-reply@example.cn"),
    _Spec("list-request", "daemon_sender", sender="cases-request@lists.example.com"),
    _Spec("list-owner", "daemon_sender", sender="owner-list@lists.example.com"),
    _Spec("return-path-donotreply", "daemon_sender",
          envelope=("Return-Path: <donotreply@platform.example.com>",)),
    # not_addressed: we were not among To and Cc.
    _Spec("to-someone-else", "not_addressed", to="colleague@example.cn"),
    _Spec("to-a-lookalike", "not_addressed", to="cases@example.com"),
    _Spec("bcc-delivered", "not_addressed", to="leader@example.cn",
          envelope=(f"Delivered-To: {OUR_ADDRESS}",)),
    _Spec("bcc-header-kept", "not_addressed", to="leader@example.cn",
          headers={"Bcc": OUR_ADDRESS}),
    # no_address: nothing valid to reply to.
    _Spec("display-name-trick", "no_address", from_line=_TRICK),
    _Spec("display-name-unquoted", "no_address",
          from_line="From: alice@example.org <@evil.example>"),
    _Spec("undisclosed-sender", "no_address", from_line="From: undisclosed-recipients:;"),
)

_CONTROLS: tuple[_Spec, ...] = (
    _Spec("plain", None),
    _Spec("auto-submitted-no", None, headers={"Auto-Submitted": "no"}),
    _Spec("auto-submitted-no-comment", None, headers={"Auto-Submitted": "No (由申报人本人发送)"}),
    _Spec("ours-in-cc", None, to="colleague@example.cn", headers={"Cc": OUR_ADDRESS}),
    _Spec("suppress-dr-rn", None, headers={"X-Auto-Response-Suppress": "DR, RN"}),
    _Spec("precedence-first-class", None, headers={"Precedence": "first-class"}),
    _Spec("ours-upper-case", None, to="CASES@Example.ORG"),
    _Spec("return-path-valid", None,
          envelope=("Return-Path: <Applicant-Bounces@Example.CN>", f"Delivered-To: {OUR_ADDRESS}")),
)
