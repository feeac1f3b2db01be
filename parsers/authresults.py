"""Authentication-Results (RFC 8601): what the receiving server found of SPF, DKIM and DMARC.

Only a header whose authserv-id is one the operator named is believed, and only the topmost
of those: the receiving server adds its own above whatever the sender wrote, and anyone can
write an Authentication-Results header of their own into a mail.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

_METHOD = re.compile(r"\s*([A-Za-z0-9_.-]+)(?:/[0-9]+)?\s*=\s*([A-Za-z0-9_-]+)")
# The methods whose verdicts decide, and the results that count as a failure of each.
_FAILED = {"spf": {"fail"}, "dkim": {"fail"}, "dmarc": {"fail"}}


@dataclass(frozen=True)
class Authentication:
    """One header's results: method -> every result it gave (a mail may carry several DKIM
    signatures)."""

    authserv_id: str = ""
    results: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def passed(self, method: str) -> bool:
        return "pass" in self.results.get(method, ())

    def failed(self, method: str) -> bool:
        return bool(_FAILED[method] & set(self.results.get(method, ()))) \
            and not self.passed(method)

    @property
    def unauthenticated(self) -> bool:
        """DMARC failed; or, without a DMARC result, SPF or DKIM failed and neither passed."""
        if "dmarc" in self.results:
            return self.failed("dmarc")
        return (self.failed("spf") or self.failed("dkim")) \
            and not (self.passed("spf") or self.passed("dkim"))

    def summary(self) -> str:
        """"spf=fail dkim=none dmarc=fail", for a person."""
        return " ".join(f"{m}={'/'.join(self.results[m])}" for m in _FAILED if m in self.results)


def trusted_result(values: Sequence[str], authserv_ids: Collection[str]) -> Authentication | None:
    """The topmost header (values in header order) of a trusted authserv-id, else None."""
    trusted = {i.lower() for i in authserv_ids}
    for value in values:
        found = parse(value)
        if found is not None and found.authserv_id.lower() in trusted:
            return found
    return None


def parse(value: str) -> Authentication | None:
    """One header value, comments dropped; None when it names no authserv-id."""
    segments = _split(_uncommented(value))
    head = segments[0].split() if segments else []
    if not head:
        return None
    results: dict[str, list[str]] = {}
    for segment in segments[1:]:
        if match := _METHOD.match(segment):
            results.setdefault(match[1].lower(), []).append(match[2].lower())
    return Authentication(head[0], {k: tuple(v) for k, v in results.items()})


def _uncommented(value: str) -> str:
    """The value without (comments), nested or not; quoted strings are kept as they are."""
    out, depth, quoted, escaped = [], 0, False, False
    for char in value:
        if escaped:
            escaped = False
            if not depth:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if not depth:
                out.append(char)
        elif char == '"' and not depth:
            quoted = not quoted
            out.append(char)
        elif char == "(" and not quoted:
            depth += 1
        elif char == ")" and not quoted and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return "".join(out)


def _split(value: str) -> list[str]:
    """The ;-separated parts, a ; inside a quoted string not counted."""
    parts, current, quoted = [], [], False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts]
