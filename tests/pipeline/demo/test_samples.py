"""The sample generator: every sample builds, parses, decodes, is reproducible, and is invented."""
from __future__ import annotations

import email
import email.policy
import io
import re
import tomllib
import unicodedata
import zipfile
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import docx
import pytest

from parsers.text import count_chars
from pipeline.demo.samples import (at, build_form, catalogue, filler, mail, photo, photo_over, photo_under,
                                   sample_id, write_maildir, zip_bytes)
from pipeline.demo.samples.forms import CHOICES, FORM_CAMPAIGNS, PROMPTS
from rules.vocabulary import DOCUMENT_KINDS, RULE_IDS, RULE_VERDICTS, VERDICTS, is_field_key
from tests.conftest import ROOT, seed_contacts

ONE_MIB = 1_048_576
ENTERPRISE_FILES = ["案例申报信息表.docx", "案例编写模板.docx", "生产车间.jpg", "屋顶光伏.jpg",
                    "能源管理中心.jpg"]
CSR_FILES = ["履责实践案例申报表（示例市通达网络服务有限公司）.docx", "基站光伏板安装现场.jpg",
             "光储一体化机柜.jpg"]
ATTACHMENTS = {
    "ccea-green-complete": ["2022绿色低碳发展优秀实践案例申报表.docx",
                            "案例报告-通信机房液冷改造与余热回收节能实践.docx", "营业执照（复印件）.pdf",
                            "节能检测报告.pdf", "用户使用报告.pdf"],
    "ccea-green-deficient": ["申报表.docx", "案例报告.docx"],
    "ccea-csr-complete": CSR_FILES,
    "ccea-csr-deficient": ["履责实践案例申报表.docx", "培训现场.jpg"],
    "ccea-csr-complete-resent": CSR_FILES,
    "mee-complete": ["浙江省示例推荐材料.zip"],
    "mee-deficient": ["浙江省示例社区推荐材料.zip"],
    "inquiry": [],
    "gpipc-park-complete": ["附件1-案例征集申报表.docx", "附件2-案例编辑模板.docx", "园区屋顶分布式光伏.jpg",
                            "智慧能源管理中心.jpg", "污水处理厂提标改造.jpg"],
    "auto-reply": [],
    "gpipc-park-deficient": ["案例征集申报表.docx", "产业园区全景.jpg", "节能环保产业孵化基地.jpg",
                             "新能源汽车零部件产线.jpg"],
    "gpipc-enterprise-complete": ENTERPRISE_FILES,
    "gpipc-enterprise-deficient": ENTERPRISE_FILES,
    "gpipc-enterprise-late": ENTERPRISE_FILES,
    "cq-ict-complete": ["赋能降碳典型应用案例申报表.docx", "能效监测平台.jpg", "智能工厂现场.jpg"],
    "cq-ict-deficient": ["赋能降碳典型应用案例申报表.docx", "补充说明.docx", "智慧路灯.jpg"],
}
_FILE_RULES = {"photo_too_small", "photo_too_large", "filename_format", "attachment_unreadable",
               "video_too_long"}


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return {sample.key: sample.build() for sample in catalogue()}


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def attachments(raw: bytes) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_content()) for part in parse(raw).iter_attachments()]


def zip_names(data: bytes) -> list[str]:
    """Member names as a Chinese Windows tool meant them (GBK when the UTF-8 flag is off)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [i.filename if i.flag_bits & 0x800 else i.filename.encode("cp437").decode("gbk")
                for i in archive.infolist()]


def readable(raw: bytes) -> list[str]:
    """Everything a person could read in a mail: headers, bodies, names, Word and zip text."""
    message = parse(raw)
    texts = [str(value) for value in message.values()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            texts.append(part.get_content())
    for name, data in attachments(raw):
        texts.append(name)
        texts.extend(_unpacked(data))
    return texts


def _unpacked(data: bytes) -> list[str]:
    if not data.startswith(b"PK"):
        return []
    texts = zip_names(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            member = archive.read(info)
            if info.filename.endswith((".xml", ".rels")):
                texts.append(member.decode("utf-8"))
            texts.extend(_unpacked(member))
    return texts


# ---- the catalogue --------------------------------------------------------------------

def test_the_catalogue_covers_every_campaign_with_a_complete_and_a_deficient_sample():
    samples = catalogue()
    assert len({s.key for s in samples}) == len(samples)
    for campaign in FORM_CAMPAIGNS:
        verdicts = {s.verdict for s in samples if s.campaign == campaign}
        assert {"complete", "deficient"} <= verdicts, campaign
    assert {s.verdict for s in samples} == set(RULE_VERDICTS)


@pytest.mark.parametrize("sample", catalogue(), ids=lambda s: s.key)
def test_expectations_use_the_shared_vocabulary(sample):
    assert sample.verdict in VERDICTS
    assert (sample.campaign is None) == (sample.verdict == "not_submission")
    if sample.verdict in ("complete", "not_submission", "duplicate"):
        assert sample.findings == frozenset()
    for rule, field in sample.findings:
        assert rule in RULE_IDS
        if rule == "attachment_missing":
            assert field in DOCUMENT_KINDS
        elif rule in ("field_missing", "choice_invalid", "length_exceeded", "case_name_has_abbrev",
                      "body_contact_missing"):
            assert is_field_key(field)


def test_every_file_finding_names_a_file_of_the_mail(built):
    for sample in catalogue():
        names = set()
        for name, data in attachments(built[sample.key]):
            names.add(name)
            if name.endswith(".zip"):
                names.update(n.rsplit("/", 1)[-1] for n in zip_names(data))
        for rule, field in sample.findings:
            if rule in _FILE_RULES:
                assert field in names, (sample.key, rule, field)


# ---- the mails ------------------------------------------------------------------------

def test_every_sample_parses_with_the_envelope_a_mailbox_shows(built):
    for sample in catalogue():
        message = parse(built[sample.key])
        assert message["Message-ID"] == sample_id(sample.key.removesuffix("-resent"))
        assert message["To"] == "cases@example.org"
        assert message["Subject"] and "=?" not in str(message["Subject"])
        assert not message["From"].addresses[0].display_name.isascii()
        received = parsedate_to_datetime(message["Received"].split(";")[-1].strip())
        assert received.utcoffset().total_seconds() == 8 * 3600
        assert not message.defects and not any(p.defects for p in message.walk())


def test_every_sample_carries_its_attachments_under_their_decoded_names(built):
    assert set(ATTACHMENTS) == set(built)
    for key, raw in built.items():
        assert [name for name, _ in attachments(raw)] == ATTACHMENTS[key], key


@pytest.mark.parametrize("style, raw_form", [("rfc2231", b"filename*=UTF-8''%E6%B5%99"),
                                             ("rfc2047", b'filename="=?GBK?B?')])
def test_both_filename_styles_decode(style, raw_form):
    name = "浙江省示例照片（光伏车棚）.jpg"
    raw = mail("主题", "王晓明 <wangxiaoming@example.cn>", "正文", [(name, b"data")],
               date=at(2024, 4, 8), message_id="<t@example.com>", filename_style=style)
    assert raw_form in raw
    assert attachments(raw) == [(name, b"data")]


@pytest.mark.parametrize("marker", [b"=?GB18030?B?", b"=?gbk?B?", b"=?UTF-8?B?",
                                    b"filename*=UTF-8''", b'filename="=?GBK?B?',
                                    b"multipart/alternative", b"Auto-Submitted: auto-replied"])
def test_the_catalogue_uses_what_chinese_clients_send(built, marker):
    assert any(marker in raw for raw in built.values())


def test_the_late_sample_arrives_the_day_after_the_deadline(built):
    received = parse(built["gpipc-enterprise-late"])["Received"].split(";")[-1].strip()
    assert parsedate_to_datetime(received) == at(2024, 4, 16, 10, 0)


# ---- the attachments ------------------------------------------------------------------

def test_gpipc_photos_fall_on_the_intended_side_of_one_mib(built):
    for sample in catalogue():
        if not (sample.campaign or "").startswith("gpipc-"):
            continue
        sizes = [len(data) for name, data in attachments(built[sample.key]) if name.endswith(".jpg")]
        assert len(sizes) == 3
        if sample.key == "gpipc-park-deficient":
            assert all(size < ONE_MIB for size in sizes)
        else:
            assert all(ONE_MIB < size <= 1.3e6 for size in sizes), sample.key


def test_the_mee_zip_is_written_as_a_chinese_windows_tool_writes_it(built):
    (name, data), = attachments(built["mee-complete"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(not info.flag_bits & 0x800 for info in archive.infolist())
        sizes = [info.file_size for info in archive.infolist()]
    base = [n.rsplit("/", 1)[-1] for n in zip_names(data)]
    assert base == ["浙江省示例推荐表.docx", "浙江省示例推荐表盖章扫描件.pdf", "浙江省示例照片（光伏车棚）.jpg",
                    "浙江省示例照片（储能电站）.jpg", "浙江省示例照片（能源管理平台）.jpg"]
    assert all(size < 5 * 1024 * 1024 for size in sizes)


def test_zip_bytes_can_also_flag_utf8_names():
    assert zip_names(zip_bytes({"照片.jpg": b"x"}, gbk_names=False)) == ["照片.jpg"]


@pytest.mark.parametrize("target", [200_000, 600_000])
def test_photo_is_within_three_percent(target):
    assert abs(len(photo(target, "t")) - target) <= target * 0.03


def test_photo_over_and_under_land_strictly_on_their_side():
    assert ONE_MIB < len(photo_over(ONE_MIB, "o")) <= ONE_MIB * 1.12
    assert ONE_MIB * 0.88 <= len(photo_under(ONE_MIB, "u")) < ONE_MIB


@pytest.mark.parametrize("n", [2, 160, 901])
def test_filler_has_exactly_the_asked_word_count(n):
    assert count_chars(filler(n, n)) == n


@pytest.mark.parametrize("campaign", FORM_CAMPAIGNS)
def test_forms_print_the_profile_title_choices_and_prompts(campaign):
    profile = tomllib.loads((ROOT / "rules" / "campaigns" / f"{campaign}.toml").read_text("utf-8"))
    document = docx.Document(io.BytesIO(build_form(campaign, {})))
    text = "\n".join(p.text for p in document.paragraphs)
    assert any(title in text.replace(" ", "") for title in profile["form"]["titles"])
    category = next(f for f in profile["form"]["fields"] if f["key"] == "category")
    assert CHOICES[campaign] == tuple(category["choices"])
    summary = next(f for f in profile["form"]["fields"] if f["key"] == "summary")
    assert unicodedata.normalize("NFKC", PROMPTS[campaign]) in summary["prompts"]


# ---- reproducible, delivered, invented ------------------------------------------------

def test_building_twice_gives_identical_bytes(built):
    assert {s.key: s.build() for s in catalogue()} == built
    assert built["ccea-csr-complete-resent"] == built["ccea-csr-complete"]


def test_write_maildir_delivers_in_order_into_new(tmp_path):
    samples = [s for s in catalogue() if s.key in ("inquiry", "auto-reply", "ccea-csr-deficient")]
    paths = write_maildir(tmp_path / "mail", samples)
    assert all((tmp_path / "mail" / d).is_dir() for d in ("tmp", "new", "cur"))
    assert sorted((tmp_path / "mail" / "new").iterdir()) == paths
    assert [p.read_bytes() for p in paths] == [s.build() for s in samples]
    assert not any((tmp_path / "mail" / "tmp").iterdir())
    assert all(":" not in p.name and p.name.endswith(f".{s.key}.eml") for p, s in zip(paths, samples))
    assert write_maildir(tmp_path / "mail", samples) == paths


def test_no_sample_carries_a_phone_or_mailbox_from_the_notices(built):
    forbidden = seed_contacts()
    for key, raw in built.items():
        haystack = raw.decode("latin-1") + "\n".join(readable(raw)).lower()
        assert not [c for c in forbidden if c in haystack], key


def test_every_mailbox_in_a_sample_is_an_example_domain(built):
    pattern = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
    for key, raw in built.items():
        domains = {d.lower() for text in readable(raw) for d in pattern.findall(text)}
        assert domains <= {"example.cn", "example.com", "example.org"}, key
