"""The review folder (评审材料): one folder per submission holding its latest documents under
clean names, and an index.xlsx; a second run updates the folder in place.

Folders are named `<受理编号>_<单位>_<案例名称>` and found again by the reference, so a corrected
unit or case name renames the folder. Files are compared by content: an unchanged file is not
touched, a changed one is replaced, and a file intake wrote earlier that is no longer in the
latest version is removed. Files a person put into a folder are left alone: a manifest
(`.intake-materials.json`) remembers which files are intake's.

A file whose bytes are not a format the experts may simply open (pipeline/exports/screening.py)
goes to the folder's 待人工检查 subfolder as `<name>.quarantine`, and the index says why.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

from parsers.office import Converter
from pipeline.config.settings import Config
from pipeline.exports.originals import find_originals
from pipeline.exports.reviewnames import (NamedDocument, base_name, document_names, folder_name,
                                          own_name, suffix_of)
from pipeline.exports.screening import QUARANTINE_DIR, content_reason, quarantine_path
from pipeline.exports.summary import campaign_ids, cell_value, known_profiles
from pipeline.exports.workbook import Sheet, write_workbook
from pipeline.store.database import Database
from pipeline.store.exports import current_documents, current_fields, submissions_of
from pipeline.store.raw import write_durably
from rules.vocabulary import KIND_NAMES, VERDICT_NAMES

MANIFEST, INDEX = ".intake-materials.json", "index.xlsx"


@dataclass(frozen=True)
class Missing:
    reference: str
    name: str
    reason: str


@dataclass
class MaterialsReport:
    out_dir: Path
    created: int = 0
    renamed: int = 0
    updated: int = 0
    unchanged: int = 0
    written: int = 0
    same: int = 0
    removed: int = 0
    quarantined: int = 0
    missing: list[Missing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        folders = self.created + self.renamed + self.updated + self.unchanged
        return (f"{folders} folders ({self.created} created, {self.renamed} renamed, "
                f"{self.updated} updated, {self.unchanged} unchanged); files: {self.written} "
                f"written, {self.same} unchanged, {self.removed} removed; "
                f"{len(self.missing)} missing; {self.quarantined} set aside in {QUARANTINE_DIR}")


# ---- the folder on disk ------------------------------------------------------------------

def _same_content(path: Path, data: bytes) -> bool:
    return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data


def place_folder(out_dir: Path, reference: str, name: str,
                 recorded: str | None) -> tuple[Path, str]:
    """The submission's folder under its current name: "existing", "renamed" (found by its
    reference under an older name) or "created"."""
    target = out_dir / name
    if target.is_dir():
        return target, "existing"
    older = [recorded] if recorded and (out_dir / recorded).is_dir() else sorted(
        p.name for p in out_dir.iterdir()
        if p.is_dir() and (p.name == reference or p.name.startswith(f"{reference}_")))
    if older:
        (out_dir / older[0]).rename(target)
        return target, "renamed"
    target.mkdir(parents=True)
    return target, "created"


def sync_files(folder: Path, files: dict[str, bytes], ours: set[str]) -> tuple[int, int, int]:
    """Write what changed, leave what did not, remove what intake wrote and no longer wants:
    (written, unchanged, removed)."""
    written = same = removed = 0
    for name, data in files.items():
        if _same_content(folder / name, data):
            same += 1
        else:
            write_durably(folder / name, data)
            written += 1
    for name in sorted(ours - set(files)):
        if (folder / name).is_file():
            (folder / name).unlink()
            removed += 1
    quarantine = folder / QUARANTINE_DIR
    if quarantine.is_dir() and not any(quarantine.iterdir()):
        quarantine.rmdir()  # emptied of intake's files; one holding a person's stays
    return written, same, removed


def load_manifest(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"submissions": {}}
    return data if isinstance(data.get("submissions"), dict) else {"submissions": {}}


def save_manifest(out_dir: Path, manifest: dict) -> None:
    """Written only when it changed: a run that changed nothing touches nothing."""
    data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    if not _same_content(out_dir / MANIFEST, data):
        write_durably(out_dir / MANIFEST, data)


# ---- one submission ----------------------------------------------------------------------

@dataclass(frozen=True)
class FileRow:
    """One line of the index's file sheet: a file written, or (no name) a missing document."""

    name: str
    kind: str
    original: str
    container: str
    size: int
    note: str


def document_files(named: NamedDocument, data: bytes, converter: Converter,
                   report: MaterialsReport, reference: str) -> dict[str, bytes]:
    """The file (or the .docx and its original) a document becomes."""
    if named.original is None:
        return {named.name: data}
    converted = converter.convert(data, named.document.format)
    if converted.docx is None:  # LibreOffice gone since: the original under the clean name
        name = named.name.removesuffix(".docx") + suffix_of(named.document)
        report.notes.append(f"{reference} {named.document.name}: 未能转换为.docx"
                            f"（{converted.error}），仅保留原件")
        return {name: data}
    return {named.name: converted.docx, named.original: data}


def screen_files(named: NamedDocument, files: dict[str, bytes]) -> dict[str, str]:
    """Why each of a document's files waits for a person, by name ("" when it may be placed):
    the document's own file by its name, recorded format and bytes; LibreOffice's .docx made
    from it by its bytes alone (a converted file is ours, whatever the original was)."""
    reasons = {}
    for name, data in files.items():
        if named.original is not None and name == named.name:
            reasons[name] = content_reason(data, "docx")
        else:
            # The bytes first: "含宏" says more than the .docm suffix that also gives it away.
            reasons[name] = content_reason(data, named.document.format) or named.reason
    return reasons


def placed(files: dict[str, bytes], reasons: dict[str, str]) -> dict[str, bytes]:
    """The files by their path in the folder: those waiting for a person in 待人工检查."""
    return {quarantine_path(name) if reasons[name] else name: data for name, data in files.items()}


def _note(doc_error: str | None, note: str, reason: str) -> str:
    parts = ["无法读取：" + doc_error if doc_error else note, f"待人工检查：{reason}" if reason else ""]
    return "；".join(p for p in parts if p)


def _file_rows(named: NamedDocument, files: dict[str, bytes],
               reasons: dict[str, str]) -> list[FileRow]:
    doc = named.document
    kind, container = KIND_NAMES.get(doc.kind, doc.kind), doc.container or ""
    notes = {named.name: "由原件转换为.docx", named.original: "原件"} if named.original else {}
    return [FileRow(quarantine_path(name) if reasons[name] else name, kind, base_name(doc.name),
                    container, len(data), _note(doc.error, notes.get(name, ""), reasons[name]))
            for name, data in files.items()]


def _already_there(folder: Path, item: NamedDocument) -> bytes | None:
    """The document's bytes from an earlier export, when the file there is the document:
    a raw mail lost since does not empty a folder that was complete."""
    name = item.original or item.name
    for path in (folder / name, folder / quarantine_path(name)):
        if path.is_file():
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == item.document.sha256:
                return data
    return None


def _set_aside(report: MaterialsReport, reference: str, named: NamedDocument,
               reasons: dict[str, str]) -> None:
    for reason in filter(None, reasons.values()):
        report.quarantined += 1
        report.notes.append(f"{reference} {own_name(named.document)}: 已放入{QUARANTINE_DIR}（{reason}）")


def gather(db: Database, config: Config, sub: dict, word: str, folder: Path,
           converter: Converter, report: MaterialsReport) -> tuple[dict[str, bytes], list[FileRow]]:
    """A submission's files by clean name, and its index rows (missing documents included)."""
    named = document_names(current_documents(db, sub["id"]), word)
    found = find_originals(db, config, sub["id"], [n.document.sha256 for n in named])
    files: dict[str, bytes] = {}
    rows: list[FileRow] = []
    for item in named:
        doc = item.document
        data = found.data.get(doc.sha256)
        data = _already_there(folder, item) if data is None else data
        if data is None:
            reason = found.reason(doc.sha256)
            report.missing.append(Missing(sub["reference"], doc.name, reason))
            rows.append(FileRow("", KIND_NAMES.get(doc.kind, doc.kind), base_name(doc.name),
                                doc.container or "", doc.size, f"缺失：{reason}"))
            continue
        made = document_files(item, data, converter, report, sub["reference"])
        reasons = screen_files(item, made)
        _set_aside(report, sub["reference"], item, reasons)
        files.update(placed(made, reasons))
        rows.extend(_file_rows(item, made, reasons))
    return files, rows


def export_submission(db: Database, config: Config, sub: dict, word: str, out_dir: Path,
                      manifest: dict, converter: Converter,
                      report: MaterialsReport) -> tuple[str, dict[str, bytes], list[FileRow]]:
    """Place and fill one submission's folder: its name, its files and its index rows."""
    entry = manifest["submissions"].get(sub["reference"], {})
    name = folder_name(sub["reference"], sub["unit_name"] or "", sub["case_name"] or "")
    folder, state = place_folder(out_dir, sub["reference"], name, entry.get("folder"))
    files, rows = gather(db, config, sub, word, folder, converter, report)
    written, same, removed = sync_files(folder, files, set(entry.get("files", ())))
    report.written, report.same, report.removed = (report.written + written, report.same + same,
                                                   report.removed + removed)
    if state == "existing":
        state = "updated" if written or removed else "unchanged"
    setattr(report, state, getattr(report, state) + 1)
    manifest["submissions"][sub["reference"]] = {"folder": name, "files": sorted(files)}
    return name, files, rows


# ---- the index and the whole export ---------------------------------------------------------

CASE_HEADERS = ("受理编号", "申报单位", "案例名称", "案例类别", "审核结论", "文件夹", "文件数", "缺失文件数",
                "待人工检查文件数")
FILE_HEADERS = ("受理编号", "文件夹", "文件名", "材料类型", "原文件名", "所在压缩包", "大小（KB）", "说明")


def index_sheets(cases: list[tuple], files: list[tuple]) -> list[Sheet]:
    return [Sheet("案例", CASE_HEADERS, tuple(cases)), Sheet("文件", FILE_HEADERS, tuple(files))]


def _write_index(out_dir: Path, sheets: list[Sheet], manifest: dict) -> None:
    """index.xlsx, rewritten only when what it lists changed (openpyxl stamps every save)."""
    digest = hashlib.sha256(json.dumps([asdict(s) for s in sheets], ensure_ascii=False,
                                       default=str).encode()).hexdigest()
    if manifest.get("index") != digest or not (out_dir / INDEX).is_file():
        write_durably(out_dir / INDEX, write_workbook(sheets))
    manifest["index"] = digest


def selected(db: Database, campaign: str, verdicts: Sequence[str] | None) -> list[dict]:
    return [r for r in submissions_of(db, campaign) if not verdicts or r["verdict"] in verdicts]


def export_materials(db: Database, config: Config, campaign: str, out_dir: Path,
                     verdicts: Sequence[str] | None = None) -> MaterialsReport:
    """Build or update the review folder of one campaign in out_dir (only the submissions
    with one of `verdicts`, when given)."""
    campaign_ids(db, config, campaign)  # an unknown campaign is a ConfigError
    profile = known_profiles(config).get(campaign)
    word = profile.writeup.name if profile and profile.writeup else "案例报告"
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest, report = load_manifest(out_dir), MaterialsReport(out_dir)
    categories = current_fields(db, campaign)
    cases, file_rows = [], []
    converter = Converter(config.cache / "converted", timeout=config.convert_timeout)
    try:
        for sub in selected(db, campaign, verdicts):
            name, files, rows = export_submission(db, config, sub, word, out_dir, manifest,
                                                  converter, report)
            category = cell_value(categories.get(sub["id"], {}).get("category"), "choice")
            held = sum(f.startswith(f"{QUARANTINE_DIR}/") for f in files)
            cases.append((sub["reference"], sub["unit_name"] or "", sub["case_name"] or "",
                          category, VERDICT_NAMES.get(sub["verdict"], sub["verdict"]), name,
                          len(files) - held, sum(not r.name for r in rows), held))
            file_rows += [(sub["reference"], name, r.name, r.kind, r.original, r.container,
                           round(r.size / 1024, 1), r.note) for r in rows]
    finally:
        converter.close()
    _write_index(out_dir, index_sheets(cases, file_rows), manifest)
    save_manifest(out_dir, manifest)
    return report
