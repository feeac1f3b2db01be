"""Forged senders (issue 20, finding 6): a reply carries no forger's words, caps count mailboxes
and domains, and a mail its receiving server found forged gets no reply and no reference
until a person has checked it."""
from __future__ import annotations

import email
from email import policy

import pytest

from pipeline.app.runner import run
from pipeline.demo.samples import at, build_form, encode_words, mail
from tests.support.hostile_cli import sample, with_header
from tests.support.workspace import Workspace, make_workspace

LURE = "您的账户异常 请登录 http://evil.example.com/verify 核验"
RECEIVER = "mx.example.org"
FAILED = f"{RECEIVER}; spf=fail smtp.mailfrom=example.org; dkim=none; dmarc=fail header.from=example.org"


def configured(tmp_path, **replies: object) -> Workspace:
    workspace = make_workspace(tmp_path, [])
    lines = "".join(f"{key} = {_toml(value)}\n" for key, value in replies.items())
    config = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(config.replace('mode = "send"\n', f'mode = "send"\n{lines}'),
                                     encoding="utf-8")
    return workspace


def _toml(value: object) -> str:
    return str(value) if isinstance(value, int) else \
        "[" + ", ".join(f'"{v}"' for v in value) + "]"


def deliver(workspace: Workspace, name: str, data: bytes) -> None:
    (workspace.root / "mail" / "new" / f"{name}.eml").write_bytes(data)


def park_mail(n: int, sender: str) -> bytes:
    """A park's deficient submission (its form only), unit and case of their own."""
    unit = f"示例第{n}开发区管理委员会"
    form = build_form("gpipc-park-2024", {"unit_name": unit, "case_name": f"示例第{n}号绿色园区建设"})
    return mail(f"【{unit}】绿盟案例征集", f"园区{n} <{sender}>", "申报材料见附件。",
                [("附件1-案例征集申报表.docx", form)], date=at(2024, 4, 2, 9, n % 60),
                message_id=f"park-{n}-{sender}")


def authenticated(data: bytes, *values: str) -> bytes:
    """`data` with Authentication-Results headers on top, as the receiving server adds them."""
    end = b"\r\n" if b"\r\n" in data[:2000] else b"\n"
    return b"".join(f"Authentication-Results: {v}".encode() + end for v in values) + data


def outbox(workspace: Workspace) -> list[dict]:
    return workspace.query("select to_addr, status, reason from outbox order by id")


def test_a_forgers_subject_and_unit_reach_no_part_of_the_reply(tmp_path):
    """GIVEN a forged From: of a third party whose subject puts a phishing request and a link in
    the unit's place, then an innocent mail WHEN `intake run` THEN the reply's subject is the
    notice's, neither part repeats the request or the link, the mail is kept and decided once,
    and the innocent mail is answered."""
    workspace = configured(tmp_path)
    forged = with_header(park_mail(1, "victim@example.com"), "Subject",
                         encode_words(f"【{LURE}】绿盟案例征集", "utf-8").encode())
    deliver(workspace, "1.forged", forged)
    deliver(workspace, "2.innocent", sample("ccea-csr-complete"))
    run(workspace.config())
    rows = workspace.query("select raw_path, status, verdict from messages order by id")
    assert [(r["status"], r["verdict"]) for r in rows] == [("done", "deficient"), ("done", "complete")]
    with open(rows[0]["raw_path"], "rb") as raw:
        assert raw.read() == forged
    (reply,) = [m for m in _spooled(workspace) if m["To"].addresses[0].addr_spec == "victim@example.com"]
    assert str(reply["Subject"]).startswith("【需补正】") and "绿盟案例征集" in str(reply["Subject"])
    for text in (str(reply["Subject"]), *(p.get_content() for p in reply.walk()
                                          if p.get_content_maintype() == "text")):
        for word in ("http", "evil.example.com", "登录", "账户异常", "核验"):
            assert word not in text, (word, text)


def _spooled(workspace: Workspace) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((workspace.root / "var" / "outbox").glob("*.eml"))]


def test_plus_tags_and_capitals_count_as_one_mailbox_for_the_cap(tmp_path):
    """GIVEN six submissions within a day to victim+1@ … VICTIM+6@ WHEN answered THEN five
    replies go out and the sixth is suppressed by the per-sender cap."""
    workspace = configured(tmp_path, per_sender_daily=5)
    for n in range(1, 7):
        address = f"victim+{n}@example.com" if n % 2 else f"Victim+{n}@Example.com"
        deliver(workspace, f"{n}.tagged", park_mail(n, address))
    run(workspace.config())
    assert [r["status"] for r in outbox(workspace)] == ["sent"] * 5 + ["suppressed"]
    assert outbox(workspace)[-1]["reason"] == "sender_cap"


def test_a_domain_has_a_cap_and_a_shared_provider_has_none(tmp_path):
    """GIVEN four submissions from four addresses of one company and four of a shared mail
    provider WHEN answered with a domain cap of 3 THEN the company's fourth is suppressed
    (domain_cap), the provider's four all go out."""
    workspace = configured(tmp_path, per_domain_daily=3, shared_domains=["webmail.example.com"])
    for n in range(1, 5):
        deliver(workspace, f"{n}.corp", park_mail(n, f"user{n}@corp.example.cn"))
        deliver(workspace, f"{n}.webmail", park_mail(10 + n, f"user{n}@webmail.example.com"))
    run(workspace.config())
    rows = outbox(workspace)
    corp = [r for r in rows if r["to_addr"].endswith("corp.example.cn")]
    shared = [r for r in rows if r["to_addr"].endswith("webmail.example.com")]
    assert sorted(r["status"] for r in corp) == ["sent"] * 3 + ["suppressed"]
    assert [r["reason"] for r in corp if r["status"] == "suppressed"] == ["domain_cap"]
    assert [r["status"] for r in shared] == ["sent"] * 4


@pytest.fixture
def held(tmp_path) -> Workspace:
    """A forged mail (our server says DMARC failed, with a sender-written pass below it), one
    whose forger put a pass of another server on top, and a genuine mail after them."""
    workspace = configured(tmp_path, authserv_ids=[RECEIVER])
    deliver(workspace, "1.forged", authenticated(park_mail(1, "victim@example.com"), FAILED,
                                                 f"{RECEIVER}; dmarc=pass header.from=example.org"))
    deliver(workspace, "2.forged", authenticated(park_mail(2, "other@example.com"),
                                                 "mx.attacker.example; spf=pass; dmarc=pass", FAILED))
    deliver(workspace, "3.genuine", authenticated(
        park_mail(3, "park3@example.cn"), f"{RECEIVER}; spf=pass smtp.mailfrom=example.cn; "
                                          "dkim=pass header.d=example.cn; dmarc=pass"))
    run(workspace.config())
    return workspace


def test_a_mail_its_server_found_forged_gets_no_reply_and_no_reference(held):
    rows = held.query("select id, status, verdict, submission_id, note, raw_path from messages "
                      "order by id")
    assert [(r["status"], r["verdict"]) for r in rows] == [
        ("done", "unauthenticated"), ("done", "unauthenticated"), ("done", "deficient")]
    assert rows[0]["submission_id"] is None and "dmarc=fail" in rows[0]["note"]
    assert f"intake resolve {rows[0]['id']} accept|reject" in rows[0]["note"]
    assert held.query("select reference from submissions") == [{"reference": "GPIPC-2024-P-0001"}]
    assert [r["to_addr"] for r in outbox(held)] == ["park3@example.cn"]
    for row in rows[:2]:
        with open(row["raw_path"], "rb") as raw:
            assert b"Authentication-Results" in raw.read()
    listed = held.intake("claims")
    assert listed.returncode == 0 and listed.stdout.count("unauthenticated") >= 2


def test_a_person_accepts_one_and_rejects_the_other(held):
    """GIVEN the two held mails WHEN a person accepts the first (merge is refused for it) and
    rejects the second THEN the next run gives the first the next reference and its reply,
    and the second stays without reply or reference."""
    first, second = (r["id"] for r in held.query(
        "select id from messages where verdict = 'unauthenticated' order by id"))
    refused = held.intake("resolve", str(first), "merge", "--note", "x", "--by", "秘书处")
    assert refused.returncode != 0 and "accept|reject" in refused.stderr
    assert held.intake("resolve", str(first), "accept", "--note", "电话核实", "--by", "秘书处").returncode == 0
    assert held.intake("resolve", str(second), "reject", "--note", "冒用", "--by", "秘书处").returncode == 0
    run(held.config())
    verdicts = held.query("select m.verdict, s.reference from messages m left join submissions s "
                          "on s.id = m.submission_id order by m.id")
    assert verdicts == [{"verdict": "deficient", "reference": "GPIPC-2024-P-0002"},
                        {"verdict": "not_submission", "reference": None},
                        {"verdict": "deficient", "reference": "GPIPC-2024-P-0001"}]
    assert [r["to_addr"] for r in outbox(held)] == ["park3@example.cn", "victim@example.com"]
