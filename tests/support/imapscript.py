"""A scripted IMAP responder on 127.0.0.1 for what Dovecot cannot imitate: Coremail's ways.

163.com, 126.com and other Coremail servers refuse SELECT until the client has sent ID
("NO SELECT Unsafe Login"), answer LOGIN with their own NO texts, and greet without
capabilities. This speaks just enough IMAP4rev1 for imapclient: CAPABILITY, LOGIN, ID, LIST,
XLIST, STATUS, SELECT, EXAMINE, [UID] SEARCH, [UID] FETCH, [UID] STORE, CLOSE, NOOP, IDLE
and LOGOUT, each a small function below. Every command line is kept in `commands`, so a
test can check the order of what a client sent, and that it never stored \\Seen.

    with ScriptedIMAP({"INBOX": Folder([(7, raw)], uidvalidity=42)}) as server:
        client = IMAPClient(server.host, server.port, ssl=False)

It has no TLS: STARTTLS is left out of the default capabilities.
"""
from __future__ import annotations

import re
import socket
import socketserver
import threading
from dataclasses import dataclass, field

from imapclient.imap_utf7 import decode as utf7_decode
from imapclient.imap_utf7 import encode as utf7_encode

HOST = "127.0.0.1"
# As imap.163.com greets and advertises (a public capture), less STARTTLS.
GREETING = "* OK Coremail System IMap Server Ready(163com[3f6a9c0e5b7d41e2a8c4f0d19b6e2a75])"
CAPABILITIES = "IMAP4rev1 XLIST SPECIAL-USE ID LITERAL+ XAPPLEPUSHSERVICE UIDPLUS X-CM-EXT-1"
UNSAFE_LOGIN = "SELECT Unsafe Login. Please contact kefu@example.com for help"
# LOGIN refusals as 163 words them; pass one as login_error.
SUSPENDED = "LOGIN Login error user suspended"
WRONG_PASSWORD = "LOGIN Login error password error"
AUTHENTICATION_FAILED = "[AUTHENTICATIONFAILED] Invalid credentials"
INTERNALDATE = "01-Apr-2024 10:00:00 +0800"


@dataclass
class Folder:
    """A folder's messages as (uid, raw bytes), its UIDVALIDITY and its LIST flags."""
    messages: list[tuple[int, bytes]] = field(default_factory=list)
    uidvalidity: int = 1
    flags: tuple[str, ...] = ("\\HasNoChildren",)
    seen: set[int] = field(default_factory=set)  # the UIDs flagged \Seen

    def uidnext(self) -> int:
        return max((uid for uid, _ in self.messages), default=0) + 1


class ScriptedIMAP:
    """One scripted server: start() or `with`, then connect to host and port."""

    def __init__(self, folders: dict[str, Folder | list[tuple[int, bytes]]] | None = None, *,
                 greeting: str = GREETING, capabilities: str = CAPABILITIES,
                 require_id: bool = True, login_error: str | None = None,
                 user: str = "intake@example.cn", password: str = "secret") -> None:
        folders = {"INBOX": Folder()} if folders is None else folders
        self.folders = {name: f if isinstance(f, Folder) else Folder(list(f))
                        for name, f in folders.items()}
        self.greeting, self.capabilities = greeting, capabilities
        self.require_id, self.login_error = require_id, login_error
        self.user, self.password = user, password
        self.host, self.port = HOST, 0
        self.commands: list[str] = []
        self._server: socketserver.ThreadingTCPServer | None = None
        self._sockets: set[socket.socket] = set()

    def start(self) -> ScriptedIMAP:
        responder = self

        class Handler(socketserver.StreamRequestHandler):
            disable_nagle_algorithm = True  # each answer is sent whole, at once
            wbufsize = 1 << 16

            def handle(self) -> None:
                Session(responder, self.rfile, self.wfile).run()

        self._server = socketserver.ThreadingTCPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._server.verify_request = self._track
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def _track(self, request: socket.socket, _address) -> bool:
        self._sockets.add(request)
        return True

    def stop(self) -> None:
        """Stop listening and cut every open connection, so no thread waits on a client."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server = None

    def __enter__(self) -> ScriptedIMAP:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def command_names(self) -> list[str]:
        """The commands received, in order, without arguments: "LOGIN", "UID FETCH"..."""
        names = []
        for line in self.commands:
            words = line.upper().split() or [""]
            names.append(" ".join(words[:2]) if words[0] == "UID" else words[0])
        return names


class Session:
    """One connection: read a command (its literals made quoted strings), dispatch, answer."""

    def __init__(self, server: ScriptedIMAP, rfile, wfile) -> None:
        self.server, self.rfile, self.wfile = server, rfile, wfile
        self.logged_in = self.sent_id = self.closing = False
        self.selected: Folder | None = None
        self.readonly = False

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode("utf-8") if isinstance(line, str) else line) + b"\r\n")

    def run(self) -> None:
        self.send(self.server.greeting)
        self.wfile.flush()
        while not self.closing and (request := self.read_command()) is not None:
            tag, _, text = request.decode("utf-8", "replace").partition(" ")
            self.server.commands.append(text)
            words = text.split(" ")
            size = 2 if words[0].upper() == "UID" and len(words) > 1 else 1
            self.dispatch(tag, " ".join(words[:size]).upper(), " ".join(words[size:]))

    def read_command(self) -> bytes | None:
        """A whole command, None once the client has gone. Each {n} literal becomes a quoted
        string, so the commands below parse atoms and quoted strings only."""
        data = b""
        while line := self.rfile.readline():
            literal = re.search(rb"\{(\d+)(\+?)\}\r\n$", line)
            if literal is None:
                return data + line.rstrip(b"\r\n")
            if not literal.group(2):
                self.send("+ Ready for literal")
                self.wfile.flush()
            value = self.rfile.read(int(literal.group(1)))
            quoted = value.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
            data += line[:literal.start()] + b'"' + quoted + b'"'
        return None

    def dispatch(self, tag: str, name: str, args: str) -> None:
        handler = COMMANDS.get(name)
        if handler is None:
            self.send(f"{tag} BAD command not support")
        elif handler.needs_login and not self.logged_in:
            self.send(f"{tag} BAD Command not valid in this state")
        elif handler.needs_folder and self.selected is None:
            self.send(f"{tag} BAD No mailbox selected")
        else:
            try:
                answer = handler(self, args)
            except (ValueError, IndexError) as error:  # arguments this script cannot read
                answer = f"BAD {name} {error!r}"
            self.send(f"{tag} {answer}")
        self.wfile.flush()


COMMANDS: dict = {}


def command(name: str, *, login: bool = True, folder: bool = False):
    """Register a command: called with the session and its arguments, it sends any untagged
    lines and returns the tagged answer's text."""
    def register(function):
        function.needs_login, function.needs_folder = login, folder
        COMMANDS[name] = function
        return function
    return register


@command("CAPABILITY", login=False)
def _capability(session: Session, _args: str) -> str:
    session.send(f"* CAPABILITY {session.server.capabilities}")
    return "OK CAPABILITY completed"


@command("NOOP", login=False)
def _noop(_session: Session, _args: str) -> str:
    return "OK NOOP completed"


@command("LOGOUT", login=False)
def _logout(session: Session, _args: str) -> str:
    session.send("* BYE IMAP4rev1 Server logging out")
    session.closing = True
    return "OK LOGOUT completed"


@command("ID", login=False)
def _id(session: Session, _args: str) -> str:
    session.sent_id = True
    session.send('* ID ("name" "Coremail Imap" "vendor" "Coremail" "TransID" "example")')
    return "OK ID completed"


@command("LOGIN", login=False)
def _login(session: Session, args: str) -> str:
    server = session.server
    if server.login_error is not None:
        return f"NO {server.login_error}"
    if astrings(args)[:2] != [server.user, server.password]:
        return f"NO {WRONG_PASSWORD}"
    session.logged_in = True
    return "OK LOGIN completed"


@command("LIST")
def _list(session: Session, args: str, verb: str = "LIST") -> str:
    reference, pattern = astrings(args)[:2]
    if pattern == "":
        session.send(f'* {verb} (\\Noselect) "/" ""')
        return f"OK {verb} Completed"
    wanted = re.escape(reference + pattern).replace(r"\*", ".*").replace("%", "[^/]*")
    for name, folder in session.server.folders.items():
        wire = utf7_encode(name).decode("ascii")
        if re.fullmatch(wanted, wire):
            session.send(f'* {verb} ({" ".join(folder.flags)}) "/" "{wire}"')
    return f"OK {verb} Completed"


@command("XLIST")
def _xlist(session: Session, args: str) -> str:
    return _list(session, args, "XLIST")


@command("STATUS")
def _status(session: Session, args: str) -> str:
    wire = astrings(args)[0]
    folder = session.server.folders.get(unwire(wire))
    if folder is None:
        return "NO STATUS Mailbox does not exist"
    values = {"MESSAGES": len(folder.messages), "RECENT": 0, "UIDNEXT": folder.uidnext(),
              "UIDVALIDITY": folder.uidvalidity,
              "UNSEEN": sum(uid not in folder.seen for uid, _ in folder.messages)}
    asked = [item for item in args.upper().split("(")[-1].strip(")").split() if item in values]
    session.send(f'* STATUS "{wire}" ({" ".join(f"{item} {values[item]}" for item in asked)})')
    return "OK STATUS completed"


@command("SELECT")
def _select(session: Session, args: str, readonly: bool = False) -> str:
    verb = "EXAMINE" if readonly else "SELECT"
    if session.server.require_id and not session.sent_id:
        return "NO " + UNSAFE_LOGIN.replace("SELECT", verb, 1)
    folder = session.server.folders.get(unwire(astrings(args)[0]))
    session.selected, session.readonly = folder, readonly
    if folder is None:
        return f"NO {verb} Mailbox does not exist"
    flags = "(\\Answered \\Seen \\Deleted \\Draft \\Flagged)"
    session.send(f"* {len(folder.messages)} EXISTS")
    session.send("* 0 RECENT")
    session.send(f"* OK [UIDVALIDITY {folder.uidvalidity}] UID validity status")
    session.send(f"* OK [UIDNEXT {folder.uidnext()}] Predicted next UID")
    session.send(f"* FLAGS {flags}")
    session.send(f"* OK [PERMANENTFLAGS {flags}] Limited")
    return f"OK [{'READ-ONLY' if readonly else 'READ-WRITE'}] {verb} completed"


@command("EXAMINE")
def _examine(session: Session, args: str) -> str:
    return _select(session, args, readonly=True)


@command("CLOSE", folder=True)
def _close(session: Session, _args: str) -> str:
    session.selected = None
    return "OK CLOSE completed"


@command("IDLE")
def _idle(session: Session, _args: str) -> str:
    session.send("+ idling")
    session.wfile.flush()
    session.rfile.readline()  # DONE
    return "OK IDLE terminated"


def in_set(number: int, sequence_set: str, largest: int) -> bool:
    """Whether `number` is in an IMAP sequence set, `*` being `largest` (RFC 3501 9).

    A range is taken either way round, so "9:*" with a largest of 5 means 5:9 and holds 5.
    """
    for part in sequence_set.split(","):
        low, _, high = part.partition(":")
        ends = [largest if end == "*" else int(end) for end in (low, high or low)]
        if min(ends) <= number <= max(ends):
            return True
    return False


def _messages(session: Session, uid: bool, sequence_set: str | None = None):
    """The selected folder's (sequence number, uid, raw) in UID order, those in the set only
    when one is given: UIDs with `uid`, sequence numbers without."""
    numbered = [(seq, message_uid, raw) for seq, (message_uid, raw)
                in enumerate(sorted(session.selected.messages), 1)]
    if sequence_set is None or not numbered:
        return numbered
    largest = numbered[-1][1 if uid else 0]
    return [m for m in numbered if in_set(m[1] if uid else m[0], sequence_set, largest)]


def _search(session: Session, args: str, uid: bool) -> str:
    """ALL, SEEN, UNSEEN and UID <set>, all to hold; any other key is refused."""
    words = args.upper().split()
    if words[:1] == ["CHARSET"]:
        words = words[2:]
    found = {m[1]: m[0] for m in _messages(session, uid)}  # uid: sequence number
    index = 0
    while index < len(words):
        word = words[index]
        if word == "UID" and index + 1 < len(words):
            index += 1
            in_range = {m[1] for m in _messages(session, True, words[index])}
            found = {u: seq for u, seq in found.items() if u in in_range}
        elif word in ("SEEN", "UNSEEN"):
            found = {u: seq for u, seq in found.items()
                     if (u in session.selected.seen) == (word == "SEEN")}
        elif word != "ALL":
            return f"BAD SEARCH criterion {word} not supported"
        index += 1
    numbers = sorted(found) if uid else sorted(found.values())
    session.send(" ".join(["* SEARCH", *map(str, numbers)]))
    return "OK SEARCH completed"


def _fetch(session: Session, args: str, uid: bool) -> str:
    sequence_set, _, items = args.partition(" ")
    wanted = re.findall(r"BODY(?:\.PEEK)?\[[^\]]*\]|[A-Z0-9.]+", items.upper())
    if uid and "UID" not in wanted:
        wanted.insert(0, "UID")  # a UID FETCH answer always carries the UID
    unknown = [item for item in wanted if item not in FETCH_ITEMS and "[" not in item]
    if unknown:
        return f"BAD FETCH {' '.join(unknown)} not scripted"
    for seq, message_uid, raw in _messages(session, uid, sequence_set):
        parts = [_fetch_item(session, message_uid, raw, item) for item in wanted]
        session.send(b"* %d FETCH (" % seq + b" ".join(parts) + b")")
    return "OK FETCH completed"


FETCH_ITEMS = {"UID", "RFC822.SIZE", "FLAGS", "INTERNALDATE", "RFC822", "RFC822.HEADER"}


def _fetch_item(session: Session, uid: int, raw: bytes, item: str) -> bytes:
    folder = session.selected
    if item == "UID":
        return b"UID %d" % uid
    if item == "RFC822.SIZE":
        return b"RFC822.SIZE %d" % len(raw)
    if item == "FLAGS":
        return b"FLAGS (\\Seen)" if uid in folder.seen else b"FLAGS ()"
    if item == "INTERNALDATE":
        return f'INTERNALDATE "{INTERNALDATE}"'.encode()
    section = {"RFC822": "BODY[]", "RFC822.HEADER": "BODY[HEADER]"}.get(item, item)
    if section.startswith("BODY.PEEK["):
        section = section.replace(".PEEK", "")
    elif not session.readonly:
        folder.seen.add(uid)  # as on a real server: only BODY.PEEK leaves \\Seen alone
    data = _section(raw, section[5:-1])
    return section.encode() + b" {%d}\r\n" % len(data) + data


def _section(raw: bytes, section: str) -> bytes:
    """The bytes of BODY[], BODY[HEADER] or BODY[HEADER.FIELDS (NAME ...)] of a message."""
    head, separator, _ = raw.partition(b"\r\n\r\n")
    if section == "":
        return raw
    if section == "HEADER":
        return head + separator
    names = re.search(r"HEADER\.FIELDS \(([^)]*)\)", section).group(1).lower().split()
    fields = re.finditer(rb"^([^\s:]+):[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", head, re.MULTILINE)
    return b"".join(field.group(0) + b"\r\n" for field in fields
                    if field.group(1).decode("ascii", "replace").lower() in names) + b"\r\n"


def _store(session: Session, args: str, uid: bool) -> str:
    """+FLAGS, -FLAGS and FLAGS, .SILENT or not; \\Seen is the only flag kept."""
    if session.readonly:
        return "NO STORE Mailbox is read-only"
    sequence_set, mode, flags = args.split(" ", 2)
    seen, operation = "\\SEEN" in flags.upper(), mode.upper().split(".")[0]
    for seq, message_uid, _ in _messages(session, uid, sequence_set):
        if operation == "FLAGS" or seen:
            if seen and operation != "-FLAGS":
                session.selected.seen.add(message_uid)
            else:
                session.selected.seen.discard(message_uid)
        if not mode.upper().endswith(".SILENT"):
            answer = [b"UID %d" % message_uid] if uid else []
            answer.append(_fetch_item(session, message_uid, b"", "FLAGS"))
            session.send(b"* %d FETCH (" % seq + b" ".join(answer) + b")")
    return "OK STORE completed"


for _name, _function in (("SEARCH", _search), ("FETCH", _fetch), ("STORE", _store)):
    for _uid in (False, True):
        command(f"UID {_name}" if _uid else _name, folder=True)(
            lambda session, args, f=_function, u=_uid: f(session, args, u))


def astrings(args: str) -> list[str]:
    """The atoms and "quoted" strings of a command's arguments, parentheses left out."""
    found = []
    for match in re.finditer(r'"((?:[^"\\]|\\.)*)"|([^\s()"]+)', args):
        quoted, atom = match.groups()
        found.append(re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else atom)
    return found


def unwire(name: str) -> str:
    """A folder name as sent (modified UTF-7) made Unicode: "&V4NXPpCuTvY-" is "垃圾邮件"."""
    return utf7_decode(name.encode("ascii", "replace"))
