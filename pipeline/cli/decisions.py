"""`intake waive / set / accept / reject / reprocess`: a person's decision over the rules'.

Each is recorded with who, when and why, the rules run again at once over the stored
documents, and `--notify` queues an updated reply to the applicant.
"""
from __future__ import annotations

from typing import Callable

import click

from pipeline.analysis.overrides import dumps
from pipeline.app.clock import utc_now
from pipeline.app.revise import Current, OverrideError, Reviser, Revision
from pipeline.cli.options import by_option, config_option, who
from pipeline.cli.text import shown
from pipeline.cli.views import open_db
from pipeline.config.settings import load_config
from rules.vocabulary import RULE_IDS, field_name, is_field_key

note_option = click.option("--note", required=True, help="Why: recorded with the decision.")
notify_option = click.option("--notify", is_flag=True,
                             help="Queue an updated reply to the applicant (sent by `intake run`).")


def _apply(config_path: str | None, reference: str, row: dict, by: str | None, notify: bool,
           check: Callable[[Current], dict] | None = None) -> None:
    """Record the override (row, plus what check finds in the submission's current state;
    check raises OverrideError to refuse), re-run the rules, print what changed."""
    config = load_config(config_path)
    person = who(config, by)

    def make_row(current: Current) -> dict[str, object]:
        extra = check(current) if check else {}
        return {**row, **extra, "by": person}

    with open_db(config) as db:
        revision = Reviser(db, config).apply(reference, make_row, utc_now(), notify, person)
    _print(revision)


def _print(revision: Revision) -> None:
    verdict = revision.after if revision.before == revision.after else \
        f"{revision.before} -> {revision.after}"
    click.echo(f"{shown(revision.reference)}: {verdict}; recorded as override "
               f"#{revision.override_id}")
    for finding in revision.closed:
        click.echo(shown(f"  no longer counts: {finding.rule} {finding.field or ''} "
                         f"{finding.message}"))
    for finding in revision.open:
        click.echo(shown(f"  still counts: {finding.severity} {finding.rule} "
                         f"{finding.field or ''} {finding.message}"))
    if revision.reply_id is not None:
        click.echo(f"  updated reply queued (outbox #{revision.reply_id}); `intake run` sends it")


@click.command("waive")
@click.argument("reference")
@click.argument("rule", type=click.Choice(RULE_IDS))
@click.option("--field", help="Only the finding on this field (default: the rule on any field).")
@note_option
@by_option
@notify_option
@config_option
def waive_command(reference: str, rule: str, field: str | None, note: str, by: str | None,
                  notify: bool, config_path: str | None) -> None:
    """Accept a finding (e.g. a seal checked on paper): it no longer counts, in later versions too."""

    def check(current: Current) -> dict:
        if not any(f["rule"] == rule and field in (None, f["field"]) for f in current.findings):
            on = f" on {field}" if field else ""
            raise OverrideError(f"{reference} has no {rule} finding{on} in its current version: "
                                "nothing to waive (`intake show` lists its findings)")
        return {}

    _apply(config_path, reference, {"action": "waive", "rule": rule, "field": field,
                                    "note": note}, by, notify, check)


@click.command("set")
@click.argument("reference")
@click.argument("field")
@click.argument("value")
@note_option
@by_option
@notify_option
@config_option
def set_command(reference: str, field: str, value: str, note: str, by: str | None, notify: bool,
                config_path: str | None) -> None:
    """Correct a field the parser mis-read; the correction holds while the form reads the same."""
    if not is_field_key(field):
        raise click.BadParameter(f"{field!r} is not a field key (campaigns.md; e.g. unit_name, "
                                 "case_name, category, contact_phone)", param_hint="FIELD")

    def check(current: Current) -> dict:
        spec = next((f for f in current.profile.form.fields if f.key == field), None)
        if spec is not None and spec.type == "seal":
            raise OverrideError(f"{field_name(field)} is read from the seal itself: use "
                                f"`intake waive {reference} seal_missing --note …` instead")
        typed: object = value
        if spec is not None and spec.type == "choice":
            typed = tuple(v.strip() for v in value.replace(",", "、").split("、") if v.strip())
            unknown = [v for v in typed if v not in spec.choices]
            if unknown:
                raise OverrideError(f"{field_name(field)} has no option {'、'.join(unknown)}; "
                                    f"the form offers: {'、'.join(spec.choices)}")
        return {"value": dumps(typed), "previous": dumps(current.submission.fields.get(field))}

    _apply(config_path, reference, {"action": "set", "field": field, "note": note}, by, notify,
           check)


def _decision_command(action: str, summary: str) -> click.Command:
    @click.command(action, help=summary)
    @click.argument("reference")
    @note_option
    @by_option
    @notify_option
    @config_option
    def command(reference: str, note: str, by: str | None, notify: bool,
                config_path: str | None) -> None:
        _apply(config_path, reference, {"action": action, "note": note}, by, notify)

    return command


accept_command = _decision_command(
    "accept", "Accept the submission whatever the rules found (已受理 until another decision).")
reject_command = _decision_command(
    "reject", "Reject the submission (不予受理); with --notify the letter quotes the note.")


@click.command("reprocess")
@click.argument("reference")
@click.option("--note", default="重新检查", show_default=True, help="Why, recorded.")
@by_option
@notify_option
@config_option
def reprocess_command(reference: str, note: str, by: str | None, notify: bool,
                      config_path: str | None) -> None:
    """Run the rules again on the stored documents (e.g. after a profile change)."""
    _apply(config_path, reference, {"action": "reprocess", "note": note}, by, notify)


COMMANDS = (waive_command, set_command, accept_command, reject_command, reprocess_command)
