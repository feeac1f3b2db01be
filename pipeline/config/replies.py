"""The [replies] and [smtp] sections of config.toml: how replies are written, held and sent."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from parsers.addresses import is_address
from pipeline.config.credentials import check_secret_file, check_secret_source, read_secret
from pipeline.config.sources import tls_and_port
from pipeline.config.values import choice_of, positive, whole_number
from pipeline.errors import ConfigError

SENDERS = ("spool", "smtp")
MODES = ("review", "send")
# Providers whose addresses belong to many unrelated people: no per-domain cap for them.
SHARED_DOMAINS = ("qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "139.com",
                  "189.cn", "wo.cn", "sina.com", "sina.cn", "sohu.com", "aliyun.com",
                  "21cn.com", "tom.com", "gmail.com", "outlook.com", "hotmail.com", "live.com",
                  "icloud.com", "yahoo.com")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class SmtpConfig:
    """The secretariat's outgoing server; the secret itself is never held in config."""

    host: str
    port: int = 465
    tls: str = "implicit"
    ca_file: Path | None = None
    user: str = ""
    password_env: str = ""
    password_file: Path | None = None
    timeout: float = 60.0

    def secret(self) -> str:
        """The password or authorization code (授权码), read when connecting."""
        return read_secret(self.password_env, self.password_file)


@dataclass(frozen=True)
class RepliesConfig:
    sender: str = "spool"
    spool: Path = Path("var/outbox")
    from_addr: str = "cases@example.org"
    from_name: str = "案例征集秘书处"
    domain: str = "example.org"
    # "review": nothing leaves until `intake outbox approve`; a new deployment starts here.
    mode: str = "review"
    # Other addresses of the campaign mailboxes: mail to any of them counts as mail to us.
    aliases: tuple[str, ...] = ()
    # Folder of template overrides: <name>.j2 for every campaign, <campaign>/<name>.j2 for one.
    templates: Path | None = None
    # Loop brakes: replies to one address per local day, and replies sent per hour in all.
    per_sender_daily: int = 5
    # Applicant mails to all addresses of one domain in 24 hours (shared_domains excepted).
    per_domain_daily: int = 30
    shared_domains: tuple[str, ...] = SHARED_DOMAINS
    # The authserv-ids of the receiving servers whose Authentication-Results are believed;
    # empty: the headers are not read.
    authserv_ids: tuple[str, ...] = ()
    global_hourly: int = 200
    # A reply still not accepted (4xx, no connection) this long after it was queued is failed.
    give_up_hours: float = 48.0
    smtp: SmtpConfig | None = None

    @property
    def addresses(self) -> frozenset[str]:
        """Every address of ours, lower-cased."""
        return frozenset(a.lower() for a in (self.from_addr, *self.aliases))


def parse_replies(table: dict, smtp: dict, base: Path) -> RepliesConfig:
    where = "[replies]"
    sender = choice_of(table, "sender", SENDERS, "spool", where)
    from_addr, aliases = table.get("from", "cases@example.org"), table.get("aliases", [])
    if not is_address(from_addr):
        raise ConfigError(f"{where}: from must be an e-mail address, not {from_addr!r}")
    if isinstance(aliases, str) or not all(is_address(a) for a in aliases):
        raise ConfigError(f"{where}: aliases must be a list of e-mail addresses, not {aliases!r}")
    from_name = table.get("from_name", "案例征集秘书处")
    if not isinstance(from_name, str) or re.search(r"[\x00-\x1f\x7f\u2028\u2029]", from_name):
        raise ConfigError(f"{where}: from_name must be one line of text")
    domain = table.get("domain", "example.org")
    if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
        raise ConfigError(f"{where}: domain must be a domain name, not {domain!r}")
    if sender == "smtp" and not smtp:
        raise ConfigError("[replies] sender = \"smtp\" needs an [smtp] section with host and user")
    templates = table.get("templates", "")
    return RepliesConfig(
        sender=sender, spool=base / table.get("spool", "var/outbox"), from_addr=from_addr,
        from_name=from_name, domain=domain, mode=choice_of(table, "mode", MODES, "review", where),
        aliases=tuple(aliases), templates=base / templates if templates else None,
        per_sender_daily=whole_number(table, "per_sender_daily", 5, 1, where),
        per_domain_daily=whole_number(table, "per_domain_daily", 30, 1, where),
        shared_domains=_domains(table, "shared_domains", SHARED_DOMAINS, where),
        authserv_ids=_domains(table, "authserv_ids", (), where),
        global_hourly=whole_number(table, "global_hourly", 200, 1, where),
        give_up_hours=positive(table, "give_up_hours", 48, where),
        smtp=parse_smtp(smtp, base) if smtp else None)


def _domains(table: dict, key: str, default: tuple[str, ...], where: str) -> tuple[str, ...]:
    """A list of domain names (an authserv-id is one too), lower-cased."""
    value = table.get(key, list(default))
    if isinstance(value, str) or not isinstance(value, list) \
            or not all(isinstance(v, str) and _DOMAIN.fullmatch(v) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of domain names, not {value!r}")
    return tuple(v.lower() for v in value)


def parse_smtp(table: dict, base: Path) -> SmtpConfig:
    where = "[smtp]"
    host, user = table.get("host"), table.get("user", "")
    if not host:
        raise ConfigError(f"{where}: host is required")
    tls, port = tls_and_port(table, host, (465, 587), where)
    env, file = table.get("password_env", ""), table.get("password_file", "")
    if user:
        check_secret_source(env, file, where)
        check_secret_file(base / file if file else None, where)
    return SmtpConfig(
        host=host, port=port, tls=tls,
        ca_file=base / table["ca_file"] if table.get("ca_file") else None, user=user,
        password_env=env, password_file=base / file if file else None,
        timeout=positive(table, "timeout", 60, where))

