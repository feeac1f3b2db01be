"""`intake browse`: the database read-only in Datasette, in Chinese; the only importer of
datasette.

The secretariat sees the views of migration m007 (申报汇总, 审查意见, 回复邮件, 来信, 人工处理),
whose columns are Chinese words, with facets and filters; every table is hidden, because the
views show what a person needs of them and the rest (raw mail paths, documents, fields as JSON,
the outbox's raw bytes, counters, poll state) is the pipeline's own bookkeeping. Hidden is not
forbidden: "hidden tables" on the database page still opens them. Datasette is served behind
pipeline/cli/browseguard.py: loopback Host names only, a token printed at start, CSV cells
neutralised.
"""
from __future__ import annotations

import html
import secrets
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

import click
from datasette.app import Datasette
from datasette.database import Database as DatasetteDatabase
from datasette.utils import tilde_encode

from pipeline.cli.browseguard import TOKEN_PARAM, Gate, guarded
from pipeline.cli.serving import listen, serve
from pipeline.config.settings import Config
from pipeline.errors import ConfigError
from pipeline.store.database import Database
from rules.profile import Profile

# The name in every URL: /intake/申报汇总, whatever the file is called.
DATABASE = "intake"
OVERVIEW = "申报汇总"

SETTINGS = {
    # Table views, facets and column filters are the secretariat's search; arbitrary SQL would
    # add a query box nobody needs and a way round the hidden tables.
    "default_allow_sql": False,
    # Never the file itself as a download (Datasette 0.65 refuses it for a mutable file anyway).
    "allow_download": False,
    # A CSV download is one page (at most max_returned_rows rows): the gate holds it back to
    # neutralise its cells, which a stream of every row would make unbounded. All rows of a
    # campaign are `intake export xlsx`.
    "allow_csv_stream": False,
}

VIEWS: dict[str, dict] = {
    OVERVIEW: {
        "description": "每件申报一行，显示当前版本。点上方“征集活动”“结论”“案例类别”下的值即可"
                       "筛选；点列名可排序，“column”下拉框可按任一列筛选。",
        "facets": ["征集活动", "结论", "案例类别"],
        "sort_desc": "最近更新",
        "columns": {
            "受理编号": "回复申报单位时使用的编号；intake show 加受理编号可查看全部版本与材料",
            "结论": "已受理、需补正、逾期或不予受理（人工决定优先于自动检查）",
            "案例类别": "当前版本申报表中勾选的类别；勾选多项时以“、”分隔",
            "版本数": "申报单位补正重发的次数加一",
            "首次收到": "北京时间",
            "最近更新": "北京时间，最近一次收到补正材料或人工处理的时间",
            "待补正": "当前版本中未豁免的错误项数",
        },
    },
    "审查意见": {
        "description": "自动检查发现的问题，每个版本各一组。“规则”“字段”即 intake waive 所用的写法。",
        "facets": ["严重程度", "规则", "当前版本", "已豁免"],
        "sort": "受理编号",
        "columns": {
            "当前版本": "“否”表示已被后来的补正版本取代",
            "严重程度": "错误需补正后方可受理；提醒仅供核对，不影响受理",
            "已豁免": "秘书处已用 intake waive 认可此项",
            "征集活动": "征集活动编号，名称见首页",
        },
    },
    "回复邮件": {
        "description": "发给申报单位的回执、补正通知与提醒，以及给秘书处的每日汇总。",
        "facets": ["类型", "状态"],
        "sort_desc": "编号",
        "columns": {"生成时间": "北京时间", "发送时间": "北京时间",
                    "说明": "发送失败或未发送的原因"},
    },
    "来信": {
        "description": "收到的每一封邮件及其处理结果；咨询邮件与搁置的邮件需要人工处理。",
        "facets": ["处理结果", "征集活动"],
        "sort_desc": "编号",
        "columns": {"收到时间": "北京时间（邮件自身的时间）",
                    "征集活动": "征集活动编号，名称见首页",
                    "说明": "搁置原因、重复或非申报的说明"},
    },
    "人工处理": {
        "description": "秘书处的豁免、更正、受理与不予受理决定，每项都有说明、操作人与时间。",
        "facets": ["操作", "操作人"],
        "sort_desc": "时间",
        "columns": {"时间": "北京时间"},
    },
}


def metadata(profiles: Mapping[str, Profile], tables: Iterable[str]) -> dict:
    """Datasette's metadata: Chinese titles, facets and descriptions; every table hidden."""
    ordered = sorted(profiles.items())
    campaigns = "；".join(f"{key} = {profile.title}" for key, profile in ordered)
    listing = "".join(f"<li><code>{html.escape(key)}</code>：{html.escape(profile.title)}</li>"
                      for key, profile in ordered)
    views = {name: {"title": name, **view} for name, view in VIEWS.items()}
    overview = views[OVERVIEW]
    overview["columns"] = {**overview["columns"], "征集活动": f"征集活动编号：{campaigns}"}
    return {
        "title": "案例征集申报浏览（只读）",
        "description_html": "<p>申报、审查意见与回复邮件，只读；修改请用 intake 命令。"
                            f"征集活动：</p><ul>{listing}</ul>",
        "databases": {DATABASE: {
            "description": f"从“{OVERVIEW}”开始：每件申报一行，可按征集活动、结论、案例类别筛选。",
            "tables": {**{table: {"hidden": True} for table in tables}, **views},
        }},
    }


def view_path(view: str, suffix: str = "") -> str:
    """A view's path as Datasette writes it: Chinese names are tilde-encoded (~E7~94~B3...);
    a percent-encoded path redirects there, but loses a .json suffix on the way."""
    return f"/{DATABASE}/{tilde_encode(view)}{suffix}"


class ReadOnlyDatabase(DatasetteDatabase):
    """Datasette's database with its write connection opened read-only as well.

    Datasette reads a mutable file through `mode=ro` connections; its one write path (writable
    canned queries, plugins' execute_write) opens the file read-write. Here that connection is
    `mode=ro` too, so SQLite itself refuses any write ("attempt to write a readonly database").
    Not `immutable=1`: the pipeline writes the file (WAL) while the browser is open.
    """

    def connect(self, write: bool = False) -> sqlite3.Connection:
        return super().connect(write=False)


def datasette(path: Path, meta: dict) -> Datasette:
    """A Datasette serving one SQLite file read-only under the name `intake`."""
    # Imported here, once datasette.app has registered its plugins: imported first, this module
    # registers itself half-loaded and Datasette is left without an error page.
    from datasette import handle_exception

    # Datasette 0.65 prints every error with rich when rich is importable (intake's CLI needs
    # it), and rich refuses outside an `except:` block: each unknown URL's 404 became a 500.
    # Without rich, 404s stay 404s and real errors still print their traceback.
    handle_exception.rich = None
    ds = Datasette(files=[], metadata=meta, settings=SETTINGS)
    ds.remove_database("_memory")  # added when no files are given; nothing to show
    ds.add_database(ReadOnlyDatabase(ds, path=str(path), is_mutable=True), name=DATABASE)
    return ds


def _tables(path: Path) -> list[str]:
    """The database's tables, after bringing its schema up to date as every command does."""
    db = Database(path)
    try:
        return db.table_names()
    finally:
        db.close()


def serve_browser(config: Config, host: str, port: int) -> None:
    """Serve the database read-only at http://host:port/intake until interrupted."""
    if not config.database.is_file():
        raise ConfigError(f"no database at {config.database} yet: `intake run` creates it")
    ds = datasette(config.database, metadata(config.profiles(), _tables(config.database)))
    server = listen(host, port, "is another browse running? try --port")
    bound = server.getsockname()[1]
    gate = Gate.for_address(host, bound, secrets.token_urlsafe(32))
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"intake browse: http://{shown}:{bound}/{DATABASE}?{TOKEN_PARAM}={gate.token} "
               "(read-only; the address holds this run's key: open it once, share it with no "
               "one; Ctrl-C stops)")
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(f"warning: {host}:{bound} is reachable from other machines; only the token "
                   "keeps them out", err=True)
    serve(guarded(ds.app(), gate), server)
