"""Run every benchmark, print one table and write it to bench/results.md."""

import datetime
import os
import platform
import sys
import tempfile
from pathlib import Path

RESULTS = Path(__file__).with_name("results.md")
BENCHMARKS = ["bench.transcode", "bench.progress"]


def setup_django() -> None:
    """A throwaway data folder and database, so benchmarks never touch the demo's."""
    os.environ["PORTAL_VAR_DIR"] = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(selected: list[str]) -> int:
    setup_django()
    import importlib

    rows = []
    for name in BENCHMARKS:
        if selected and name.split(".")[-1] not in selected:
            continue
        print(f"running {name} …", flush=True)
        rows.extend(importlib.import_module(name).run())
    header = ["work", "figure", "target", "result"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *(
            f"| {r['work']} | {r['figure']} | {r['target']} | {'pass' if r['ok'] else 'FAIL'} |"
            for r in rows
        ),
    ]
    table = "\n".join(lines)
    print(table)
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    RESULTS.write_text(
        f"# Benchmark results\n\n{stamp} on {platform.node()} ({os.cpu_count()} CPUs, "
        f"Python {platform.python_version()})\n\n{table}\n"
    )
    print(f"written to {RESULTS}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
