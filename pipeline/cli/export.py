"""`intake export`: the 汇总表 as .xlsx, and the review folder of a campaign."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from pipeline.cli.options import config_option
from pipeline.cli.text import shown
from pipeline.cli.views import open_db
from pipeline.config.settings import load_config
from pipeline.store.raw import write_durably
from rules.vocabulary import VERDICTS

# A submission's verdicts (openpyxl and the exporters load only when a command runs).
_VERDICTS = tuple(v for v in VERDICTS if v not in ("duplicate", "not_submission"))


@click.group("export")
def export_group() -> None:
    """The 汇总表 (.xlsx) and the review folder (评审材料), from the database."""


def default_xlsx(campaign: str | None, now: datetime) -> Path:
    return Path(f"汇总表_{campaign or '全部'}_{now:%Y%m%d}.xlsx")


@export_group.command("xlsx")
@config_option
@click.option("--campaign", help="Only this campaign (default: one sheet per campaign).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: 汇总表_<campaign>_<date>.xlsx here).")
def xlsx_command(config_path: str | None, campaign: str | None, output: Path | None) -> None:
    """The 汇总表: a sheet per campaign, one row per submission, and a sheet of findings.

    Each row: reference, unit, case name, category, every field of the campaign's form,
    sender, when received and last updated, verdict, open findings, number of versions."""
    from pipeline.exports.summary import summary_workbook

    config = load_config(config_path)
    with open_db(config) as db:
        data = summary_workbook(db, config, campaign)
    output = output or default_xlsx(campaign, datetime.now(config.schedule.zone))
    write_durably(output, data)
    click.echo(f"wrote {output}")


@export_group.command("materials")
@config_option
@click.option("--campaign", required=True, help="The campaign whose submissions to lay out.")
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The review folder (created, or updated in place).")
@click.option("--verdict", "verdicts", multiple=True, type=click.Choice(_VERDICTS),
              help="Only submissions with this verdict (repeatable; default: all).")
def materials_command(config_path: str | None, campaign: str, out_dir: Path,
                      verdicts: tuple[str, ...]) -> None:
    """The review folder: a folder per submission with its latest documents, and index.xlsx.

    Folders are named <受理编号>_<单位>_<案例名称>; files 申报表, 案例报告 (or the notice's word),
    照片01…, 视频01…, a converted .doc beside its .docx. Run it again to update it in place."""
    from pipeline.exports.materials import INDEX, export_materials

    config = load_config(config_path)
    with open_db(config) as db:
        report = export_materials(db, config, campaign, out_dir, verdicts or None)
    click.echo(f"{out_dir}: {report.line()}; index: {out_dir / INDEX}")
    for missing in report.missing:
        click.echo(shown(f"missing {missing.reference} {missing.name}: {missing.reason}"),
                   err=True)
    for note in report.notes:
        click.echo(f"note {shown(note)}", err=True)
