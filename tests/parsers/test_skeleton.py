"""The skeleton parse: the same ParsedMail as the whole-mail parse, faster, or a fallback."""
from __future__ import annotations

import base64

import pytest

from parsers import skeleton
from parsers.mail import parse_mail
from pipeline.demo.samples import at, catalogue, mail, photo

BIG = photo(200_000, "skeleton")


def _whole(data: bytes, monkeypatch: pytest.MonkeyPatch):
    """parse_mail with nothing cut out: the standard library reads every line."""
    with monkeypatch.context() as patch:
        patch.setattr(skeleton, "MIN_BODY", 10**12)
        return parse_mail(data)


def _submission(style: str = "rfc2231", crlf: bool = False) -> bytes:
    data = mail("【示例单位】绿盟案例征集", "示例 <a@example.cn>", "您好，请查收。",
                [("照片一.jpg", BIG), ("说明.txt", "小文件".encode()), ("照片二.jpg", BIG[::-1])],
                date=at(2024, 4, 1), message_id="skeleton@example.cn", filename_style=style)
    return data.replace(b"\n", b"\r\n") if crlf else data


@pytest.mark.parametrize("style", ["rfc2231", "rfc2047"])
@pytest.mark.parametrize("crlf", [False, True])
def test_big_bodies_are_kept_aside_and_decoded_alike(style, crlf, monkeypatch):
    data = _submission(style, crlf)
    message = skeleton.parse(data)
    aside = [p for p in message.walk() if getattr(p, "raw_base64", None) is not None]
    assert len(aside) == 2  # the two photos; the small text file stays with the parser
    assert parse_mail(data) == _whole(data, monkeypatch)
    assert [a.data for a in parse_mail(data).attachments] == [BIG, "小文件".encode(), BIG[::-1]]


@pytest.mark.parametrize("sample", catalogue(), ids=lambda s: s.key)
def test_every_sample_parses_as_the_whole_mail_does(sample, monkeypatch):
    data = sample.build()
    assert parse_mail(data) == _whole(data, monkeypatch)


def test_a_dash_line_inside_a_body_falls_back_to_the_whole_parse(monkeypatch):
    """A line starting with -- that is not the boundary: the cut body is not a whole payload."""
    data = _submission()
    start = data.index(b"\n", data.index(b"Content-Disposition: attachment")) + 100_000
    line = data.index(b"\n", start)
    data = data[:line] + b"\n--not-a-boundary" + data[line:]
    message = skeleton.parse(data)
    assert not any(getattr(p, "raw_base64", None) for p in message.walk())
    assert parse_mail(data) == _whole(data, monkeypatch)


def test_a_mail_quoting_a_token_cannot_claim_a_body(monkeypatch):
    """Tokens carry a fresh random part: text looking like one is only text."""
    data = _submission().replace("您好，请查收。".encode("gb18030"), b"intake-body-0123456789abcdef-0")
    assert parse_mail(data) == _whole(data, monkeypatch)


def test_a_base64_body_that_is_not_declared_base64_is_left_to_the_parser():
    data = _submission().replace(b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: 7bit")
    assert not any(getattr(p, "raw_base64", None) for p in skeleton.parse(data).walk())


@pytest.mark.parametrize("body, expected", [
    (b"QUJD\nREVG\n", b"ABCDEF"),
    (b"QUJDRA==\n", b"ABCD"),
    (b"QUJD\r\nRA==\r\n\r\n", b"ABCD"),
])
def test_clean_base64_decodes_in_one_call(body, expected):
    assert skeleton.decode_base64(skeleton.Body(b"xx" + body + b"yy", 2, len(body) + 2)) == expected


@pytest.mark.parametrize("body", [b"QQ==QkI=\n", b"QUJDRA\n", b"QUJDR\n"])
def test_glued_or_unpadded_base64_is_left_to_the_forgiving_decoder(body):
    assert skeleton.decode_base64(skeleton.Body(body, 0, len(body))) is None


def test_a_glued_body_still_decodes_as_before(monkeypatch):
    """Padding in the middle (pieces glued together): the forgiving decoder, as before."""
    glued = base64.encodebytes(BIG[:40_001]) + base64.encodebytes(BIG[40_001:])
    data = _submission()
    encoded = base64.encodebytes(BIG)
    data = data.replace(encoded, glued, 1)
    assert parse_mail(data) == _whole(data, monkeypatch)
