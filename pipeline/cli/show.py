"""`intake show REF`: one submission whole: every version with its mail, documents, changed
fields and findings (waived ones marked), people's decisions, and every reply."""
from __future__ import annotations

import json

from rich.console import Console

from pipeline.analysis.overrides import ACTION_NAMES
from pipeline.cli.text import markup_safe as safe
from pipeline.store import views as store
from pipeline.store.database import Database
from pipeline.store.overrides import override_rows
from pipeline.store.submissions import findings_of_version
from rules.vocabulary import KIND_NAMES, field_name


def print_submission(console: Console, db: Database, sub: dict) -> None:
    say = console.print
    say(f"[bold]{safe(sub['reference'])}[/bold] {safe(sub['campaign'])} — "
        f"{safe(sub['unit_name'] or '')} — {safe(sub['case_name'] or '')} — "
        f"[bold]{safe(sub['verdict'])}[/bold] ({safe(sub['version'])} version(s); first received "
        f"{safe(sub['created_at'])}, last changed {safe(sub['updated_at'])})")
    earlier: dict[str, str] = {}
    for version in store.versions(db, sub["id"]):
        earlier = _print_version(console, db, version, earlier)
    _print_overrides(console, db, sub["id"])
    _print_replies(console, db, sub["id"])


def _print_version(console: Console, db: Database, version: dict,
                   earlier: dict[str, str]) -> dict[str, str]:
    """One version, its fields only where they differ from the version before; its fields."""
    say = console.print
    say(f"[bold]version {safe(version['number'])}[/bold] — {safe(version['verdict'])} — "
        f"message #{safe(version['message_row'])} from {safe(version['sender'])} at "
        f"{safe(version['received_at'] or version['created_at'])}: {safe(version['subject'])}")
    say("  documents")
    for doc in store.documents(db, version["id"]):
        say(f"    {safe(doc['name'])} — {safe(KIND_NAMES.get(doc['kind'], doc['kind']))}, "
            f"{safe(doc['format'])}, {safe(doc['size'])} B")
    fields = {r["key"]: r["value"] for r in store.fields(db, version["id"])}
    changed = {k: v for k, v in fields.items() if earlier.get(k) != v}
    say("  fields" if not earlier else "  fields changed from the version before")
    for key, value in changed.items():
        say(f"    {safe(field_name(key))} ({safe(key)}): {safe(json.loads(value), lines=True)}")
    say("  findings")
    for f in findings_of_version(db, version["id"]):
        waived = f" [dim](waived by override #{safe(f['waived_by'])})[/dim]" \
            if f["waived_by"] else ""
        say(f"    {safe(f['severity'])}: {safe(f['rule'])} {safe(f['field'])} — "
            f"{safe(f['message'])}{waived}")
    return fields


def _print_overrides(console: Console, db: Database, submission_id: int) -> None:
    rows = override_rows(db, submission_id)
    if not rows:
        return
    console.print("[bold]decisions by people[/bold]")
    for o in rows:
        what = {"waive": f"{o['rule']}" + (f" on {o['field']}" if o["field"] else ""),
                "set": f"{o['field']}: {o['previous']} -> {o['value']}"}.get(o["action"], "")
        console.print(f"  #{safe(o['id'])} {safe(o['at'])} {safe(o['by'])}: {safe(o['action'])} "
                      f"({safe(ACTION_NAMES.get(o['action'], ''))}) {safe(what)} on version "
                      f"{safe(o['version'])} — {safe(o['note'])}")


def _print_replies(console: Console, db: Database, submission_id: int) -> None:
    console.print("[bold]replies[/bold]")
    for reply in store.replies(db, submission_id):
        when = reply["sent_at"] or reply["created_at"]
        console.print(f"  #{safe(reply['id'])} {safe(reply['status'])}: {safe(reply['kind'])} to "
                      f"{safe(reply['to_addr'])} at {safe(when)} — {safe(reply['subject'])}")
