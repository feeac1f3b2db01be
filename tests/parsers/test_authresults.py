"""Authentication-Results: only the receiving server's own header is believed."""
from __future__ import annotations

import pytest

from parsers.authresults import parse, trusted_result

OURS = ("mx.example.org",)


@pytest.mark.parametrize("value, unauthenticated", [
    ("mx.example.org; spf=fail smtp.mailfrom=example.com; dkim=none; dmarc=fail "
     "header.from=example.com", True),
    ("mx.example.org; dmarc=fail (p=none dis=none) header.from=example.com; spf=pass", True),
    ("mx.example.org; dmarc=pass header.from=example.cn; spf=fail", False),
    ("mx.example.org; spf=fail smtp.mailfrom=example.com; dkim=fail header.d=example.com", True),
    ("mx.example.org; spf=fail smtp.mailfrom=example.com; dkim=pass header.d=example.com", False),
    ("mx.example.org; spf=softfail smtp.mailfrom=example.com", False),
    ("mx.example.org; dkim=fail header.d=a.example; dkim=pass header.d=b.example", False),
    ("mx.example.org 1; none", False),
    ("mx.example.org; spf=pass (sender SPF authorized; see x) smtp.mailfrom=example.cn", False),
    ('mx.example.org; spf=fail reason="a; b" smtp.mailfrom=example.com', True),
    ("mx.example.org;\r\n\tdkim=none;\r\n\tspf=fail (mx.example.org: domain of x does not "
     "designate 192.0.2.1 as permitted sender) smtp.mailfrom=x@example.com", True),
])
def test_what_the_receiving_server_found(value, unauthenticated):
    found = trusted_result([value], OURS)
    assert found is not None and found.unauthenticated is unauthenticated


def test_a_header_of_another_authserv_id_is_not_believed():
    forged = "mx.attacker.example; spf=pass; dkim=pass; dmarc=pass"
    assert trusted_result([forged], OURS) is None
    real = "MX.Example.org; dmarc=fail header.from=example.com"
    assert trusted_result([forged, real], OURS).unauthenticated


def test_only_the_topmost_trusted_header_counts():
    """The server adds its own on top; one the sender wrote below with our id says nothing."""
    ours, theirs = ("mx.example.org; dmarc=fail header.from=example.com",
                    "mx.example.org; dmarc=pass header.from=example.com")
    assert trusted_result([ours, theirs], OURS).unauthenticated
    assert not trusted_result([theirs, ours], OURS).unauthenticated


def test_summary_and_nonsense():
    found = parse("mx.example.org; spf=fail; dkim=none; dkim=pass; dmarc=fail; arc=none")
    assert found.summary() == "spf=fail dkim=none/pass dmarc=fail"
    assert parse("") is None and parse(" ; spf=fail") is None
    assert trusted_result(["garbage ((("], OURS) is None
