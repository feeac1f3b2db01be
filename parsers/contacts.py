"""The work contact a mail body names (notice 002 asks for 姓名, 联系电话 and 邮箱): read once.

Only the sender's own text is read: quoted lines (">") and everything below a reply marker
(-----原始邮件-----, ------------------ Original ------------------, -----Original Message-----,
"在 2023年11月5日 … 写道：", "On … wrote:") are someone else's words, often our own notice with
the secretariat's phone and mailbox in it. A forward is read whole: the forwarded mail is the
material. The signature is the sender's own and is read.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from parsers.phones import find_phones


@dataclass(frozen=True)
class BodyContact:
    """The contact's name (2–4 Chinese characters), canonical phone and lower-cased e-mail;
    "" for a part the body does not give."""

    name: str = ""
    phone: str = ""
    email: str = ""


def read_body_contact(body: str, *, forwarded: bool = False) -> BodyContact:
    text = unicodedata.normalize("NFKC", body)
    text = text if forwarded else own_text(text)
    return BodyContact(name=_name(text), phone=_phone(text), email=_email(text))


# ---- the sender's own text -------------------------------------------------------------------

_REPLY_MARKER = re.compile(
    r"^[ \t]*-{2,}[ \t]*(?:原始邮件|原始郵件|original(?: message)?|回复的邮件)[ \t]*-{2,}[ \t]*$"
    r"|^[ \t]*在[^\n]{0,160}(?:\n[^\n]{0,160})?写道[ \t]*:[ \t]*$"
    r"|^[ \t]*On [^\n]{0,200}(?:\n[^\n]{0,200})?wrote:[ \t]*$", re.I | re.M)


def own_text(text: str) -> str:
    """`text` without quoted lines and without what follows a reply marker."""
    marker = _REPLY_MARKER.search(text)
    if marker:
        text = text[:marker.start()]
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))


# ---- e-mail ----------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"\.[A-Za-z]{2,}(?![A-Za-z0-9-])")
_EMAIL_LABEL = re.compile(r"电子邮箱|电子邮件|邮箱|邮件地址|电邮|e-?mail|mail", re.I)


def _email(text: str) -> str:
    """The first address after an e-mail label on its line, else the first address."""
    found = list(_EMAIL.finditer(text))
    befores = _befores(text, [m.span() for m in found])
    labelled = [m for m, before in zip(found, befores) if _EMAIL_LABEL.search(before)]
    chosen = (labelled or found or [None])[0]
    return re.sub(r"\s", "", chosen.group()).lower() if chosen else ""


def _befores(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """For each span, the text between the previous span (or its line's start) and it: where
    its label is written."""
    out, previous = [], 0
    for start, end in spans:
        line_start = text.rfind("\n", 0, start) + 1
        out.append(text[max(line_start, previous):start])
        previous = end
    return out


# ---- phone -----------------------------------------------------------------------------------

_PHONE_LABEL = re.compile(r"电话|手机|联系方式|座机|固话|tel|mobile|phone|mob\b|cell", re.I)
_FAX_LABEL = re.compile(r"传真|fax", re.I)


def _phone(text: str) -> str:
    """A number labelled 电话/手机/联系电话/Tel/Mobile if there is one, else the first number
    that is not labelled a fax."""
    phones = find_phones(text)
    befores = _befores(text, [(p.start, p.end) for p in phones])
    labelled = [p for p, before in zip(phones, befores) if _PHONE_LABEL.search(before)]
    unlabelled = [p for p, before in zip(phones, befores) if not _FAX_LABEL.search(before)]
    chosen = (labelled or unlabelled or [None])[0]
    return chosen.number if chosen else ""


# ---- name ------------------------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# 联系人, 工作负责人姓名, 联系人及电话, 工作负责人姓名、电话、邮箱, 联系人信息如下, then : or blanks.
_LABEL = re.compile(
    r"(?:工作负责人|工作联系人|项目负责人|项目联系人|联系人|负责人|联络人)(?!员)"
    r"(?:姓名|名字|信息|[及和与、/]?(?:联系)?(?:电话|手机|方式|邮箱|电子邮箱|姓名))*(?:如下)?"
    r"[ \t]*(?P<colon>[:∶]?)[ \t]*")
_NAME_LINE = re.compile(r"(?:^|(?<=[\s,，;；]))姓[ \t]*名[ \t]*(?P<colon>[:∶]?)[ \t]*", re.M)
# Bounded: a name is short, and a label repeated down a long text must not rescan all of it.
_RUN = re.compile(rf"[{_HAN}]{{1,24}}(?:·[{_HAN}]{{1,12}}){{0,3}}")
# Words that end a name written without punctuation: 王晓明电话138…, 王晓明职务处长.
_STOP = re.compile(r"电话|手机|职务|职称|邮箱|电邮|邮件|座机|传真|联系|方式|号码|地址|微信|办公")
_TITLE = re.compile(r"(?:先生|女士|同志|老师|处长|副处长|科长|副科长|主任|副主任|局长|厅长|"
                    r"部长|经理|总监|工程师)$")
# A unit or a department, not a person: 联系人：应对气候变化处. A name written after its
# department (生态环境厅王晓明) is what follows the department.
_DEPARTMENT = re.compile(r"(?:处|科|室|厅|局|办|中心|公司|单位|部门|小组|委员会|司)")
_DEPARTMENT_END = re.compile(f"(?:{_DEPARTMENT.pattern})$")
# Words of a sentence, not a name: 负责人签字盖章, 联系人见附件, 联系人如下.
_NOT_NAME = re.compile(r"^[对请将已均须需为是的在由及与或等见无如同各该本我您贵详待暂未不]"
                       r"|签字|签名|盖章|签章|确认|审核|同意|负责|填写|提供|要求|信息|名单|材料|附件")


def _name(text: str) -> str:
    """The first name written after a contact label, else after a 姓名 label."""
    for label in (*_LABEL.finditer(text), *_NAME_LINE.finditer(text)):
        name = _name_at(text, label.end(), bool(label["colon"]))
        if name:
            return name
    return ""


_NEXT_LINE = re.compile(r"\n[ \t]*")
_SPACED = re.compile(rf"[ \t]+([{_HAN}]{{1,2}})(?![{_HAN}])")
_GAP = re.compile(r"[ \t]+")


def _name_at(text: str, at: int, colon: bool, after_department: bool = False) -> str:
    if colon and (line := _NEXT_LINE.match(text, at)):  # 联系人：⏎王晓明
        at = line.end()
    run = _RUN.match(text, at)
    if run is None:
        return ""
    words = _STOP.split(run.group(), maxsplit=1)[0]
    # A one-character surname spaced from the given name: 王  明.
    spaced = _SPACED.match(text, run.end())
    if len(words) == 1 and words == run.group() and spaced and not _STOP.match(spaced.group(1)):
        words += spaced.group(1)
    # The department first, then the person: 应对气候变化处 王晓明.
    gap = _GAP.match(text, run.end())
    if _DEPARTMENT_END.search(words) and gap and not after_department:
        return _name_at(text, gap.end(), False, after_department=True)
    words = _TITLE.sub("", words)
    words = _DEPARTMENT.split(words)[-1] if len(words) > 4 else words
    return words if _is_name(words) else ""


def _is_name(words: str) -> bool:
    han = words.replace("·", "")
    longest = 16 if "·" in words else 4  # 阿依古丽·买买提: transcribed names are longer
    return (2 <= len(han) <= longest and not _DEPARTMENT_END.search(han)
            and not _NOT_NAME.search(han))
