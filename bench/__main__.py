"""Run every benchmark, print one table and write it to bench/results.md."""

import datetime
import os
import platform
import sys
import tempfile
from pathlib import Path

RESULTS = Path(__file__).with_name("results.md")
# A row's "ok": met its target, missed it, or a figure to compare others with (no target).
RESULT = {True: "pass", False: "FAIL", None: "reference"}
BENCHMARKS = [
    "bench.transcode",
    "bench.progress",
    "bench.search",
    "bench.fanout",
    "bench.hls_delay",
]


def setup_django() -> None:
    """A throwaway data folder and database, so benchmarks never touch the demo's."""
    os.environ["PORTAL_VAR_DIR"] = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def previous_rows() -> list[dict]:
    """Rows of the last results file, so a run of some benchmarks keeps the others' figures."""
    rows = []
    if RESULTS.exists():
        for line in RESULTS.read_text().splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == 5 and cells[0].startswith("bench."):
                bench, work, figure, target, result = cells
                ok = None if result == "reference" else result == "pass"
                rows.append(
                    {"bench": bench, "work": work, "figure": figure, "target": target,
                     "ok": ok, "earlier": True}
                )  # fmt: skip
    return rows


def main(selected: list[str]) -> int:
    setup_django()
    import importlib

    chosen = [n for n in BENCHMARKS if not selected or n.split(".")[-1] in selected]
    rows = []
    for name in BENCHMARKS:
        if name in chosen:
            print(f"running {name} …", flush=True)
            rows.extend({"bench": name, **row} for row in importlib.import_module(name).run())
        else:
            rows.extend(row for row in previous_rows() if row["bench"] == name)
    header = ["bench", "work", "figure", "target", "result"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *(
            f"| {r['bench']} | {r['work']} | {r['figure']} | {r['target']} | {RESULT[r['ok']]} |"
            for r in rows
        ),
    ]
    table = "\n".join(lines)
    print(table)
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    kept = sorted({r["bench"] for r in rows if r.get("earlier")})
    note = f"\n\nFigures of {', '.join(kept)} are from an earlier run." if kept else ""
    RESULTS.write_text(
        f"# Benchmark results\n\n{stamp} on {platform.node()} ({os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}){note}\n\n{table}\n"
    )
    print(f"written to {RESULTS}")
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
