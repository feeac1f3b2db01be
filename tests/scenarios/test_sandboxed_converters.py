"""A hostile form at the converters: an HTML "申报表.doc" linking remote files is read without a
single request leaving the machine, by an `intake run` whose environment holds passwords."""
from __future__ import annotations

import json

from pipeline.demo.samples import mail
from pipeline.demo.samples.mime import at
from tests.support.hostile_cli import sample
from tests.support.listener import html_form_linking, listening
from tests.support.office import needs_soffice
from tests.support.workspace import make_workspace

PASSWORDS = {"INTAKE_TEST_SMTP_PASSWORD": "smtp-secret-4711",
             "INTAKE_TEST_IMAP_CODE": "imap-secret-4711"}


def test_an_html_doc_linking_our_loopback_fetches_nothing_and_the_next_mail_is_answered(tmp_path):
    """GIVEN a park's mail whose 申报表.doc is HTML with a remote stylesheet, image and frame on
    a loopback server, then an innocent mail WHEN `intake run` (passwords in its environment)
    THEN the server is asked for nothing, the hostile mail is kept and decided once with its
    form read, and the innocent mail is answered."""
    needs_soffice()
    workspace = make_workspace(tmp_path, [])
    new = workspace.root / "mail" / "new"
    with listening() as listener:
        hostile = mail("【示例园区】绿盟案例征集", "示例园区 <park@example.cn>", "申报材料",
                       [("附件1-案例征集申报表.doc", html_form_linking(listener, "示例园区"))],
                       date=at(2024, 4, 2, 9, 0), message_id="linking@example.cn")
        (new / "1.linking.eml").write_bytes(hostile)
        (new / "2.innocent.eml").write_bytes(sample("ccea-csr-complete"))
        result = workspace.intake("run", env=PASSWORDS)
        assert result.returncode == 0, result.stdout + result.stderr
        assert listener.requests == []
    rows = workspace.query("select raw_path, status, verdict from messages order by id")
    assert [r["status"] for r in rows] == ["done", "done"]
    assert rows[0]["verdict"] == "deficient" and rows[1]["verdict"] == "complete"
    with open(rows[0]["raw_path"], "rb") as raw:
        assert raw.read() == hostile
    (form,) = workspace.query("select kind, format, detail from documents where name = "
                              "'附件1-案例征集申报表.doc'")
    assert (form["kind"], form["format"]) == ("form", "html")
    detail = json.loads(form["detail"])
    assert detail["converted"] and detail["fields"]["unit_name"] == "示例园区"
    assert workspace.query("select count(*) as n from outbox")[0]["n"] == 2
