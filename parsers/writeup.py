"""Write-ups (案例报告, 案例编辑模板) read into a title, a subtitle and the campaign's sections."""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.model import Paragraph, Section, WordContent
from parsers.specs import SectionSpec, WriteupSpec
from parsers.text import clean, count_chars, squash


@dataclass(frozen=True)
class Writeup:
    title: str
    subtitle: str
    sections: tuple[Section, ...]


_CN_NUMBER = "一二三四五六七八九十百零〇"
# Numbering in front of a heading, on squashed NFKC text: 一、 (一) 第一段: 1. 1、 1.2 ①.
_NUMBERING = re.compile(
    rf"^(?:第[{_CN_NUMBER}\d]+(?:段|部分|章|节|篇)[:、.]?"
    rf"|[{_CN_NUMBER}]+[、.]"
    rf"|\([{_CN_NUMBER}\d]+\)[、.]?"
    r"|\d+(?:\.\d+)*[、.)]"
    r"|[\u2460-\u2473])")
# A trailing "(500字左右)" / "(3000-4000字)" and closing punctuation after a heading.
_TRAILER = re.compile(r"(?:\([^()]*\))*[:.。]*$")
# The template's own instruction line left in by the applicant: "约 300-500 字，侧重介绍…".
_INSTRUCTION = re.compile(r"^约\d+(?:[-~–—至]\d+)?字")
_HEADING_EXTRA = 10  # "三、主要措施及做法": how much longer than its label a heading may be
_PLACEHOLDERS = {"自定义"}


def read_writeup(content: WordContent, spec: WriteupSpec) -> Writeup:
    """Title, subtitle and each of `spec`'s sections found in the body paragraphs."""
    paragraphs = [p for p in content.paragraphs if p.text.strip()]
    starts = [(i, hit) for i, p in enumerate(paragraphs) if (hit := _heading(p, spec))]
    front = paragraphs[:starts[0][0]] if starts else paragraphs
    title, subtitle = _front_matter(front)
    return Writeup(title=title, subtitle=subtitle, sections=_sections(paragraphs, starts))


# ---- headings -------------------------------------------------------------------------

def _core(squashed: str) -> str:
    """A heading's words without its numbering and its "(500字左右)" trailer."""
    return _TRAILER.sub("", _NUMBERING.sub("", squashed))


def _heading_like(p: Paragraph) -> bool:
    squashed = squash(p.text)
    numbered = bool(_NUMBERING.match(squashed))
    return len(squashed) <= 30 and (bool(_style_kind(p)) or p.bold or numbered)


def _heading(p: Paragraph, spec: WriteupSpec) -> tuple[SectionSpec, str] | None:
    """The section `p` opens and any text after "label：" on the same line, else None.

    Only the spec's own sections are headings: sub-headings inside a section do not end it.
    A line equal to a label (numbering and trailer aside) always opens its section; a
    heading-like line (heading style, bold, numbered) may add a few words ("主要措施及做法").
    """
    core = _core(squash(p.text))
    for section in spec.sections:
        for label in (squash(x) for x in section.labels):
            if core == label:
                return section, ""
            if core.startswith(label + ":"):
                return section, _after_colon(p.text)
            if _heading_like(p) and core.startswith(label) \
                    and len(core) <= len(label) + _HEADING_EXTRA:
                return section, ""
    return None


def _after_colon(text: str) -> str:
    match = re.search("[:：]", text)
    return text[match.end():].strip() if match else ""


# ---- sections -------------------------------------------------------------------------

def _body_line(p: Paragraph) -> bool:
    return not _INSTRUCTION.match(squash(p.text))


def _sections(paragraphs: list[Paragraph],
              starts: list[tuple[int, tuple[SectionSpec, str]]]) -> tuple[Section, ...]:
    """Each section's text runs to the next section heading; a section written twice (a table
    of contents, a repeated heading) keeps its longest text."""
    best: dict[str, Section] = {}
    ends = [i for i, _ in starts[1:]] + [len(paragraphs)]
    for (start, (spec, first)), end in zip(starts, ends):
        lines = [first] + [p.text for p in paragraphs[start + 1:end] if _body_line(p)]
        # Not NFKC: "，" would become "," and the count would no longer be Word's.
        text = "\n".join(line.strip() for line in lines if line.strip())
        section = Section(name=spec.name, text=text, chars=count_chars(text))
        if spec.name not in best or section.chars > best[spec.name].chars:
            best[spec.name] = section
    order = [spec.name for _, (spec, _) in starts]
    return tuple(best[name] for name in dict.fromkeys(order))


# ---- title and subtitle ---------------------------------------------------------------

_BOILERPLATE = re.compile(r"^(?:附件[\d一二三四五]*|案例编[辑写]模板|正文)[:]?$")


def _style_kind(p: Paragraph) -> str:
    """"title", "subtitle", "heading" or "" from the style name, English or Chinese."""
    style = p.style.strip().lower()
    if style in ("title", "标题"):
        return "title"
    if style in ("subtitle", "副标题"):
        return "subtitle"
    return "heading" if style.startswith("heading") or re.match(r"标题\s*\d", style) else ""


def _labelled(front: list[Paragraph], word: str) -> tuple[str, set[int]]:
    """The value of a "主标题：…" line (or of the line after it) and the lines it used."""
    for i, p in enumerate(front):
        if squash(p.text).startswith(word + ":"):
            value, used = _after_colon(clean(p.text)), {i}
            if not value and i + 1 < len(front):
                value, used = clean(front[i + 1].text), {i, i + 1}
            return ("" if value in _PLACEHOLDERS else value), used
    return "", set()


def _front_matter(front: list[Paragraph]) -> tuple[str, str]:
    """Title and subtitle from what precedes the first section."""
    title, title_used = _labelled(front, "主标题")
    subtitle, subtitle_used = _labelled(front, "副标题")
    rest = [p for i, p in enumerate(front) if i not in title_used | subtitle_used
            and not _BOILERPLATE.match(squash(p.text))]
    if not title_used:
        title = _pick_title(rest)
    if not subtitle_used:
        subtitle = _pick_subtitle(rest, title)
    return title, subtitle


def _pick_title(rest: list[Paragraph]) -> str:
    """A Title-styled line, else a heading-styled one, else the first line."""
    for kind in ("title", "heading"):
        chosen = next((p for p in rest if _style_kind(p) == kind), None)
        if chosen is not None:
            return clean(chosen.text)
    return clean(rest[0].text) if rest else ""


def _pick_subtitle(rest: list[Paragraph], title: str) -> str:
    """A Subtitle-styled or "——…" line, else the next heading-like line after the title, else
    a short second line of a short front matter (the 申报企业全称 under a report's title)."""
    others = [p for p in rest if clean(p.text) != title]
    for p in others:
        if _style_kind(p) == "subtitle" or re.match(r"^[—–-]{1,2}", squash(p.text)):
            return clean(re.sub(r"^\s*[—–-]+", "", p.text))
    heading = next((p for p in others if _heading_like(p)), None)
    if heading is not None:
        return clean(heading.text)
    if len(rest) <= 3 and others and len(squash(others[0].text)) <= 40:
        return clean(others[0].text)
    return ""
