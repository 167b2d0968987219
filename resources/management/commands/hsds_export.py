import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resources.hsds import export_directory, validate


class Command(BaseCommand):
    help = "Write the resource directory as Open Referral HSDS 3.0 JSON (no personal data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="File to write; standard output if omitted.")

    def handle(self, *args: Any, output: str | None = None, **options: Any) -> None:
        data = export_directory()
        # An export that breaks the spec is a bug here; other systems must never receive it.
        problems = validate(data)
        if problems:
            raise CommandError("export does not validate:\n" + "\n".join(problems))
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if not output:
            self.stdout.write(text)
            return
        Path(output).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {len(data['organizations'])} organizations and "
                f"{len(data['services'])} services to {output}"
            )
        )
