"""A real Dovecot on 127.0.0.1 for the IMAP tests and the benchmark, started and stopped in well under a second.

It lives in bench/ because the benchmark may not import tests; tests/support/dovecot.py gives
the tests their fixtures over it.

Dovecot is the reference the fetcher is checked against: real STARTTLS and implicit TLS,
APPENDUID, SPECIAL-USE, modified UTF-7 folder names and UIDVALIDITY changes, none of which
a hand-written responder would get right by accident. What Dovecot cannot imitate (Coremail's
ID-before-SELECT rule, its LOGIN errors) is in tests/support/imapscript.py.

Everything lives in one folder: config, throw-away CA and server certificate, passwd-file,
Maildir, base_dir sockets, state, log and pid. `dovecot -F` runs as our child, so stop() can
wait for it, and each instance has its own instance_name, so its processes can be found by
name (`processes()`) and checked gone.

Users. Dovecot never gives a mailbox to uid 0. Run as root (as here and in CI) the master
stays root, login and internal processes use Debian's dovenull and dovecot users, and the
mailbox belongs to `nobody`: the folder must then be reachable by other users, which a
pytest tmp_path (under a 0700 directory) is not, so the fixture makes its own folder under
the system temp directory. Run as another user, Dovecot runs rootless: that user is the
login, internal and mail user, and the login processes are not chrooted.
"""
from __future__ import annotations

import grp
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from imapclient import IMAPClient
from imapclient.imap_utf7 import encode as utf7_encode

DOVECOT = Path("/usr/sbin/dovecot")
IMAP_LOGIN = Path("/usr/lib/dovecot/imap-login")
HOST = "127.0.0.1"
USER = "intake@example.org"
STARTUP_TIMEOUT = 10.0
# The files Dovecot rebuilds from a Maildir: removing them gives a folder a new UIDVALIDITY.
UID_FILES = ("dovecot-uidlist", "dovecot.index", "dovecot.index.log", "dovecot.index.log.2",
             "dovecot.index.cache")


def installed() -> bool:
    """Whether Dovecot's IMAP server is installed (`make test` installs it)."""
    return DOVECOT.exists() and IMAP_LOGIN.exists()


def free_port() -> int:
    """A loopback port nobody listens on now; Dovecot binds it a moment later."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Dovecot:
    """One Dovecot with one user, a plain IMAP port offering STARTTLS and an imaps port.

    `junk_name` is the spam folder made at first login ("垃圾邮件" goes over the wire as
    "&V4NXPpCuTvY-"), None for none; `junk_special_use` marks it \\Junk in LIST.

    `capabilities` replaces Dovecot's `imap_capability`, so a test can run a server without
    ID, MOVE or IDLE. Dovecot 2.3.19 then advertises exactly that string after login (in the
    tagged LOGIN OK and in CAPABILITY: not even SPECIAL-USE is added). Before login, in the
    greeting and CAPABILITY, imap-login sends the string followed by what the connection
    allows: STARTTLS on the plain port before TLS, and AUTH=PLAIN AUTH=LOGIN. Hiding a
    capability only stops advertising it: Dovecot still answers ID, MOVE and IDLE when a
    client sends them anyway.
    """

    def __init__(self, folder: Path, *, junk_name: str | None = "Junk",
                 junk_special_use: bool = True, capabilities: str | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.junk_name, self.junk_special_use = junk_name, junk_special_use
        self.capabilities = capabilities
        self.host, self.user, self.password = HOST, USER, secrets.token_urlsafe(12)
        self.port, self.tls_port = free_port(), free_port()
        self.instance = f"intake-{secrets.token_hex(4)}"
        self.mail, self.home = self.folder / "mail", self.folder / "home"
        self.log, self.config = self.folder / "dovecot.log", self.folder / "dovecot.conf"
        self.ca_file = self.folder / "ca.pem"
        self._process: subprocess.Popen | None = None
        self._prepare()

    # Setting up the folder -------------------------------------------------------------

    def _prepare(self) -> None:
        """Certificates, passwd-file, Maildir and config, written once for every start."""
        for sub in ("run", "state", "mail", "home"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        uid, gid = _mail_owner()
        if os.getuid() == 0:
            _check_reachable(self.folder)
            self.folder.chmod(0o755)
            for path in (self.mail, self.home):
                os.chown(path, uid, gid)
        write_certificates(self.folder, self.ca_file)
        passwd = self.folder / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}:{uid}:{gid}::{self.home}::\n")
        passwd.chmod(0o644)  # the auth process reads it as the dovecot user
        self.config.write_text(self._config_text(uid))

    def _config_text(self, uid: int) -> str:
        """The whole configuration: nothing of /etc/dovecot is read, no protocol but IMAP runs."""
        f, rootless = self.folder, os.getuid() != 0
        # An ordinary user cannot chroot, nor hand sockets to Debian's dovecot users.
        chroot = "chroot =" if rootless else ""
        users = ""
        if rootless:
            name, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(os.getgid()).gr_name
            users = (f"default_login_user = {name}\ndefault_internal_user = {name}\n"
                     f"default_internal_group = {group}")
        capability = "" if self.capabilities is None else f"imap_capability = {self.capabilities}"
        return f"""\
base_dir = {f / "run"}
state_dir = {f / "state"}
instance_name = {self.instance}
log_path = {self.log}
protocols = imap
listen = {HOST}
{users}
{capability}
ssl = yes
ssl_cert = <{f / "server.pem"}
ssl_key = <{f / "server.key"}
ssl_min_protocol = TLSv1.2
# Loopback tests log in over the plain port too. A failed login is answered on Dovecot's
# next half-second tick instead of after 2 s, and with no growing penalty for 127.0.0.1.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {f / "passwd"}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {f / "passwd"}
}}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{self.mail}
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
{self._junk_lines()}
}}
service anvil {{
  {chroot}
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  {chroot}
  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.tls_port}
    ssl = yes
  }}
}}
"""

    def _junk_lines(self) -> str:
        if self.junk_name is None:
            return ""
        special_use = "special_use = \\Junk" if self.junk_special_use else ""
        return f"""\
  mailbox "{self.junk_name}" {{
    auto = subscribe
    {special_use}
  }}"""

    # Running ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start Dovecot and return once the plain port greets; on failure show its log."""
        if self._process is not None:
            raise RuntimeError("Dovecot is already running")
        # Sockets left by a killed master would outlive their listeners: start afresh.
        shutil.rmtree(self.folder / "run", ignore_errors=True)
        (self.folder / "run").mkdir()
        stderr = (self.folder / "dovecot.stderr").open("ab")
        with stderr:
            self._process = subprocess.Popen(
                [str(DOVECOT), "-F", "-c", str(self.config)], stdin=subprocess.DEVNULL,
                stdout=stderr, stderr=stderr, start_new_session=True)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._greets():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Dovecot did not start on {HOST}:{self.port}:\n"
                                   + self.log_tail())
            time.sleep(0.01)

    def _greets(self) -> bool:
        """Whether the plain port answers with an IMAP greeting (imap-login is up)."""
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                return sock.recv(200).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop every process of this Dovecot and wait until none is left.

        SIGTERM goes to the whole process group, each Dovecot process shutting down cleanly
        on it: all are gone within some 20 ms. (SIGTERM to the master alone takes a second,
        which it spends waiting for its log process, and leaves logged-in imap processes
        running for longer still.) A master stopped just after starting sometimes idles a further second, alone, over
        children it has already reaped: once they are all gone it is killed.
        """
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            self._wait_for(lambda: set(self.processes()) <= {process.pid}, 5)
            try:
                process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        (self.folder / "run" / "master.pid").unlink(missing_ok=True)
        if not self._wait_for(lambda: not self.processes(), 5):
            for pid in self.processes():
                os.kill(pid, signal.SIGKILL)

    @staticmethod
    def _wait_for(condition, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def restart(self) -> None:
        """Stop and start again: same ports, same mail."""
        self.stop()
        self.start()

    def processes(self) -> list[int]:
        """The pids of this instance still alive: the master and its named children."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if self.instance.encode() in cmdline or str(self.config).encode() in cmdline:
                found.append(int(entry.name))
        return found

    def log_tail(self, lines: int = 30) -> str:
        """The end of Dovecot's log and of what it printed before its log was open."""
        text = ""
        for path in (self.folder / "dovecot.stderr", self.log):
            if path.exists():
                text += path.read_text("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    # Acting as a test -------------------------------------------------------------------

    def client(self) -> IMAPClient:
        """A client logged in over the plain port, for a test's own setup and checks."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def tls_context(self) -> ssl.SSLContext:
        """A context that trusts this server's CA only, with host name checking."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def append(self, raw: bytes, folder: str = "INBOX", flags: tuple = (),
               msg_time: datetime | None = None) -> int:
        """Store a message; its UID, from the APPENDUID Dovecot answers with."""
        with self.client() as client:
            answer = client.append(folder, raw, flags, msg_time)
        found = re.search(rb"\[APPENDUID (\d+) (\d+)\]", answer)
        if found is None:
            raise AssertionError(f"no APPENDUID in {answer!r}")
        return int(found.group(2))

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as client:
            return client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"]

    def uids(self, folder: str = "INBOX") -> list[int]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            return sorted(client.search("ALL"))

    def folder_list(self) -> dict[str, tuple[bytes, ...]]:
        """Each folder's (decoded) name with its LIST flags, e.g. {"Junk": (..., b"\\\\Junk")}."""
        with self.client() as client:
            return {name: flags for flags, _, name in client.list_folders()}

    def reset_uids(self, folder: str = "INBOX", keep_messages: bool = True) -> None:
        """Give `folder` a new UIDVALIDITY and number its messages again from 1.

        Dovecot keeps UIDs in dovecot-uidlist and its indexes; without them it rebuilds
        both from the Maildir, taking the next value of the user's dovecot-uidvalidity file,
        so the new UIDVALIDITY is always greater. With keep_messages=False the mail goes too:
        the next messages appended reuse UIDs 1, 2... for different mail under the new
        UIDVALIDITY, as on a server whose folder was deleted and made again.
        """
        self.stop()
        path = self._maildir(folder)
        for name in UID_FILES:
            (path / name).unlink(missing_ok=True)
        for index in self.mail.glob("dovecot.list.index*"):
            index.unlink()
        if not keep_messages:
            for sub in ("cur", "new", "tmp"):
                shutil.rmtree(path / sub, ignore_errors=True)
        self.start()

    def recreate(self, folder: str = "INBOX") -> None:
        """A new UIDVALIDITY for `folder`, its messages kept (INBOX cannot be deleted)."""
        self.reset_uids(folder, keep_messages=True)

    def _maildir(self, folder: str) -> Path:
        """Where a folder's Maildir is: Maildir++ names it "." + modified UTF-7, "." nested."""
        if folder.upper() == "INBOX":
            return self.mail
        return self.mail / ("." + utf7_encode(folder).decode("ascii").replace("/", "."))


def _mail_owner() -> tuple[int, int]:
    """The uid and gid the mailbox belongs to: never root, which Dovecot refuses."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    try:
        nobody = pwd.getpwnam("nobody")
        return nobody.pw_uid, nobody.pw_gid
    except KeyError:
        return 65534, 65534


def _check_reachable(folder: Path) -> None:
    """As root the mail user must be able to walk to the folder: say so instead of failing later."""
    for parent in folder.parents:
        if parent.stat().st_mode & 0o001 == 0:
            raise ValueError(f"{folder}: {parent} is closed to other users, so Dovecot's mail "
                             "user cannot reach it; use a folder under the system temp directory")


def write_certificates(folder: Path, ca_file: Path) -> None:
    """A throw-away CA (`ca_file`) and a server certificate it signed for 127.0.0.1 and localhost.

    Made with `cryptography`, already installed for pdfminer.six: faster than the openssl CLI
    and independent of its version. EC keys take a millisecond to make.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intake test CA")])

    def builder(subject: x509.Name, public_key) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
                .public_key(public_key).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=2))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False))

    usage = dict(content_commitment=False, key_encipherment=False, data_encipherment=False,
                 key_agreement=False, encipher_only=False, decipher_only=False)
    ca = (builder(ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, key_cert_sign=True,
                                       crl_sign=True, **usage), critical=True)
          .sign(ca_key, hashes.SHA256()))
    names = [x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]
    server = (builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]),
                      key.public_key())
              .add_extension(x509.SubjectAlternativeName(names), critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False,
                                           crl_sign=False, **usage), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                  ca_key.public_key()), False)
              .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    ca_file.write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(server.public_bytes(pem))
    key_file = folder / "server.key"
    key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)


def dovecot_folder() -> Path:
    """A fresh folder every user can walk to (see the module docstring), under the temp dir."""
    return Path(tempfile.mkdtemp(prefix="intake-dovecot-"))
