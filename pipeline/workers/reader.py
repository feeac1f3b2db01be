"""The Reader the pipeline uses: legacy Word converted here, every parser in a limited worker.

The workers (pipeline/workers/pool.py) are kept for the run and share out each message's files;
`start` hands a message's files over and returns at once, so that the pipeline can save and
answer the previous message while they are parsed.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from parsers import office, sniff
from parsers.model import Attachment
from parsers.reading import (Content, Converter, Inspected, Job, RawFile, expand_each, finish, plan,
                             read_content)
from pipeline.config.settings import Config
from pipeline.workers.pool import Batch, Limits, Pool

__all__ = ["IsolatedReader", "Limits", "PendingRead", "document_reader"]


class IsolatedReader:
    """The Reader the pipeline uses: conversion in the parent, parsers in limited workers."""

    def __init__(self, limits: Limits = Limits(), converter: Converter | None = None,
                 workers: int = 2):
        self.limits, self.converter = limits, converter
        self.pool = Pool(limits, workers)

    def expand(self, attachments: Sequence[Attachment], lean: bool = False) -> list[RawFile]:
        """Attachments, with the message's archives opened in one worker under one budget for
        the message (parsers/reading.py expand_all); `lean` as there."""
        files = [RawFile(a.name, a.data) for a in attachments]
        archive = [sniff.sniff(f.data) in sniff.ARCHIVE_FORMATS for f in files]
        archives = [f for f, is_archive in zip(files, archive) if is_archive]
        if not archives:
            return files
        (found,) = self.pool.map(_expand_archives, [(archives, lean)], lambda _: "expand archives")
        opened = iter(found if isinstance(found, list) else [[replace(f, error=found)]
                                                              for f in archives])
        return [f for file, is_archive in zip(files, archive)
                for f in (next(opened) if is_archive else [file])]

    def read(self, files: Sequence[RawFile]) -> list[Inspected]:
        return self.start(files).result()

    def start(self, files: Sequence[RawFile]) -> PendingRead:
        """Hand the files to the workers and return at once: the caller does other work (the
        previous message's database and reply) while they parse."""
        jobs = plan(files, self.converter)
        return PendingRead(jobs, self.pool.submit(read_content, jobs, lambda job: f"read {job.format}",
                                                  one_message=True))

    def close(self) -> None:
        self.pool.close()


class PendingRead:
    """Files in the workers' hands; `result()` waits for them."""

    def __init__(self, jobs: list[Job], batch: Batch):
        self.jobs, self.batch = jobs, batch

    def result(self) -> list[Inspected]:
        contents = self.batch.results()
        return [finish(job, c if isinstance(c, Content) else Content(error=c))
                for job, c in zip(self.jobs, contents)]

    def cancel(self) -> None:
        self.batch.cancel()


def _expand_archives(job: tuple[list[RawFile], bool]) -> list[list[RawFile]]:
    """In a worker: the message's archives, each followed by its members."""
    archives, lean = job
    return expand_each(archives, lean=lean)


def document_reader(config: Config) -> IsolatedReader:
    """Parsers in a limited child process; legacy Word converted by LibreOffice, cached."""
    converter = office.Converter(config.cache / "converted", timeout=config.convert_timeout)
    return IsolatedReader(config.limits, converter, config.workers)
