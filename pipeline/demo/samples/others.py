"""Mails that are not submissions: an applicant's question and an out-of-office auto-reply."""
from __future__ import annotations

from pipeline.demo.samples.mime import at, mail, sample_id
from pipeline.demo.samples.texts import ZHANG, ZHAO


def inquiry(key: str) -> bytes:
    body = ("您好！\n\n　　我们是示例经济技术开发区内的企业，想申报2024年度绿色发展创新企业案例。请问案例征集的截止时间"
            "是哪天？企业案例是否需要园区盖章推荐？\n\n谢谢！\n"
            f"{ZHAO.name}\n示例市远景新能源有限公司\n{ZHAO.mobile}")
    return mail("请问绿盟案例征集的截止时间", ZHAO.sender(), body, [], date=at(2024, 3, 25, 9, 12),
                message_id=sample_id(key), subject_charset="utf-8", html=True)


def auto_reply(key: str) -> bytes:
    """An applicant's out-of-office answer to our receipt: RFC 3834 says never reply to it."""
    body = "您好，我目前外出，4月15日后回复邮件。如有急事请致电办公室。\n（此邮件为自动回复）"
    return mail("自动回复：【示例经济技术开发区管理委员会】绿盟案例征集", ZHANG.sender(), body, [],
                date=at(2024, 4, 8, 10, 17), message_id=sample_id(key), subject_charset="gb18030",
                in_reply_to="<receipt-gpipc-park-complete@example.org>",
                headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"})
