"""`intake show REF`: one submission whole: every version with its mail, documents, changed
fields and findings (waived ones marked), people's decisions, and every reply."""
from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

from pipeline.analysis.overrides import ACTION_NAMES
from pipeline.store import views as store
from pipeline.store.database import Database
from pipeline.store.overrides import override_rows
from pipeline.store.submissions import findings_of_version
from rules.vocabulary import KIND_NAMES, field_name


def print_submission(console: Console, db: Database, sub: dict) -> None:
    say = console.print
    say(f"[bold]{escape(sub['reference'])}[/bold] {escape(sub['campaign'])} — "
        f"{escape(sub['unit_name'] or '')} — {escape(sub['case_name'] or '')} — "
        f"[bold]{sub['verdict']}[/bold] ({sub['version']} version(s); first received "
        f"{sub['created_at']}, last changed {sub['updated_at']})")
    earlier: dict[str, str] = {}
    for version in store.versions(db, sub["id"]):
        earlier = _print_version(console, db, version, earlier)
    _print_overrides(console, db, sub["id"])
    _print_replies(console, db, sub["id"])


def _print_version(console: Console, db: Database, version: dict,
                   earlier: dict[str, str]) -> dict[str, str]:
    """One version, its fields only where they differ from the version before; its fields."""
    say = console.print
    say(f"[bold]version {version['number']}[/bold] — {version['verdict']} — message "
        f"#{version['message_row']} from {escape(version['sender'] or '')} at "
        f"{version['received_at'] or version['created_at']}: {escape(version['subject'] or '')}")
    say("  documents")
    for doc in store.documents(db, version["id"]):
        say(f"    {escape(doc['name'])} — {KIND_NAMES.get(doc['kind'], doc['kind'])}, "
            f"{doc['format']}, {doc['size']} B")
    fields = {r["key"]: r["value"] for r in store.fields(db, version["id"])}
    changed = {k: v for k, v in fields.items() if earlier.get(k) != v}
    say("  fields" if not earlier else "  fields changed from the version before")
    for key, value in changed.items():
        say(f"    {field_name(key)} ({key}): {escape(str(json.loads(value)))}")
    say("  findings")
    for f in findings_of_version(db, version["id"]):
        waived = f" [dim](waived by override #{f['waived_by']})[/dim]" if f["waived_by"] else ""
        say(f"    {f['severity']}: {f['rule']} {escape(f['field'] or '')} — "
            f"{escape(f['message'])}{waived}")
    return fields


def _print_overrides(console: Console, db: Database, submission_id: int) -> None:
    rows = override_rows(db, submission_id)
    if not rows:
        return
    console.print("[bold]decisions by people[/bold]")
    for o in rows:
        what = {"waive": f"{o['rule']}" + (f" on {o['field']}" if o["field"] else ""),
                "set": f"{o['field']}: {o['previous']} -> {o['value']}"}.get(o["action"], "")
        console.print(f"  #{o['id']} {o['at']} {escape(o['by'])}: {o['action']} "
                      f"({ACTION_NAMES.get(o['action'], '')}) {escape(what)} on version "
                      f"{o['version']} — {escape(o['note'])}")


def _print_replies(console: Console, db: Database, submission_id: int) -> None:
    console.print("[bold]replies[/bold]")
    for reply in store.replies(db, submission_id):
        when = reply["sent_at"] or reply["created_at"]
        console.print(f"  #{reply['id']} {reply['status']}: {reply['kind']} to "
                      f"{escape(reply['to_addr'] or '')} at {when} — {escape(reply['subject'])}")
