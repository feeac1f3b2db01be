"""A later mail for the same case is a new version; quotas are counted across submissions."""
from __future__ import annotations

import email
from email import policy

from pipeline.app.runner import run
from pipeline.demo.samples import at, catalogue, gpipc, mail, sample_id
from pipeline.demo.samples.texts import GAO, HE, WU, ZHANG
from rules.profile import BUILTIN_DIR
from tests.support.workspace import make_workspace

UNIT, CASE, PARK = "示例市恒远新材料有限公司", "废旧塑料再生造粒循环利用", "示例临港经济技术开发区"


def deficient_sample():
    return next(s for s in catalogue() if s.key == "gpipc-enterprise-deficient")


def corrected_form(key: str) -> bytes:
    files = gpipc._enterprise(key, UNIT, WU, CASE, PARK, ZHANG, "2024年4月13日",
                              industry="橡胶和塑料制品业", category="无废工厂建设")
    return files[0][1]


def deliver(workspace, name: str, data: bytes) -> None:
    (workspace.root / "mail" / "new" / name).write_bytes(data)


def spooled(workspace) -> list[email.message.EmailMessage]:
    files = sorted((workspace.root / "var" / "outbox").glob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def test_a_reply_with_the_corrected_form_updates_the_submission(tmp_path):
    """GIVEN a deficient submission and our notice WHEN the applicant replies with only the
    corrected form THEN the rules run on the merged materials and one updated receipt goes out."""
    workspace = make_workspace(tmp_path, [deficient_sample()])
    run(workspace.config())
    notice = spooled(workspace)[0]
    assert notice["Subject"].startswith("【需补正】")
    correction = mail(f"回复：{notice['Subject']}", WU.sender(), "已按要求修改，请查收。",
                      [("案例申报信息表（修改）.docx", corrected_form("fix"))],
                      date=at(2024, 4, 13, 9, 0), message_id=sample_id("fix"),
                      in_reply_to=notice["Message-ID"])
    deliver(workspace, "9001.fix.eml", correction)
    run(workspace.config())
    submissions = workspace.query("select reference, verdict, version from submissions")
    assert submissions == [{"reference": "GPIPC-2024-E-0001", "verdict": "complete", "version": 2}]
    documents = workspace.query("select d.kind from documents d join versions v on d.version_id = v.id "
                                "where v.number = 2 order by d.kind")
    assert [d["kind"] for d in documents] == ["form", "photo", "photo", "photo", "writeup"]
    update = spooled(workspace)[1]
    assert update["Subject"].startswith("【已更新】【已受理】") and "GPIPC-2024-E-0001" in update["Subject"]
    assert update["In-Reply-To"] == sample_id("fix")


def test_the_same_unit_and_case_name_is_the_same_submission(tmp_path):
    workspace = make_workspace(tmp_path, [deficient_sample()])
    run(workspace.config())
    again = mail(f"【{UNIT}】绿盟企业案例征集", WU.sender(), "修改后的申报表。",
                 [("案例申报信息表.docx", corrected_form("again"))],
                 date=at(2024, 4, 14, 9, 0), message_id=sample_id("again"))
    deliver(workspace, "9002.again.eml", again)
    run(workspace.config())
    assert workspace.query("select count(*) as n, max(version) as v from submissions") == [{"n": 1, "v": 2}]


def test_the_third_enterprise_from_one_park_is_a_quota_warning(tmp_path):
    workspace = make_workspace(tmp_path, [])
    for n, (unit, person) in enumerate([("示例市甲科技有限公司", HE), ("示例市乙科技有限公司", WU),
                                        ("示例市丙科技有限公司", GAO)]):
        files = gpipc._enterprise(f"q{n}", unit, person, f"节能改造实践{'一二三'[n]}", PARK, ZHANG,
                                  "2024年4月1日")
        deliver(workspace, f"900{n}.q.eml", gpipc._enterprise_mail(f"q{n}", unit, person, files,
                                                                  (2024, 4, 1, 9 + n, 0)))
    run(workspace.config())
    rows = workspace.query("select m.verdict, f.rule, f.field from messages m left join findings f "
                           "on f.message_row = m.id order by m.id")
    assert rows == [{"verdict": "complete", "rule": None, "field": None}] * 2 + [
        {"verdict": "complete", "rule": "quota_exceeded", "field": "recommender"}]


def test_a_campaign_is_only_received_at_its_mailboxes(tmp_path):
    """GIVEN a profile naming another mailbox WHEN its mail arrives here THEN it is not filed."""
    workspace = make_workspace(tmp_path, [deficient_sample()])
    folder = tmp_path / "profiles"
    folder.mkdir()
    original = (BUILTIN_DIR / "gpipc-enterprise-2024.toml").read_text(encoding="utf-8")
    (folder / "gpipc-enterprise-2024.toml").write_text(
        original.replace("mailboxes = []", 'mailboxes = ["elsewhere"]'), encoding="utf-8")
    with workspace.config_path.open("a", encoding="utf-8") as handle:
        handle.write('\n[campaigns]\ndirs = ["profiles"]\n')
    run(workspace.config())
    rows = workspace.query("select campaign, verdict from messages")
    assert rows == [{"campaign": None, "verdict": "not_submission"}]
