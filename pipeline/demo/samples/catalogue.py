"""The sample mailbox: every sample mail, in delivery order, with the outcome it must get."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

from pipeline.demo.samples import ccea, cq, gpipc, mee, others

Expected = frozenset[tuple[str, "str | None"]]


@dataclass(frozen=True)
class Sample:
    """One sample mail and exactly what `intake check` must say about it."""

    key: str
    # The campaign it must be filed under; None when it is not a submission.
    campaign: str | None
    verdict: str
    # Every (rule, field) finding expected, errors and warnings alike, and nothing else.
    findings: Expected
    description: str
    build: Callable[[], bytes]


def _sample(key: str, campaign: str | None, verdict: str, findings: set[tuple[str, str | None]],
            description: str, builder: Callable[[str], bytes]) -> Sample:
    return Sample(key, campaign, verdict, frozenset(findings), description, partial(builder, key))


def _resent(original: Sample) -> Sample:
    """The very same bytes delivered a second time (a client's retry, a forward loop)."""
    return Sample(f"{original.key}-resent", original.campaign, "duplicate", frozenset(),
                  f"exact re-delivery of {original.key}: same bytes, no second reply",
                  original.build)


def _ccea() -> list[Sample]:
    csr_complete = _sample(
        "ccea-csr-complete", "ccea-csr-2022", "complete", set(),
        "履责实践案例申报表 sealed and dated, 420 字, two photos", ccea.csr_complete)
    return [
        _sample("ccea-green-complete", "ccea-green-2022", "complete", set(),
                "申报表 + 案例报告 (500/3400/800 字) + 营业执照/检测报告/用户使用报告 PDFs",
                ccea.green_complete),
        _sample("ccea-green-deficient", "ccea-green-2022", "deficient",
                {("length_exceeded", "summary"), ("case_name_has_abbrev", "case_name"),
                 ("attachment_missing", "proof")},
                "案例简介 900 字 (>800), case name '5G基站AI…', no proof document (a warning)",
                ccea.green_deficient),
        csr_complete,
        _sample("ccea-csr-deficient", "ccea-csr-2022", "deficient",
                {("choice_invalid", "category"), ("field_missing", "contact_phone")},
                "two themes ticked (助力乡村振兴 + 消除数字鸿沟), 联系电话 blank", ccea.csr_deficient),
        _resent(csr_complete),
    ]


def _mee() -> list[Sample]:
    return [
        _sample("mee-complete", "mee-lowcarbon-2023", "complete", set(),
                "浙江省示例推荐材料.zip (GBK names): 推荐表.docx, sealed scan PDF, 3 photos; "
                "body names 工作负责人, phone, e-mail", mee.complete),
        _sample("mee-deficient", "mee-lowcarbon-2023", "deficient",
                {("subject_format", None), ("body_contact_missing", "body_contact_name"),
                 ("body_contact_missing", "body_contact_phone"),
                 ("body_contact_missing", "body_contact_email"),
                 ("photo_count", None)},
                "subject '关于报送低碳案例的函' (campaign known from the form title), "
                "no contact in the body, 2 photos", mee.deficient),
    ]


def _gpipc() -> list[Sample]:
    small = {("photo_too_small", name) for name in gpipc.PARK_SMALL_PHOTOS}
    return [
        _sample("inquiry", None, "not_submission", set(),
                "a question about the deadline, no attachment (subject mentions 绿盟案例征集)",
                others.inquiry),
        _sample("gpipc-park-complete", "gpipc-park-2024", "complete", set(),
                "申报表 + 案例编辑模板 (400/900/400 字) + 3 photos just over 1 MiB", gpipc.park_complete),
        _sample("auto-reply", None, "not_submission", set(),
                "out-of-office reply (Auto-Submitted: auto-replied) quoting a campaign subject",
                others.auto_reply),
        _sample("gpipc-park-deficient", "gpipc-park-2024", "deficient",
                small | {("length_exceeded", "summary"), ("attachment_missing", "writeup")},
                "3 photos under 1 MB, 案例简介 260 字 (>200), no 案例编辑模板; subject in [ ] with a space",
                gpipc.park_deficient),
        _sample("gpipc-enterprise-complete", "gpipc-enterprise-2024", "complete", set(),
                "案例申报信息表 recommended by 示例经济技术开发区 + 编写模板 + 3 photos > 1 MiB",
                gpipc.enterprise_complete),
        _sample("gpipc-enterprise-deficient", "gpipc-enterprise-2024", "deficient",
                {("choice_invalid", "category"), ("field_missing", "contact_email")},
                "no 申报主题 ticked, 联系邮箱 blank", gpipc.enterprise_deficient),
        _sample("gpipc-enterprise-late", "gpipc-enterprise-2024", "late",
                {("deadline_passed", None)},
                "complete materials received 2024-04-16 10:00 +0800, the day after the deadline",
                gpipc.enterprise_late),
    ]


def _cq() -> list[Sample]:
    return [
        _sample("cq-ict-complete", "cq-ict-enabling", "complete", set(),
                "赋能降碳典型应用案例申报表 (700 字, sealed) + 2 photos", cq.complete),
        _sample("cq-ict-deficient", "cq-ict-enabling", "deficient",
                {("length_exceeded", "summary"), ("attachment_unreadable", cq.BROKEN_NAME)},
                "案例简介 1150 字 (>1000) and a 补充说明.docx that is not a zip", cq.deficient),
    ]


def catalogue() -> list[Sample]:
    """Every sample, in the order it is delivered to the mailbox."""
    return [*_ccea(), *_mee(), *_gpipc(), *_cq()]


def write_maildir(root: Path | str, samples: list[Sample] | None = None) -> list[Path]:
    """Deliver `samples` (default: the catalogue) into a Maildir at `root`, in order.

    Each mail is written to tmp/ and renamed into new/ as a Maildir delivery does. The file
    names, "<nnnn>.<key>.eml", are unique and sort in delivery order; rewriting the same
    samples gives the same files.
    """
    root = Path(root)
    for folder in ("tmp", "new", "cur"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    paths = []
    for number, sample in enumerate(samples if samples is not None else catalogue(), 1):
        name = f"{number:04d}.{sample.key}.eml"
        staging = root / "tmp" / name
        staging.write_bytes(sample.build())
        os.replace(staging, root / "new" / name)
        paths.append(root / "new" / name)
    return paths
