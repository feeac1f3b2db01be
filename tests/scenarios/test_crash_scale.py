"""Kill -9 the worker again and again while it takes submissions from Dovecot and answers them
through SMTP, then restart it until idle: every mail is in the ledger once, every submission
has one reply, and a second copy only where the outbox recorded the send as ambiguous.

The worker is `intake run` in a child process; Dovecot and the capturing SMTP server outlive
it. It dies at named failpoints (INTAKE_FAILPOINTS, pipeline/failpoints.py) whose hit count is
drawn so that the kills spread over the work left, and at random moments once the phase aimed
at has begun. The random choices come from one seed, printed with the summary:
INTAKE_CRASH_SEED=n reruns a plan (the random moments still fall where the scheduler lets them).
"""
from __future__ import annotations

import math
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bench.dovecot import Dovecot
from outbox.compose import REPLY_KINDS
from pipeline.app.check import check_messages
from pipeline.demo.samples import at, build_form, filler, mail, photo, sample_id
from pipeline.demo.samples.forms import CHOICES
from pipeline.demo.samples.texts import Person
from tests.support.smtpserver import SmtpServer
from tests.support.workspace import Workspace

SECRET_ENV = "INTAKE_TEST_IMAP_SECRET"
CAMPAIGN = "gpipc-park-2024"
BATCH = 10
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
GIVEN = ("建华", "晓东", "海燕", "志刚", "丽萍", "文博", "雅琴", "国强", "思远", "春梅")
PLACES = ("东湖", "西山", "南港", "北塘", "青峰", "白沙", "金桥", "银河", "松江", "柳岸",
          "清溪", "临港", "滨江", "望海", "云台", "石门", "桃源", "凤鸣", "龙湾", "鹿山",
          "梅岭", "竹园", "兰亭", "菊潭", "枫林", "杉湖", "芦荡", "荷塘", "泉山", "月湾",
          "星沙", "雁塔", "鹤岗", "燕郊", "鸿运", "晨光", "朝阳", "夕照", "春晖", "秋实")
THEMES = ("屋顶分布式光伏", "智慧能源管理平台", "污水处理提标改造", "工业固废资源化利用",
          "余热回收集中供暖", "储能与光伏一体化", "绿色供应链协同", "数据中心液冷改造")

# Where each failpoint is (pipeline/sources/imap.py, fetch.py, runner.py, process.py, sending.py and
# outbox/smtp.py), as the summary counts the kills.
PHASES = {
    "after_fetch": "fetch", "after_store": "fetch",
    "before_extract": "extraction", "after_extract": "extraction",
    "before_commit": "verdict", "after_commit": "verdict→send", "before_send": "verdict→send",
    "smtp_before_dot": "smtp", "smtp_after_dot": "smtp", "after_send": "smtp",
}
# The work a failpoint's count runs over: fetching, processing or sending (each run does them
# in this order).
POOLS = {"after_fetch": "fetch", "after_store": "fetch", "before_extract": "process",
         "after_extract": "process", "before_commit": "process", "after_commit": "process",
         "before_send": "send", "smtp_before_dot": "send", "smtp_after_dot": "send",
         "after_send": "send"}
# The points at which a reply is claimed (`sending`): the server may or may not have it.
CLAIMED = {"smtp_before_dot", "smtp_after_dot", "after_send"}

CONFIG = '''
[paths]
database = "var/intake.db"
raw = "var/raw"

[[sources]]
name = "box"
type = "imap"
host = "{host}"
port = {imap_port}
tls = "implicit"
ca_file = "{ca_file}"
user = "{user}"
password_env = "{secret_env}"
idle = false
# The mail is delivered before the first pass and must all be answered.
backlog = "reply"
# Small FETCH batches: more moments between them to be killed at.
batch = {batch}

[replies]
sender = "smtp"
mode = "send"
# Up to eight submissions per applicant, and every reply in the same hour.
per_sender_daily = 100
global_hourly = 10000

[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
timeout = 5

[processing]
# Attempts are counted before the work, so each kill during processing costs the message at
# hand one; this test kills far more often than life does and may hit the same one again.
max_attempts = 10
'''


# ---- the mail --------------------------------------------------------------------------

def applicants(count: int) -> list[Person]:
    return [Person(SURNAMES[i] + GIVEN[i % len(GIVEN)], "生态环境局科员", f"1380009{i:04d}",
                   f"010-8009{i:04d}", f"applicant{i:02d}@example.cn") for i in range(count)]


def submission(index: int, people: list[Person]) -> bytes:
    """The index-th submission: its sender's park, a case of its own, a small photo.

    Small files keep the test about crashes, not I/O: the photo is far under 1 MB and the
    write-up is missing, so most verdicts are deficient; which one does not matter here.
    """
    person, round_ = people[index % len(people)], index // len(people)
    unit = f"示例{PLACES[index % len(people)]}经济技术开发区管理委员会"
    case = f"{PLACES[index % len(people)]}{THEMES[round_ % len(THEMES)]}项目第{round_ + 1}期"
    choices = CHOICES[CAMPAIGN]
    form = build_form(CAMPAIGN, {
        "unit_name": unit, **person.fields("contact"), "case_name": case,
        "summary": filler(120 + index % 60, f"crash-{index}"),
        "category": choices[index % len(choices)], "fill_date": "2024年4月8日"})
    files = [("案例征集申报表.docx", form), ("现场照片.jpg", photo(6_000, f"crash-{index}"))]
    body = f"绿盟秘书处：\n\n　　您好！现报送{case}申报材料，请查收。\n\n{person.name}\n{person.mobile}"
    # Days 1..16 of April: the 16th is after the deadline, and gets a late notice.
    return mail(f"【{unit}】绿盟案例征集", person.sender(), body, files,
                date=at(2024, 4, 1 + index % 16, 9 + index % 9, index % 60),
                message_id=sample_id(f"crash-{index}"))


def deliver(server: Dovecot, mails: list[bytes]) -> None:
    with server.client() as client:
        for data in mails:
            client.append("INBOX", data)


def mailbox(server: Dovecot) -> dict[tuple[str, str], bytes]:
    """(UIDVALIDITY, UID) -> the bytes the server gives for it."""
    uidvalidity = str(server.uidvalidity())
    with server.client() as client:
        client.select_folder("INBOX", readonly=True)
        answer = client.fetch(client.search("ALL"), ["BODY.PEEK[]"])
    return {(uidvalidity, str(uid)): bytes(data[b"BODY[]"]) for uid, data in answer.items()}


# ---- the deployment and its worker -----------------------------------------------------

class Deployment(Workspace):
    """A workspace reading one Dovecot and replying through one SMTP server."""

    def __init__(self, root: Path, imap: Dovecot, smtp: SmtpServer):
        super().__init__(root, [])
        root.mkdir(exist_ok=True)
        self.config_path.write_text(CONFIG.format(
            host=imap.host, imap_port=imap.tls_port, ca_file=imap.ca_file, user=imap.user,
            secret_env=SECRET_ENV, batch=BATCH, smtp_port=smtp.port), encoding="utf-8")
        self.database = root / "var" / "intake.db"

    def worker(self, failpoints: str = "") -> subprocess.Popen:
        """`intake run` as cron would start it; what it says goes to worker.log."""
        log = (self.root / "worker.log").open("ab")
        with log:
            return subprocess.Popen(
                [sys.executable, "-m", "pipeline", "run", "--config", str(self.config_path)],
                cwd=self.root, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                env={**os.environ, "COLUMNS": "200", "INTAKE_FAILPOINTS": failpoints})

    def peek(self, sql: str) -> int:
        """One number read while the worker may be writing (WAL: a reader never blocks it)."""
        if not self.database.exists():
            return 0
        try:
            conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=1)
            try:
                return int(conn.execute(sql).fetchone()[0] or 0)
            finally:
                conn.close()
        except sqlite3.OperationalError:  # the worker has not made the table yet
            return 0


@dataclass(frozen=True)
class Snapshot:
    """The ledger and outbox between two runs, as much as the kill plan needs."""

    ledger: int = 0
    done: int = 0
    # Message row -> attempts, for the rows still waiting to be processed.
    pending: dict[int, int] = field(default_factory=dict)
    attempts: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0

    @classmethod
    def of(cls, deployment: Deployment) -> Snapshot:
        if not deployment.database.exists():
            return cls()
        rows = deployment.query("select id, status, attempts from messages")
        outbox = Counter(r["status"] for r in deployment.query("select status from outbox"))
        return cls(len(rows), sum(r["status"] == "done" for r in rows),
                   {r["id"]: r["attempts"] for r in rows if r["status"] == "fetched"},
                   sum(r["attempts"] for r in rows), outbox["queued"], outbox["sending"],
                   outbox["sent"])

    def landed(self, after: Snapshot) -> str:
        """Where a run killed at an unnamed moment was, judged from what it left."""
        if after.sending:
            return "smtp"
        if any(n > self.pending.get(i, 0) for i, n in after.pending.items()):
            return "processing"  # a message begun and not finished: extraction or verdict
        if after.sent > self.sent:
            return "between sends"
        if after.done > self.done:
            return "between messages"
        return "fetch" if after.ledger > self.ledger else "startup"


@dataclass
class Kill:
    plan: str
    phase: str
    sending: int  # rows left in `sending`: the next drain re-queues them as ambiguous


@dataclass
class Crashes:
    """Runs of the worker, each killed somewhere; what became of each kill."""

    deployment: Deployment
    total: int
    rng: random.Random
    kills: list[Kill] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def work(self, point: str, now: Snapshot) -> int:
        """How many times a run from here reaches `point` at most."""
        unfetched = self.total - now.ledger
        if point == "after_fetch":
            return math.ceil(unfetched / BATCH)
        if point == "after_store":
            return unfetched
        if POOLS[point] == "process":
            return len(now.pending) + unfetched
        return now.queued + now.sending + len(now.pending) + unfetched

    def named(self, point: str, left: int) -> None:
        """Kill at the n-th time the run reaches `point`, n spread over the work left."""
        before = Snapshot.of(self.deployment)
        work = self.work(point, before)
        if work == 0:
            self.missed.append(point)
            return
        n = self.rng.randint(1, max(1, work // left))
        child = self.deployment.worker(f"{point}:{n}")
        code = child.wait(timeout=300)
        after = Snapshot.of(self.deployment)
        if code != -signal.SIGKILL:
            assert code == 0, self.deployment.root / "worker.log"
            self.missed.append(f"{point}:{n}")
            return
        self.kills.append(Kill(f"{point}:{n}", PHASES[point], after.sending))
        # The point is where it says: a claimed row is left exactly by the SMTP points.
        assert after.sending == (point in CLAIMED), (point, after)

    def at_random(self, pool: str, left: int) -> None:
        """Kill at a random moment: a little after the run has begun the k-th piece of the
        pool's work (a mail stored, a message begun, a reply claimed), k spread like n above."""
        deployment, before = self.deployment, Snapshot.of(self.deployment)
        progress, done = {
            "fetch": ("select count(*) from messages", before.ledger),
            "process": ("select sum(attempts) from messages", before.attempts),
            "send": ("select count(*) from outbox where status in ('sending', 'sent')",
                     before.sending + before.sent),
        }[pool]
        point = {"fetch": "after_store", "process": "before_extract", "send": "before_send"}[pool]
        k = self.rng.randint(1, max(1, self.work(point, before) // left))
        jitter = self.rng.uniform(0, {"fetch": 0.01, "process": 0.1, "send": 0.01}[pool])
        child = deployment.worker()
        deadline = time.monotonic() + 120
        while child.poll() is None and deployment.peek(progress) < done + k:
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.002)
        time.sleep(jitter)
        if child.poll() is not None:
            self.missed.append(f"random {pool}")
            return
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = Snapshot.of(deployment)
        self.kills.append(Kill(f"random {pool}", before.landed(after), after.sending))

    def until_idle(self) -> int:
        """Plain runs until one finds nothing to fetch, process or send; how many it took."""
        for runs in range(1, 11):
            log = self.deployment.root / "worker.log"
            size = log.stat().st_size if log.exists() else 0
            assert self.deployment.worker().wait(timeout=300) == 0, log.read_text("utf-8")
            said = log.read_bytes()[size:].decode("utf-8", "replace")
            counts = re.search(r"fetched (\d+), processed (\d+) .*parked (\d+), replies sent (\d+)",
                               said)
            assert counts, said
            if [int(n) for n in counts.groups()] == [0, 0, 0, 0]:
                return runs
        raise AssertionError("intake run never became idle")


def plan(rng: random.Random, named: dict[str, int], random_kills: dict[str, int]) -> list[str]:
    """The kills in the order the work comes: fetch, then processing, then sending; each pool's
    kills shuffled. A random kill is "random <pool>"."""
    order = []
    for pool in ("fetch", "process", "send"):
        kills = [p for p, n in named.items() if POOLS[p] == pool for _ in range(n)]
        kills += [f"random {pool}"] * random_kills.get(pool, 0)
        rng.shuffle(kills)
        order += kills
    return order


def pool_of(kill: str) -> str:
    return kill.split()[1] if kill.startswith("random") else POOLS[kill]


def crash(crashes: Crashes, order: list[str]) -> None:
    """Each planned kill in turn; its count or moment is drawn from the work left to its pool."""
    for index, kill in enumerate(order):
        pool = pool_of(kill)
        left = sum(1 for k in order[index:] if pool_of(k) == pool)
        if kill.startswith("random"):
            crashes.at_random(pool, left)
        else:
            crashes.named(kill, left)


# ---- what must hold afterwards ---------------------------------------------------------

def expected_findings(deployment: Deployment, mails: dict[tuple[str, str], bytes],
                      folder: Path) -> dict[str, tuple[str, frozenset]]:
    """Message-ID -> (verdict, {(rule, field)}) from `intake check` over the same mail, in order."""
    folder.mkdir()
    paths = []
    for (_, uid), data in sorted(mails.items(), key=lambda item: int(item[0][1])):
        paths.append(folder / f"{int(uid):05d}.eml")
        paths[-1].write_bytes(data)
    results = check_messages(paths, deployment.config(), datetime.now(timezone.utc))
    return {r["message_id"]: (r["verdict"], frozenset((f["rule"], f["field"]) for f in r["findings"]))
            for r in results}


def assert_ledger(deployment: Deployment, mails: dict[tuple[str, str], bytes]) -> list[dict]:
    """Every (UIDVALIDITY, UID) and every sha256 once, every message finished."""
    ledger = deployment.query("select id, uidvalidity, uid, sha256, status, message_id, verdict, "
                              "submission_id, attempts from messages order by id")
    keys = Counter((r["uidvalidity"], r["uid"]) for r in ledger)
    assert set(keys) == set(mails) and set(keys.values()) == {1}
    hashes = Counter(r["sha256"] for r in ledger)
    assert set(hashes.values()) == {1} and len(hashes) == len(mails)
    assert {r["status"] for r in ledger} == {"done"}, "a message stuck before or in processing"
    return ledger


def assert_decisions(deployment: Deployment, ledger: list[dict],
                     expected: dict[str, tuple[str, frozenset]]) -> None:
    """One submission, one version and the findings of a clean check per message; the
    reference numbers run without a gap or a repeat (a rolled-back one is not used up)."""
    submissions = deployment.query("select id, version, reference from submissions")
    assert len(submissions) == len(ledger) == len({r["submission_id"] for r in ledger})
    assert {s["version"] for s in submissions} == {1}
    numbers = sorted(int(s["reference"].rsplit("-", 1)[1]) for s in submissions)
    assert numbers == list(range(1, len(ledger) + 1))
    versions = deployment.query("select submission_id, message_row from versions")
    assert sorted((v["submission_id"], v["message_row"]) for v in versions) == \
        sorted((r["submission_id"], r["id"]) for r in ledger)
    found = {}
    for row in ledger:
        pairs = [(f["rule"], f["field"]) for f in deployment.query(
            "select rule, field from findings where message_row = ?", [row["id"]])]
        assert len(pairs) == len(set(pairs)), f"findings saved twice for message {row['id']}"
        found[row["message_id"]] = (row["verdict"], frozenset(pairs))
    assert found == expected


def assert_replies(deployment: Deployment, ledger: list[dict], server: SmtpServer,
                   kills: list[Kill]) -> dict[str, int]:
    """One reply row per message, all sent; each captured once, or up to once more per
    ambiguous send; and every ambiguous send is a kill that left its row claimed."""
    verdicts = {r["id"]: r["verdict"] for r in ledger}
    outbox = deployment.query("select message_row, kind, message_id, status, ambiguous "
                              "from outbox order by id")
    assert sorted(r["message_row"] for r in outbox) == sorted(verdicts)
    assert all(r["kind"] == REPLY_KINDS[verdicts[r["message_row"]]] for r in outbox)
    assert {r["status"] for r in outbox} == {"sent"}, "a reply stuck in queued or sending"
    captured = Counter(server.parsed(i)["Message-ID"] for i in range(len(server.messages)))
    assert set(captured) == {r["message_id"] for r in outbox}, "a reply lost, or one not ours"
    for row in outbox:
        assert captured[row["message_id"]] <= 1 + row["ambiguous"], row
    assert all(len(m.rcpt_tos) == 1 for m in server.messages)
    ambiguous = sum(r["ambiguous"] for r in outbox)
    assert ambiguous == sum(k.sending for k in kills)
    smtp_kills = sum(k.phase == "smtp" for k in kills)
    assert ambiguous <= smtp_kills
    return {"captured": len(server.messages), "duplicates": sum(c - 1 for c in captured.values()),
            "ambiguous": ambiguous, "smtp kills": smtp_kills}


def assert_nothing_left_running(deployment: Deployment, timeout: float = 10) -> None:
    """A killed worker's parser child finishes its file, finds no one reading, and exits."""
    needle = str(deployment.config_path).encode()
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and needle in (entry / "cmdline").read_bytes():
                    left.append(entry.name)
            except OSError:
                continue
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not left, f"processes of a killed worker still running: {left}"


def scenario(tmp_path: Path, imap: Dovecot, smtp: SmtpServer, monkeypatch, *, count: int,
             senders: int, named: dict[str, int], random_kills: dict[str, int],
             seed: int) -> tuple[Crashes, dict[str, int]]:
    started = time.monotonic()
    seed = int(os.environ.get("INTAKE_CRASH_SEED", seed))
    monkeypatch.setenv(SECRET_ENV, imap.password)
    people = applicants(senders)
    deliver(imap, [submission(i, people) for i in range(count)])
    mails = mailbox(imap)
    assert len(mails) == count
    deployment = Deployment(tmp_path / "deployment", imap, smtp)
    crashes = Crashes(deployment, count, random.Random(seed))
    crash(crashes, plan(crashes.rng, named, random_kills))
    runs = crashes.until_idle()
    expected = expected_findings(deployment, mails, tmp_path / "expected")
    ledger = assert_ledger(deployment, mails)
    assert_decisions(deployment, ledger, expected)
    counts = assert_replies(deployment, ledger, smtp, crashes.kills)
    assert_nothing_left_running(deployment)
    counts["worst attempts"] = max(r["attempts"] for r in ledger)
    # A kill between a raw file's write and its rename leaves a temporary file; the next run
    # sweeps it (the mail is fetched again and stored under its name), so none is left.
    counts["temp files"] = sum(1 for _ in deployment.root.glob("var/raw/*/.*.tmp"))
    assert counts["temp files"] == 0
    phases = Counter(k.phase for k in crashes.kills)
    randoms = Counter(k.phase for k in crashes.kills if k.plan.startswith("random"))
    print(f"\ncrash scale: seed {seed}, {count} submissions from {senders} senders, "
          f"{len(crashes.kills)} kills by phase {dict(phases)} (of them random {dict(randoms)}), "
          f"{runs} runs to idle, replies captured {counts['captured']}, duplicates "
          f"{counts['duplicates']}, ambiguous {counts['ambiguous']} (kills during SMTP "
          f"{counts['smtp kills']}), worst attempts {counts['worst attempts']}, temp files left "
          f"{counts['temp files']}, not fired {crashes.missed or 'none'}, "
          f"wall {time.monotonic() - started:.1f} s")
    return crashes, counts


def test_killed_at_every_failpoint_while_answering_30_submissions(
        tmp_path, dovecot, smtp_server, monkeypatch):
    """GIVEN 30 submissions from 8 senders in Dovecot WHEN the worker is killed once at each
    failpoint and twice at random, and restarted until idle THEN every mail is in the ledger
    once and every submission has one reply, two only where the outbox says ambiguous."""
    crashes, _ = scenario(tmp_path, dovecot, smtp_server, monkeypatch, count=30, senders=8,
                           named={point: 1 for point in PHASES},
                           random_kills={"process": 1, "send": 1}, seed=20240409)
    named = [k.plan.split(":")[0] for k in crashes.kills if not k.plan.startswith("random")]
    assert sorted(named) == sorted(PHASES), crashes.missed


@pytest.mark.slow
def test_killed_at_37_points_while_answering_300_submissions(tmp_path, dovecot,
                                                             smtp_server, monkeypatch):
    """GIVEN 300 submissions from 40 senders in Dovecot WHEN the worker is killed at 30+
    points (during fetch, extraction, between verdict and send, in the SMTP transaction, and
    at random moments) and restarted until idle THEN the same holds as for 30."""
    named = {"after_fetch": 3, "after_store": 3, "before_extract": 3, "after_extract": 3,
             "before_commit": 2, "after_commit": 3, "before_send": 3, "smtp_before_dot": 3,
             "smtp_after_dot": 3, "after_send": 2}
    crashes, _ = scenario(tmp_path, dovecot, smtp_server, monkeypatch, count=300, senders=40,
                           named=named, random_kills={"fetch": 2, "process": 4, "send": 3},
                           seed=20240415)
    assert len(crashes.kills) >= 30
    assert {k.phase for k in crashes.kills} >= {"fetch", "extraction", "verdict→send", "smtp"}
