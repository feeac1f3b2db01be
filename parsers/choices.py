"""Which options of a choice field a piece of form text marks with a box or a tick."""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.text import loose_pattern, nfkc, squash

# Marks in front of an option: a ticked or filled box. Ticks may also follow the option.
CHECKED_BOXES = frozenset("■☑☒▣")
TICKS = frozenset("√✓✔")
EMPTY_BOXES = frozenset("□☐")
MARKS = "".join(sorted(CHECKED_BOXES | TICKS | EMPTY_BOXES))
# A box whose state the reader could not see (a .doc's symbol-font or form-field checkbox the
# conversion does not line up with, parsers/doctext.py): checked or not, nobody can say.
UNREAD_BOX = "\ue102"
_VARIATION = re.compile("[\ufe00-\ufe0f]")
# "（√）企业" and "[√]企业": a tick in brackets marks what the brackets would.
_BRACKETED_TICK = re.compile(r"[(\[【]\s*([√✓✔])\s*[)\]】]")
# "[X]企业" / "（×）企业": a cross in brackets is a checked box; "[ ]企业", "（  ）企业" an empty one.
_BRACKETED_CROSS = re.compile(r"[(\[【]\s*[xX×✗✘]\s*[)\]】]")
_BRACKETED_EMPTY = re.compile(r"[(\[【]\s*[)\]】](?=\s*\S)")


def marked_options(text: str, choices: tuple[str, ...]) -> tuple[str, ...]:
    """The options marked in `text`, in the spec's order and spelling.

    With no box or tick at all, an option highlighted, shaded, bold or underlined on its own
    (between the EMPHASIS marks, not the whole list) is marked; else a single option left is
    the answer: applicants often delete the options they do not choose.
    """
    emphasised = _emphasised(_boxes(_VARIATION.sub("", nfkc(text))), choices)
    normal = _plain(_boxes(_VARIATION.sub("", nfkc(text))))
    options = _options(normal, choices)
    marks = [i for i, ch in enumerate(normal) if ch in CHECKED_BOXES or ch in TICKS]
    chosen = {_owner(normal, i, options) for i in marks} - {None}
    no_boxes = not marks and not any(ch in EMPTY_BOXES or ch == UNREAD_BOX for ch in normal)
    if no_boxes and emphasised and emphasised != {o.choice for o in options}:
        chosen = emphasised  # every option emphasised alike: the list's style, no choice
    elif no_boxes and len({o.choice for o in options}) == 1:
        chosen = {options[0].choice}
    return tuple(c for c in choices if c in chosen)


# Around an emphasised run of a cell (parsers/wordml.py's EMPHASIS); runs side by side are one.
_START, _END = "\ue100", "\ue101"
_SPAN = re.compile(f"{_START}(.*?){_END}", re.S)


def _plain(text: str) -> str:
    return text.replace(_START, "").replace(_END, "")


def _emphasised(text: str, choices: tuple[str, ...]) -> set[str]:
    """The options inside emphasised spans (marked, unless that is every option: a list
    printed in bold is no choice, marked_options checks)."""
    joined = text.replace(_END + _START, "")
    return {o.choice for span in _SPAN.finditer(joined)
            for o in _options(_plain(span.group(1)), choices)}


def _boxes(text: str) -> str:
    """Ticks, crosses and blanks in brackets as the marks and boxes they stand for."""
    text = _BRACKETED_TICK.sub(r"\1", text)
    return _BRACKETED_EMPTY.sub("□", _BRACKETED_CROSS.sub("☒", text))


def named_options(text: str, choices: tuple[str, ...]) -> tuple[str, ...]:
    """The options written in `text`, marked or not, in the spec's order: is this the list?"""
    written = {o.choice for o in _options(_plain(nfkc(text)), choices)}
    return tuple(c for c in choices if c in written)


def checked_marks(text: str) -> bool:
    """Whether `text` shows a checked box or a tick, in any of the notations read."""
    return bool((CHECKED_BOXES | TICKS) & set(_boxes(_VARIATION.sub("", nfkc(text)))))


def has_marks(text: str) -> bool:
    """Whether `text` shows a box or a tick, checked or empty."""
    return bool((CHECKED_BOXES | TICKS | EMPTY_BOXES) & set(text))


# ---- options and their marks ----------------------------------------------------------

@dataclass(frozen=True)
class _Option:
    start: int
    end: int
    choice: str


def _options(text: str, choices: tuple[str, ...]) -> list[_Option]:
    """Where each option is written; longer options first, so "企业" inside "民营企业" is not."""
    taken: list[_Option] = []
    for choice in sorted(choices, key=lambda c: -len(squash(c))):
        for match in re.finditer(loose_pattern(choice), text):
            if all(match.end() <= o.start or match.start() >= o.end for o in taken):
                taken.append(_Option(match.start(), match.end(), choice))
    return sorted(taken, key=lambda o: o.start)


def _owner(text: str, at: int, options: list[_Option]) -> str | None:
    """The option a mark at `at` belongs to.

    Marks normally precede their option ("☑园区", "□园区 √企业"). A mark glued to the option
    before it and not to the one after ("园区√ 企业", "园区☑ 企业□") belongs to the one before;
    glued to both ("园区√企业") or to neither, to the one after; with nothing after, to the
    one before. Empty boxes between a mark and its option are looked through ("√□企业").
    """
    before = next((o for o in reversed(options) if o.end <= at
                   and not text[o.end:at].strip()), None)
    after = next((o for o in options if o.start > at
                  and not text[at + 1:o.start].strip(" \t\n" + "".join(EMPTY_BOXES))), None)
    if before is not None and after is not None:
        glued_before, glued_after = before.end == at, after.start == at + 1
        return before.choice if glued_before and not glued_after else after.choice
    chosen = after or before
    return chosen.choice if chosen is not None else None
