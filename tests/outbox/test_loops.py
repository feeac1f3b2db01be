"""RFC 3834 loop safety: every reason a complete submission gets no automatic reply."""
from __future__ import annotations

from dataclasses import replace

import pytest

from outbox.loops import CHECKS, REASONS, reply_address, reply_block
from parsers.mail import parse_mail
from parsers.model import ParsedMail
from pipeline.app.check import check_messages
from pipeline.app.clock import utc_now
from pipeline.config.settings import load_config
from tests.conftest import ROOT
from tests.support.loopmail import CAMPAIGN, OUR_ADDRESS, OURS, Case, controls, suppression_cases

SUPPRESSED, CONTROLS = suppression_cases(), controls()
# The cases classification already keeps from being a submission (never answered as one).
NOT_SUBMISSIONS = {"dsn-with-submission", "mdn-with-submission", "auto-replied-with-files",
                   "x-autoreply", "auto-reply-subject", "null-return-path", "mailer-daemon",
                   "postmaster", "noreply", "no-reply"}


@pytest.mark.parametrize("case", SUPPRESSED + CONTROLS, ids=lambda case: case.name)
def test_reply_block(case: Case):
    assert reply_block(parse_mail(case.raw), OURS) == case.reason


def test_every_reason_is_covered_and_every_case_is_distinct():
    assert {case.reason for case in SUPPRESSED} == set(REASONS)
    assert len(SUPPRESSED) >= 25 and len(CONTROLS) >= 3
    mails = [parse_mail(case.raw) for case in SUPPRESSED + CONTROLS]
    assert len({m.headers["from"] for m in mails}) == len(mails)
    assert len({m.message_id for m in mails}) == len(mails)
    assert len({case.name for case in SUPPRESSED + CONTROLS}) == len(mails)


def test_the_checks_run_in_the_order_reasons_lists():
    assert [code for code, _ in CHECKS] == list(REASONS)
    assert all(REASONS.values())


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("loops")
    paths = []
    for index, case in enumerate(SUPPRESSED + CONTROLS):
        paths.append(folder / f"{index:02d}-{case.name}.eml")
        paths[-1].write_bytes(case.raw)
    results = check_messages(paths, load_config(ROOT / "config.toml"), utc_now())
    return {case.name: result for case, result in zip(SUPPRESSED + CONTROLS, results)}


def test_each_case_is_a_complete_submission_unless_classification_stops_it(checked):
    """GIVEN every case through `intake check` THEN all but the reports, auto-replies and
    bounces are complete submissions: only reply_block keeps them from a receipt."""
    got = {name: (r["campaign"], r["verdict"]) for name, r in checked.items()}
    assert got == {name: (None, "not_submission") if name in NOT_SUBMISSIONS
                   else (CAMPAIGN, "complete") for name in checked}


def test_controls_get_a_receipt(checked):
    for case in CONTROLS:
        assert checked[case.name]["reply"]["kind"] == "receipt", case.name


# --- The order: the first reason that applies is the one given --------------------------------

def mail(headers: dict[str, str] | None = None, **changes: object) -> ParsedMail:
    """A plain applicant's mail to us, parsed; `changes` replace ParsedMail fields."""
    base = parse_mail(f"From: 王晓明 <wang@example.cn>\r\nTo: {OUR_ADDRESS}\r\n"
                      "Subject: =?UTF-8?B?44CQ56S65L6L5YWs5Y+444CR?=\r\n"
                      "Message-ID: <m1@example.cn>\r\n\r\nbody".encode())
    return replace(base, headers={**base.headers, **(headers or {})}, **changes)


@pytest.mark.parametrize("message, reason", [
    (mail(), None),
    # Our own reply coming back carries Auto-Submitted too: the loop is what must show.
    (mail({"auto-submitted": "auto-replied", "x-intake-loop": "example.org"}), "our_own"),
    (mail(message_id="<x@EXAMPLE.org>", return_path=""), "our_own"),
    # A DSN from MAILER-DAEMON with an empty Return-Path is a report first.
    (mail({"auto-submitted": "auto-replied"}, content_type="multipart/report",
          from_addr="mailer-daemon@example.com", return_path=""), "report"),
    (mail({"auto-submitted": "auto-generated", "precedence": "bulk"}), "auto_submitted"),
    (mail({"precedence": "list", "list-id": "<l.example.com>"}), "precedence"),
    (mail({"list-id": "<l.example.com>", "x-auto-response-suppress": "OOF"}), "list"),
    (mail({"x-auto-response-suppress": "All", "x-autoreply": "yes"}, return_path=""), "suppress"),
    (mail({"x-autoreply": "yes"}, return_path=""), "auto_reply"),
    (mail(return_path="", from_addr="postmaster@example.com"), "null_return_path"),
    (mail(from_addr="noreply@example.com", to=("someone@example.cn",)), "daemon_sender"),
    (mail(from_addr="", to=("someone@example.cn",)), "not_addressed"),
    (mail(from_addr=""), "no_address"),
])
def test_the_first_reason_that_applies_is_given(message, reason):
    assert reply_block(message, OURS) == reason


@pytest.mark.parametrize("headers", [
    {"auto-submitted": "No"}, {"auto-submitted": " no (sent by a person) "},
    {"precedence": "first-class"}, {"x-auto-response-suppress": "DR, RN, NRN"},
    {"x-auto-response-suppress": ""}, {"disposition-notification-to": "wang@example.cn"},
])
def test_markers_that_allow_a_reply(headers):
    assert reply_block(mail(headers), OURS) is None


@pytest.mark.parametrize("headers, reason", [
    ({"auto-submitted": ""}, "auto_submitted"),  # present but empty is not "no"
    ({"auto-submitted": "auto-notified"}, "auto_submitted"),
    ({"precedence": "Auto_Reply"}, "precedence"),
    ({"precedence": "bulk (weekly digest)"}, "precedence"),
    ({"list-archive": "<https://lists.example.com/cases>"}, "list"),
    ({"x-auto-response-suppress": "dr,autoreply"}, "suppress"),
    ({"x-intake-loop": "elsewhere.example.com"}, "our_own"),
])
def test_marker_variants(headers, reason):
    assert reply_block(mail(headers), OURS) == reason


@pytest.mark.parametrize("sender", [
    "MAILER-DAEMON@example.com", "Postmaster@example.com", "no_reply@example.com",
    "do-not-reply@example.com", "DoNotReply@example.com", "noreply+cases@example.com",
    "cases-request@lists.example.com", "owner-cases@lists.example.com", "MAILER-DAEMON",
])
def test_daemon_senders(sender):
    assert reply_block(mail(return_path=sender), OURS) == "daemon_sender"


@pytest.mark.parametrize("sender", ["replyto@example.com", "daemon@example.com",
                                    "request@example.com", "owner@example.com"])
def test_people_with_daemon_like_names(sender):
    assert reply_block(mail(return_path=sender), OURS) is None


@pytest.mark.parametrize("message_id, reason", [
    ("<20260601.a1@example.org>", "our_own"), ("<a1@Example.Org>", "our_own"),
    ("<a1@mail.example.org>", None), ("<example.org>", None), ("", None),
])
def test_our_message_id_domain(message_id, reason):
    assert reply_block(mail(message_id=message_id), OURS) == reason


def test_any_of_our_addresses_counts():
    ours = replace(OURS, addresses=frozenset({OUR_ADDRESS, "cq-cases@example.org"}))
    assert reply_block(mail(to=("cq-cases@example.org",)), ours) is None
    assert reply_block(mail(from_addr="cq-cases@example.org"), ours) == "our_own"
    assert reply_block(mail(return_path="CQ-Cases@Example.org"), ours) == "our_own"


# --- reply_address ------------------------------------------------------------------------------

def test_reply_address_prefers_the_return_path():
    assert reply_address(mail(return_path="Bounces+Wang@Example.CN")) == "bounces+wang@example.cn"


def test_reply_address_falls_back_to_from():
    assert reply_address(mail()) == "wang@example.cn"


@pytest.mark.parametrize("changes", [
    {"return_path": "MAILER-DAEMON"},  # given but not an address: From is not used instead
    {"from_addr": ""},
    {"from_addr": "wang@localhost"},
    {"from_addr": "wang@example.cn\r\nBcc: x@example.com"},
])
def test_reply_address_none_when_invalid(changes):
    assert reply_address(mail(**changes)) is None


@pytest.mark.parametrize("line", [
    'From: "alice@example.org" <@evil.example>',
    "From: alice@example.org <@evil.example>",
    'From: "alice@example.org" <>',
    "From: undisclosed-recipients:;",
])
def test_a_display_name_is_never_the_address(line):
    message = parse_mail(f"{line}\r\nTo: {OUR_ADDRESS}\r\nSubject: x\r\n\r\nbody".encode())
    assert reply_address(message) is None
    assert reply_block(message, OURS) == "no_address"


@pytest.mark.parametrize("line, address", [
    ('From: "alice@example.org" <wang@example.cn>', "wang@example.cn"),
    ("From: =?UTF-8?B?546L5pmT5piO?= <Wang@Example.CN>", "wang@example.cn"),
    ("From: wang@example.cn (王晓明)", "wang@example.cn"),
    ("From: wang@example.cn", "wang@example.cn"),
])
def test_from_forms_that_name_the_address(line, address):
    message = parse_mail(f"{line}\r\nTo: {OUR_ADDRESS}\r\nSubject: x\r\n\r\nbody".encode())
    assert reply_address(message) == address
