"""Rebuild the search indexes from the database, with a progress bar."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from search.backends import get_backend
from search.registry import definitions
from search.types import INDEXES, SearchUnavailable


class Progress:
    """A one-line bar on the terminal (plain lines when output is not a terminal)."""

    WIDTH = 30

    def __init__(self, stream, label: str, total: int):
        self.stream, self.label, self.total = stream, label, total
        self.done = 0
        self.started = time.monotonic()
        self.tty = stream.isatty()

    def __call__(self, count: int) -> None:
        self.done += count
        share = min(1.0, self.done / self.total) if self.total else 1.0
        filled = int(share * self.WIDTH)
        line = (
            f"{self.label:<10} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{self.done}/{self.total} {share:4.0%} {time.monotonic() - self.started:5.1f}s"
        )
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Rebuild the search indexes; queries keep being answered while it runs."

    def add_arguments(self, parser):
        parser.add_argument("--index", choices=INDEXES, action="append", help="only these")

    def handle(self, *args, index=None, **options):
        backend = get_backend()
        for name in index or INDEXES:
            chosen = [d for d in definitions() if d.index == name]
            total = sum(d.count() for d in chosen)
            progress = Progress(sys.stderr, name, total)
            documents = (doc for d in chosen for doc in d.documents())
            progress(0)
            try:
                backend.rebuild(name, documents, progress)
            except SearchUnavailable as error:
                raise CommandError(f"The search engine is not reachable: {error}") from error
            progress.finish()
            self.stdout.write(f"{name}: {backend.count(name)} documents")
