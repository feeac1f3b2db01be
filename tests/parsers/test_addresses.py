"""The sender read strictly: one plain mailbox exactly as the header shows it, else none."""
from __future__ import annotations

import pytest

from parsers.addresses import is_address, mailbox


@pytest.mark.parametrize("value, expected", [
    ("alice@example.org", ("", "alice@example.org")),
    ("Alice@Example.ORG", ("", "alice@example.org")),
    ("张三 <zhangsan@example.cn>", ("张三", "zhangsan@example.cn")),
    ('"Li, Si" <lisi@example.cn>', ("Li, Si", "lisi@example.cn")),
    ('"say \\"hi\\"" <a@example.com>', ('say "hi"', "a@example.com")),
    ("wang@example.com (王五)", ("", "wang@example.com")),
    ("(comment (nested)) <zhao@example.com>", ("", "zhao@example.com")),
])
def test_one_plain_mailbox_is_read(value, expected):
    assert mailbox(value) == expected


@pytest.mark.parametrize("value", [
    '"alice@example.org" <@evil.example>',   # a route-only address: no mailbox at all
    "alice@example.org <@evil.example>",     # what lenient parsers read as alice
    "alice@example.org <bob@evil.example",   # unclosed
    "<alice@example.org> bob@evil.example",  # text after the address
    "alice@example.org, bob@evil.example",   # two mailboxes
    '"a" <bob@evil.example>, alice@example.org',
    "<alice@example.org><bob@evil.example>",
    "<>", "", "   ", "alice", "alice@", "@example.org",
    "alice@example.org\r\nBcc: bob@evil.example",
    "alice@example.org\x00", "alice@exa mple.org", "alice@example.org\u2028",
    "<alice@[127.0.0.1]>",
])
def test_anything_else_names_no_sender(value):
    assert mailbox(value) is None


def test_quotes_hide_commas_and_brackets():
    assert mailbox('"a, <b@evil.example>" <c@example.org>') == ("a, <b@evil.example>",
                                                              "c@example.org")


def test_is_address_is_a_plain_addr_spec():
    assert is_address("a.b+c@mail.example.cn") and not is_address("a@b") and not is_address(1)
