"""The IMAP source: the only importer of imapclient. Reads with BODY.PEEK, never touches \\Seen.

What Chinese providers need, and why the code does what it does:
- 163/126 and every Coremail server refuse SELECT ("Unsafe Login") until the client sends IMAP ID
  after LOGIN; ID is sent whenever the server advertises it.
- New mail is found with UID SEARCH UID n:* against the ledger's last uid, never with UIDNEXT,
  CONDSTORE or a server-side SEARCH of Chinese text, which these servers get wrong.
- RFC822.SIZE is fetched first, so a mail over the size limit is recorded from its header alone.
"""
from __future__ import annotations

import logging
import os
import socket
import ssl
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Callable, Iterator

from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, IMAPClientAbortError, IMAPClientError, LoginError

from pipeline import failpoints
from pipeline.config.sources import ImapConfig, SourceConfig
from pipeline.errors import MailboxError
from pipeline.sources.base import Incoming, Ledger

log = logging.getLogger("intake")

# Junk folders by name when the server flags none (\Junk in SPECIAL-USE or XLIST's \Spam).
JUNK_NAMES = ("Junk", "垃圾邮件", "垃圾箱", "Spam", "Junk E-mail", "Junk Email", "Bulk Mail",
              "INBOX.Junk", "INBOX.Spam", "INBOX.垃圾邮件")
JUNK_FLAGS = (b"\\Junk", b"\\Spam")
# One FETCH of bodies stays under this many bytes, whatever `batch` says.
BATCH_BYTES = 32 * 1048576
# RFC 2177: a client should re-issue IDLE at least every 29 minutes.
IDLE_RENEW = 25 * 60

# Where each provider hides the IMAP switch and the authorization code (授权码), by domain;
# the first match wins, so exmail.qq.com comes before qq.com.
LOGIN_HINTS = {
    ("163.com", "126.com", "yeah.net"): "网易邮箱：网页版 设置 → POP3/SMTP/IMAP 中开启 IMAP 服务，"
                                         "用生成的授权码登录，不是网页登录密码",
    ("exmail.qq.com",): "腾讯企业邮：开启 IMAP/SMTP 服务；开启了安全登录时用“客户端专用密码”登录",
    ("qq.com", "foxmail.com"): "QQ邮箱：设置 → 账号 中开启 IMAP/SMTP 服务，用生成的授权码登录",
    ("aliyun.com", "mxhichina.com", "qiye.aliyun.com"): "阿里邮箱：在设置中开启 IMAP，开启了三方客户端"
                                                        "安全密码时用该密码登录",
    ("139.com",): "139邮箱：设置 → 客户端设置 中开启 IMAP，用授权码登录",
}
GENERIC_HINT = ("国内邮箱服务商通常要求先在网页版开启 IMAP 服务，并用授权码（客户端专用密码）"
                "代替网页登录密码")


def login_hint(config: ImapConfig) -> str:
    names = (config.host.lower(), config.user.lower().rpartition("@")[2])
    for domains, hint in LOGIN_HINTS.items():
        if any(n == d or n.endswith("." + d) for n in names for d in domains):
            return hint
    return GENERIC_HINT


@lru_cache(maxsize=1)
def _client_id() -> dict[str, str]:
    try:
        ours = version("intake")
    except PackageNotFoundError:
        ours = "0"
    return {"name": "intake", "version": ours, "vendor": "intake", "support-email": ""}


@contextmanager
def mailbox_errors(config: ImapConfig, action: str) -> Iterator[None]:
    """Every library and socket failure as a MailboxError whose kind says what to fix."""
    where = f"{config.host}:{config.port}"
    try:
        yield
    except MailboxError:
        raise
    except ssl.SSLCertVerificationError as error:
        raise MailboxError("tls", f"{where}: certificate not trusted ({error.verify_message}); "
                                  "set ca_file to the CA that signed it") from None
    except ssl.SSLError as error:
        raise MailboxError("tls", f"{where}: TLS failed while {action}: {error.reason or error}; "
                                  "check tls (implicit for 993, starttls for 143) and port") from None
    except LoginError as error:
        raise MailboxError("login", f"{where}: login refused for {config.user}: "
                                    f"{_text(error)}. {login_hint(config)}") from None
    except (socket.timeout, TimeoutError):
        raise MailboxError("timeout", f"{where}: no answer within {config.timeout:g} s while "
                                      f"{action}") from None
    except IMAPClientAbortError as error:
        kind = "timeout" if "timed out" in str(error) else "connection"
        raise MailboxError(kind, f"{where}: connection lost while {action}: {_text(error)}") from None
    except (IMAPClientError, CapabilityError) as error:
        if "unsafe login" in str(error).lower():
            raise MailboxError("unsafe_login", f"{where}: the server refused {action} as an "
                               f"\"Unsafe Login\": it wants IMAP ID after login ({_text(error)})") \
                from None
        raise MailboxError("protocol", f"{where}: {action} failed: {_text(error)}") from None
    except (OSError, EOFError) as error:
        raise MailboxError("connection", f"{where}: cannot connect or connection lost while "
                                         f"{action}: {error}") from None


def _text(error: Exception) -> str:
    text = str(error)
    return text[2:-1] if text.startswith(("b'", 'b"')) else text


@dataclass
class Session:
    """A logged-in connection and what the server said about itself."""

    client: IMAPClient
    capabilities: frozenset[str]
    sent_id: bool
    server_id: dict[str, str]

    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # closing a broken connection: nothing left to save
            try:
                self.client.shutdown()
            except Exception:
                pass


def _ssl_context(config: ImapConfig) -> ssl.SSLContext | None:
    """Certificate checks always on; ca_file for a private CA. None without TLS."""
    if config.tls == "none":
        return None
    ca_file = str(config.ca_file) if config.ca_file else None
    return _tls_context(ca_file, os.stat(ca_file).st_mtime_ns if ca_file else 0)


@lru_cache(maxsize=8)
def _tls_context(ca_file: str | None, changed: int) -> ssl.SSLContext:
    """Made once per CA file and version of it: loading the system's CA bundle costs about
    20 ms, which every poll paid."""
    return ssl.create_default_context(cafile=ca_file)


def connect(config: ImapConfig, send_id: bool = True) -> Session:
    """Connect, STARTTLS if configured, LOGIN, and ID when advertised (163 and Coremail need it)."""
    with mailbox_errors(config, "connecting"):
        implicit = config.tls == "implicit"
        client = IMAPClient(config.host, config.port, ssl=implicit,
                            ssl_context=_ssl_context(config) if implicit else None,
                            timeout=config.timeout)
        # imapclient sets imaplib's debug level, which formats every literal it reads: slow.
        client._imap.debug = 0
        # imapclient writes a command in pieces; with Nagle's algorithm each waits for the
        # server's delayed ACK, about 40 ms a command.
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        return _log_in(client, config, send_id)
    except BaseException:
        Session(client, frozenset(), False, {}).close()
        raise


def _log_in(client: IMAPClient, config: ImapConfig, send_id: bool) -> Session:
    if config.tls == "starttls":
        with mailbox_errors(config, "starting TLS"):
            if b"STARTTLS" not in client.capabilities():
                raise MailboxError("tls", f"{config.host}:{config.port} does not offer STARTTLS")
            client.starttls(_ssl_context(config))
    with mailbox_errors(config, "logging in"):
        client.login(config.user, config.secret())
        capabilities = frozenset(c.decode("ascii", "replace").upper() for c in client.capabilities())
    session = Session(client, capabilities, False, {})
    if send_id:
        send_client_id(session, config)
    return session


def send_client_id(session: Session, config: ImapConfig) -> None:
    """IMAP ID (RFC 2971) when advertised; the server's own answer is kept for doctor."""
    if not session.has("ID"):
        return
    with mailbox_errors(config, "sending ID"):
        answer = session.client.id_(_client_id())
    # The answer is NIL or one list of alternating field names and values.
    pairs = answer[0] if answer and isinstance(answer[0], tuple) else ()
    session.server_id = {_str(k): _str(v) for k, v in zip(pairs[::2], pairs[1::2])}
    session.sent_id = True


def _str(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def find_junk(session: Session, listing: list[tuple]) -> str | None:
    """The junk folder in a LIST answer: SPECIAL-USE flags, else XLIST's, else the usual names."""
    for flags, _, name in listing:
        if any(f in flags for f in JUNK_FLAGS):
            return name
    if session.has("XLIST") and not session.has("SPECIAL-USE"):
        for flags, _, name in session.client.xlist_folders():
            if any(f in flags for f in JUNK_FLAGS):
                return name
    names = {name.casefold(): name for _, _, name in listing}
    return next((names[n.casefold()] for n in JUNK_NAMES if n.casefold() in names), None)


class ImapSource:
    """One IMAP account (Source protocol); connects on first use, closes with close()."""

    def __init__(self, config: SourceConfig):
        assert config.imap is not None
        self.name, self.config = config.name, config.imap
        self.session: Session | None = None
        self.exists = 0
        self.junk: str | None = None  # found by folders()

    def _session(self) -> Session:
        if self.session is None:
            self.session = connect(self.config)
        return self.session

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        self.session = None

    def sure_folders(self) -> list[str]:
        """INBOX always exists. Reading it before the LIST matters on Dovecot: after a LIST,
        the next use of a large INBOX reads its whole uid list again (7 ms at 10 000 mails)."""
        return [f for f in self.config.folders if f.upper() == "INBOX"]

    def folders(self) -> tuple[list[str], list[str]]:
        session = self._session()
        with mailbox_errors(self.config, "listing folders"):
            listing = session.client.list_folders()
            self.junk = find_junk(session, listing) if self.config.junk else None
        names = {name for _, _, name in listing}
        extra = [self.junk] if self.junk and self.junk not in self.config.folders else []
        watched = list(self.config.folders) + extra
        return [f for f in watched if f in names or f.upper() == "INBOX"], \
            [f for f in watched if f not in names and f.upper() != "INBOX"]

    def open_folder(self, folder: str) -> str:
        """EXAMINE the folder (read-only: nothing can change a flag) and give its UIDVALIDITY."""
        with mailbox_errors(self.config, f"opening {folder}"):
            answer = self._session().client.select_folder(folder, readonly=True)
        self.exists = int(answer.get(b"EXISTS", 0))
        return str(answer[b"UIDVALIDITY"])

    def newest(self, folder: str) -> str:
        if not self.exists:
            return ""
        with mailbox_errors(self.config, f"searching {folder}"):
            uids = self._session().client.search(["UID", "*"])
        return str(max(uids)) if uids else ""

    def is_at_or_before(self, uid: str, boundary: str) -> bool:
        return bool(boundary) and int(uid) <= int(boundary)

    def incoming(self, folder: str, uidvalidity: str, ledger: Ledger) -> Iterator[Incoming]:
        last = ledger.last_uid(folder, uidvalidity)
        client = self._session().client
        with mailbox_errors(self.config, f"searching {folder}"):
            # n:* always matches the newest message, even when its uid is below n: drop it.
            uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
            sizes = {uid: int(data[b"RFC822.SIZE"]) for chunk in _chunks(uids, 500)
                     for uid, data in client.fetch(chunk, ["RFC822.SIZE"]).items()}
        limit = int(self.config.max_size_mb * 1048576)
        for batch in _batches([u for u in uids if u in sizes], sizes, self.config.batch):
            yield from self._fetch(folder, uidvalidity, batch, sizes, limit)

    def _fetch(self, folder: str, uidvalidity: str, batch: list[int], sizes: dict[int, int],
               limit: int) -> Iterator[Incoming]:
        whole = [u for u in batch if sizes[u] <= limit]
        with mailbox_errors(self.config, f"fetching from {folder}"):
            bodies = self._session().client.fetch(whole, ["BODY.PEEK[]"]) if whole else {}
            heads = self._session().client.fetch([u for u in batch if u not in whole],
                                                 ["BODY.PEEK[HEADER]"]) if len(whole) < len(batch) else {}
        failpoints.reach("after_fetch")  # a batch in memory, none of it stored yet
        for uid in batch:  # a uid missing from the answer was deleted meanwhile: nothing to keep
            if uid in bodies and b"BODY[]" in bodies[uid]:
                yield Incoming(folder, uidvalidity, str(uid), bytes(bodies[uid][b"BODY[]"]),
                               sizes[uid])
            elif uid in heads and b"BODY[HEADER]" in heads[uid]:
                yield Incoming(folder, uidvalidity, str(uid), bytes(heads[uid][b"BODY[HEADER]"]),
                               sizes[uid], complete=False)

    def file(self, folder: str, uidvalidity: str, items: list[tuple[str, str]]) -> dict[str, str]:
        """The keyword on every item, then a move per verdict; nothing when UIDVALIDITY moved on."""
        client = self._session().client
        with mailbox_errors(self.config, f"filing in {folder}"):
            answer = client.select_folder(folder)
            if str(answer[b"UIDVALIDITY"]) != uidvalidity:
                return {uid: "stale: the folder's UIDVALIDITY changed" for uid, _ in items}
            done = {uid: [] for uid, _ in items}
            if self.config.keyword and _may_keep(answer, self.config.keyword):
                client.add_flags([int(uid) for uid in done], [self.config.keyword.encode()],
                                 silent=True)
                for uid in done:
                    done[uid].append(f"keyword {self.config.keyword}")
            for verdict, target in self.config.move.items():
                moving = [uid for uid, v in items if v == verdict]
                if moving:
                    what = self._move([int(uid) for uid in moving], target)
                    for uid in moving:
                        done[uid].append(what)
        return {uid: "; ".join(what) for uid, what in done.items()}

    def _move(self, uids: list[int], target: str) -> str:
        """MOVE where offered, else COPY + \\Deleted + UID EXPUNGE of these uids only."""
        session = self._session()
        client = session.client
        if not client.folder_exists(target):
            client.create_folder(target)
        if session.has("MOVE"):
            client.move(uids, target)
            return f"moved to {target}"
        client.copy(uids, target)
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        if session.has("UIDPLUS"):
            client.uid_expunge(uids)
            return f"copied to {target}, expunged"
        # A plain EXPUNGE would also remove what people marked deleted: leave it to them.
        return f"copied to {target}, marked deleted"


def _may_keep(select_answer: dict, keyword: str) -> bool:
    permanent = select_answer.get(b"PERMANENTFLAGS", ())
    return b"\\*" in permanent or keyword.encode() in permanent


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _batches(uids: list[int], sizes: dict[int, int], count: int) -> Iterator[list[int]]:
    """Ascending uids in FETCH batches of at most `count` messages and about BATCH_BYTES."""
    batch: list[int] = []
    total = 0
    for uid in uids:
        if batch and (len(batch) >= count or total + sizes[uid] > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += sizes[uid]
    if batch:
        yield batch


def watch_idle(config: ImapConfig, folder: str, wake: Callable[[], None],
               stopping: Callable[[], bool], renew: float = IDLE_RENEW) -> None:
    """Wake the scheduler when new mail arrives in a folder; return when the server has no IDLE.

    Runs in its own thread with its own connection, re-issuing IDLE within 29 minutes. It
    only wakes: fetching stays with the poll, which remains the fallback when IDLE breaks.
    """
    failures = 0
    while not stopping():
        try:
            if not _idle_once(config, folder, wake, stopping, renew):
                return
            failures = 0
        except MailboxError as error:
            failures += 1
            log.info("%s: IDLE on %s stopped (%s); polling goes on", config.host, folder, error)
            _sleep_unless(stopping, min(600.0, 5.0 * 2 ** failures))


def _idle_once(config: ImapConfig, folder: str, wake: Callable[[], None],
               stopping: Callable[[], bool], renew: float) -> bool:
    session = connect(config)
    try:
        if not session.has("IDLE"):
            return False
        with mailbox_errors(config, f"waiting in IDLE on {folder}"):
            session.client.select_folder(folder, readonly=True)
            session.client.idle()
            started = time.monotonic()
            while not stopping() and time.monotonic() - started < renew:
                responses = session.client.idle_check(timeout=1)
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    wake()
                if not responses and _closed_by_peer(session.client.socket()):
                    raise OSError("the server closed or reset the connection")
            session.client.idle_done()
        return True
    finally:
        session.close()


def _closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server closed or reset the connection, asked of the TCP socket itself.

    imapclient's idle_check() swallows a reset and an EOF and returns no responses at once,
    as if a second had passed quietly: without this check the watcher would call it in a busy
    loop until the renewal 25 minutes later. A peek on a duplicate of the descriptor takes
    nothing from the stream, so it works under TLS too.
    """
    with socket.fromfd(sock.fileno(), sock.family, sock.type) as raw:
        try:
            return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:  # alive, nothing waiting
            return False
        except OSError:
            return True


def _sleep_unless(stopping: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not stopping() and time.monotonic() < deadline:
        time.sleep(min(1.0, deadline - time.monotonic()))


@dataclass(frozen=True)
class ImapReport:
    """What `intake doctor` says about one mailbox."""

    capabilities: tuple[str, ...]
    id_needed: bool
    server_id: dict[str, str]
    junk: str | None
    folders: dict[str, tuple[str, int]]  # watched folder -> (UIDVALIDITY, messages)
    missing: tuple[str, ...]


def diagnose(config: SourceConfig) -> ImapReport:
    """Connect as a poll would, first without ID to learn whether the server demands it."""
    assert config.imap is not None
    session = connect(config.imap, send_id=False)
    try:
        with mailbox_errors(config.imap, "opening INBOX without ID"):
            session.client.select_folder("INBOX", readonly=True)
        id_needed = False
    except MailboxError as error:
        if error.kind != "unsafe_login":
            session.close()
            raise
        id_needed = True
    if id_needed:  # a server that refused stays refusing on this connection: start again
        session.close()
        session = connect(config.imap)
    else:
        send_client_id(session, config.imap)
    source = ImapSource(config)
    source.session = session
    try:
        present, missing = source.folders()
        folders = {}
        for folder in present:
            uidvalidity = source.open_folder(folder)
            folders[folder] = (uidvalidity, source.exists)
        return ImapReport(tuple(sorted(session.capabilities)), id_needed, session.server_id,
                          source.junk, folders, tuple(missing))
    finally:
        source.close()
