import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import Region
from resources.hsds import import_directory


class Command(BaseCommand):
    help = (
        "Create or update providers, bases and openings from an HSDS 3.0 JSON file; "
        "nothing is written if any part of it is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The JSON file ('-' for standard input).")
        parser.add_argument(
            "--region", help="A division code: refuse bases outside this region's area."
        )

    def handle(self, *args: Any, path: str, region: str | None = None, **options: Any) -> None:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        allowed = None
        if region:
            allowed = Region.objects.filter(code=region).first()
            if allowed is None:
                raise CommandError(f"unknown division code {region}")
        report = import_directory(data, allowed_region=allowed)
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"nothing imported: {len(report.errors)} problems")
        self.stdout.write(
            self.style.SUCCESS(
                f"imported: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged"
            )
        )
