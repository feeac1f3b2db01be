"""`intake claims` and `intake resolve`: mails held for a person, because they would change
another applicant's submission or their sender was found forged, and a person's decision on
each (pipeline/store/claims.py)."""
from __future__ import annotations

import click

from pipeline.app.clock import utc_now
from pipeline.cli.options import by_option, cli_console, config_option, who
from pipeline.cli.text import shown
from pipeline.cli.views import ID, Column, open_db, print_table
from pipeline.config.settings import load_config
from pipeline.store import claims


@click.command("claims")
@config_option
def claims_command(config_path: str | None) -> None:
    """Mails held for a person: another sender's mail naming an existing submission
    (other_sender), or a submission whose receiving server found its sender forged
    (unauthenticated)."""
    config = load_config(config_path)
    with open_db(config) as db:
        rows = claims.open_claims(db)
    if not rows:
        click.echo("no mail is waiting for a decision")
        return
    columns = [Column("mail", ID), Column("held as", ID), Column("submission", ID),
               Column("its sender", ID), Column("this mail's sender", ID), Column("subject")]
    print_table(cli_console(), f"held mail ({len(rows)})", columns,
                [(f"#{r['message_row']}", r["kind"], r["reference"] or "—", r["owner"] or "",
                  r["sender"] or "", r["subject"] or "") for r in rows])
    click.echo("decide with: intake resolve MAIL merge|new|reject --note WHY (other_sender), "
               "or intake resolve MAIL accept|reject --note WHY (unauthenticated)")


@click.command("resolve")
@click.argument("message", type=int)
@click.argument("decision", type=click.Choice(claims.DECISIONS))
@click.option("--note", required=True, help="Why: recorded with the decision.")
@by_option
@config_option
def resolve_command(message: int, decision: str, note: str, by: str | None,
                    config_path: str | None) -> None:
    """Decide a held mail: merge it into the submission it names (its sender may change that
    submission from then on), make it a NEW submission, ACCEPT a mail whose sender was found
    forged once you have checked it (it is then processed as any other), or REJECT it;
    `intake run` then processes it by that decision."""
    config = load_config(config_path)
    person = who(config, by)
    with open_db(config) as db:
        with db.transaction():
            try:
                claim = claims.decide(db, message, decision, person, note, utc_now())
            except LookupError:
                raise click.ClickException(
                    f"mail #{message} is not waiting for a decision (`intake claims` lists "
                    "those that are)") from None
            except ValueError as error:
                raise click.ClickException(f"mail #{message}: {error}") from None
    named = f" (submission #{claim['submission_id']})" if claim["submission_id"] else ""
    click.echo(f"mail #{message}: {claims.DECISION_NAMES[decision]}{named}, recorded for "
               f"{shown(person)}; `intake run` processes it now")


COMMANDS = (claims_command, resolve_command)
