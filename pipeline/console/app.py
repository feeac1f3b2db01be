"""The console's web application (Starlette): pages rendered on the server, forms that POST.

Every page and file needs a login; a session is a signed cookie (HttpOnly, SameSite=Strict)
naming the account, checked against the database on each request, so a removed account or a
changed role counts at once. Every POST carries asgi-csrf's token; a GET changes nothing.
Decisions go through the same store functions as the CLI, recorded under the account's name.
"""
from __future__ import annotations

import email
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from email import policy
from pathlib import Path

from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from pipeline.analysis.overrides import ACTION_NAMES
from pipeline.app.sending import reason_text
from pipeline.config.settings import Config
from pipeline.console import accounts
from pipeline.console.accounts import Account
from pipeline.store import audit
from pipeline.store import views as store_views
from pipeline.store.claims import DECISION_NAMES
from pipeline.store.database import Database
from pipeline.store.outbox import Outbox

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
SESSION_COOKIE = "intake_console"
# What a page may load: only our own styles; frames, scripts and plugins from nowhere.
PAGE_POLICY = "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; " \
              "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'"
# An applicant's HTML part: no script, no request, no form, shown in a sandboxed frame.
LETTER_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class Console:
    """The handlers, over one config and clock; the database is opened per request."""

    def __init__(self, config: Config, clock: Callable[[], datetime]):
        self.config, self.clock = config, clock

    @contextmanager
    def db(self) -> Iterator[Database]:
        database = Database(self.config.database)
        try:
            yield database
        finally:
            database.close()

    def page(self, request: Request, name: str, account: Account | None, **context) -> Response:
        context = {"account": account, "roles": accounts.ROLES,
                   "csrftoken": request.scope["csrftoken"](), **context}
        response = TEMPLATES.TemplateResponse(request, name, context)
        return _secured(response, PAGE_POLICY)

    def signed_in(self, request: Request) -> Account | None:
        name = request.session.get("account")
        if not name:
            return None
        with self.db() as db:
            return accounts.current(db, name)

    # ---- login ---------------------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        return self.page(request, "login.html", None, problem="")

    async def login(self, request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        remote = request.client.host if request.client else ""
        with self.db() as db:
            found, problem = accounts.authenticate(db, name, password, remote, self.clock())
        if found is None:
            response = self.page(request, "login.html", None, problem=problem)
            response.status_code = 401
            return response
        request.session.clear()
        request.session["account"] = found.name
        return RedirectResponse("/", status_code=303)

    async def logout(self, request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # ---- pages ---------------------------------------------------------------------------

    async def today(self, request: Request, account: Account) -> Response:
        with self.db() as db:
            funnel = store_views.verdict_counts(db)
            held = len(Outbox(db).approvable())
        return self.page(request, "today.html", account, funnel=funnel, held=held,
                         campaigns=self.config.profiles())

    async def held_replies(self, request: Request, account: Account) -> Response:
        chosen = _filter(request)
        with self.db() as db:
            rows = _held(db, chosen)
        return self.page(request, "outbox.html", account, rows=rows, chosen=chosen,
                         kinds=REPLY_KIND_NAMES, campaigns=self.config.profiles(),
                         approved=request.query_params.get("approved", ""))

    async def confirm_batch(self, request: Request, account: Account) -> Response:
        """What approving the filtered held replies would send: the count and each, to POST."""
        chosen = _filter(request)
        with self.db() as db:
            rows = _held(db, chosen)
        return self.page(request, "confirm.html", account, rows=rows, chosen=chosen,
                         kinds=REPLY_KIND_NAMES)

    async def approve_batch(self, request: Request, account: Account) -> Response:
        """The replies the confirmation listed (by id: one held since is not among them)."""
        if not account.may_act:
            return _forbidden()
        form = await request.form()
        ids = [int(v) for v in form.getlist("id") if str(v).isdigit()]
        with self.db() as db:
            outbox = Outbox(db)
            done = sum(not outbox.approve(i, self.clock(), account.name) for i in ids)
        return RedirectResponse(f"/outbox?approved={done}", status_code=303)

    async def reply(self, request: Request, account: Account) -> Response:
        row = self._row(request)
        if row is None:
            return _not_found()
        letter = _letter(row["raw"]) if row["raw"] else None
        return self.page(request, "reply.html", account, row=row, letter=letter,
                         state=STATE_NAMES.get(row["status"], row["status"]),
                         reason=reason_text(row["reason"]) if row["reason"] else "")

    async def reply_html(self, request: Request, account: Account) -> Response:
        """The HTML part alone, for the sandboxed frame of the reply's page."""
        row = self._row(request)
        letter = _letter(row["raw"]) if row and row["raw"] else None
        if letter is None or not letter["html"]:
            return _not_found()
        return _secured(Response(letter["html"], media_type="text/html"), LETTER_POLICY)

    async def decide(self, request: Request, account: Account) -> Response:
        if not account.may_act:
            return _forbidden()
        outbox_id, verb = int(request.path_params["outbox_id"]), request.path_params["verb"]
        if verb not in ("approve", "discard"):
            return _not_found()
        with self.db() as db:
            outbox = Outbox(db)
            act = outbox.approve if verb == "approve" else outbox.discard
            problem = act(outbox_id, self.clock(), account.name)
        if problem:
            return PlainTextResponse(f"未处理：{problem}", status_code=409)
        return RedirectResponse("/outbox", status_code=303)

    async def audit(self, request: Request, account: Account) -> Response:
        with self.db() as db:
            rows = audit.decisions(db)
        return self.page(request, "audit.html", account, rows=rows, names=AUDIT_NAMES)

    def _row(self, request: Request) -> dict | None:
        with self.db() as db:
            return Outbox(db).row(int(request.path_params["outbox_id"]))


def _letter(raw: bytes) -> dict[str, str]:
    """A reply as its recipient reads it: headers, the plain part, the HTML part."""
    message = email.message_from_bytes(raw, policy=policy.default)
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    return {"from": str(message["From"] or ""), "to": str(message["To"] or ""),
            "subject": str(message["Subject"] or ""),
            "text": plain.get_content() if plain else "", "html": html.get_content() if html else ""}


def _secured(response: Response, csp: str) -> Response:
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


# An outbox row's state, as the secretariat reads it.
STATE_NAMES = {"held": "待审核", "queued": "待发送", "sending": "发送中", "sent": "已发送",
               "failed": "发送失败", "suppressed": "按规则未发送", "discarded": "不发送",
               "bounced": "被退回"}
# The held kinds a filter offers, as the secretariat calls them.
REPLY_KIND_NAMES = {"receipt": "回执", "deficiency": "补正通知", "late": "逾期通知",
                    "rejection": "不予受理通知", "reminder": "补正提醒", "change_notice": "申报变更通知"}


# Every action of the audit page, in the secretariat's words.
AUDIT_NAMES = {**ACTION_NAMES, **{f"claim_{k}": v for k, v in DECISION_NAMES.items()},
               "approve": "批准发送", "discard": "不发送"}


def _filter(request: Request) -> dict[str, str]:
    """The list's filter from the query: campaign and kind ("" for any)."""
    return {key: request.query_params.get(key, "") for key in ("campaign", "kind")}


def _held(db: Database, chosen: dict[str, str]) -> list[dict]:
    return [r for r in Outbox(db).listing("held")
            if all(not want or r[key] == want for key, want in chosen.items())]


def _forbidden() -> Response:
    return PlainTextResponse("403：查看账号不能处理（需要“处理”角色）", status_code=403)


def _not_found() -> Response:
    return PlainTextResponse("404：没有这一项", status_code=404)


def _required(console: Console, handler) -> Callable:
    """`handler` for signed-in accounts only; others are sent to the login page."""

    async def endpoint(request: Request) -> Response:
        account = console.signed_in(request)
        if account is None:
            return RedirectResponse("/login", status_code=303)
        return await handler(request, account)

    return endpoint


def create_app(config: Config, secret: str, clock: Callable[[], datetime]):
    """The ASGI application: routes, sessions signed with `secret`, CSRF on every POST."""
    console = Console(config, clock)
    routes = [
        Route("/login", console.login_form, methods=["GET"]),
        Route("/login", console.login, methods=["POST"]),
        Route("/logout", console.logout, methods=["POST"]),
        Route("/", _required(console, console.today), methods=["GET"]),
        Route("/outbox", _required(console, console.held_replies), methods=["GET"]),
        Route("/audit", _required(console, console.audit), methods=["GET"]),
        Route("/outbox/approve", _required(console, console.confirm_batch), methods=["GET"]),
        Route("/outbox/approve", _required(console, console.approve_batch), methods=["POST"]),
        Route("/outbox/{outbox_id:int}", _required(console, console.reply), methods=["GET"]),
        Route("/outbox/{outbox_id:int}/html", _required(console, console.reply_html),
              methods=["GET"]),
        Route("/outbox/{outbox_id:int}/{verb:str}", _required(console, console.decide),
              methods=["POST"]),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(
        SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
        same_site="strict", max_age=12 * 3600)])
    return asgi_csrf(app, signing_secret=secret, cookie_samesite="Strict",
                     always_protect={"/login"})
