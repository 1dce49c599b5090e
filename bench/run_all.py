"""Every benchmark of the project, one after the other, and their table (`make bench`).

    .venv/bin/python bench/run_all.py [--only name,name] [--out bench/results] [--write-readme]

Runs each benchmark below as its own process with the command shown, its output both printed
and kept in `<out>/<name>.log`. Each benchmark writes its figures (every one next to the
baseline it measured in the same run, see bench/report.py) to `<out>/<name>.json`. At the end
the script writes `<out>/table.md`: the machine (CPU, memory, versions, load before and after),
the commit, the exact commands and one row per figure; with --write-readme it also puts that
table into bench/README.md between its markers. It needs PostgreSQL on 127.0.0.1:5432 (user
postgres) and Redis on 127.0.0.1:6379, like the benchmarks that use them. Exits 1 when a
benchmark failed (its row says so); the others still run.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
BEGIN, END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"

# name, arguments after `python`. Sizes are the benchmarks' defaults, except the certificate
# run (500 officers instead of 1,000) to keep the whole table within about half an hour here.
BENCHMARKS = [
    ("module_page", ["bench/module_page.py"]),
    ("enrollment_queue", ["bench/enrollment_queue.py"]),
    ("exam_load", ["bench/exam_load.py"]),
    ("certificate_issue", ["bench/certificate_issue.py", "--n", "500", "--sample", "50"]),
    ("roster", ["bench/roster.py"]),
    ("mixed_load", ["bench/mixed_load.py"]),
]


def command_output(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (done.stdout or done.stderr).strip() or "unknown"


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    redis = command_output("redis-cli", "-h", "127.0.0.1", "INFO", "server")
    redis_version = next(
        (x.split(":", 1)[1] for x in redis.splitlines() if x.startswith("redis_version")), "unknown"
    )
    return {
        "CPU": f"{os.cpu_count()} x {cpu}",
        "memory": f"{memory_kb / 2**20:.0f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": command_output(
            "psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"
        ),
        "Redis": redis_version,
        "commit": command_output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
    }


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(name: str, arguments: list[str], out: Path) -> dict:
    log = out / f"{name}.log"
    started = time.monotonic()
    env = {**os.environ, "BENCH_RESULTS": str(out), "PYTHONUNBUFFERED": "1"}
    with log.open("w") as handle:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, *arguments],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in process.stdout:
            sys.stdout.write(line)
            handle.write(line)
        status = process.wait()
    return {"status": status, "minutes": (time.monotonic() - started) / 60}


def number(value) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value != int(value) else f"{value:.0f}"


def table(out: Path, runs: dict, facts: dict, loads: tuple[str, str], started: str) -> str:
    lines = [
        f"Run of {started} (UTC) with `make bench` (`.venv/bin/python bench/run_all.py`), "
        f"commit {facts['commit']}.",
        "",
        "Machine: " + "; ".join(f"{key} {value}" for key, value in facts.items() if key != "commit") + ".",
        f"Load average (1, 5, 15 min) before: {loads[0]}; after: {loads[1]}.",
        "",
        "| benchmark | command | figure | value | baseline (same run) | baseline value | ratio |",
        "|---|---|---|---:|---|---:|---:|",
    ]
    for name, arguments in BENCHMARKS:
        if name not in runs:
            continue
        command = "`python " + " ".join(arguments) + "`"
        result = out / f"{name}.json"
        outcome = runs[name]
        if outcome["status"] != 0 or not result.exists():
            lines.append(
                f"| {name} | {command} | FAILED (exit {outcome['status']}), see {name}.log | | | | |"
            )
            continue
        data = json.loads(result.read_text())
        label = f"{name} ({outcome['minutes']:.1f} min; {data.get('setup', '')})"
        for figure in data["figures"]:
            ratio = f"{figure['ratio']:.3f}" if figure.get("ratio") is not None else ""
            lines.append(
                f"| {label} | {command} | {figure['name']} | {number(figure['value'])} {figure['unit']} | "
                f"{figure['baseline']} | {number(figure['baseline_value'])} | {ratio} |"
            )
            label = command = ""
    return "\n".join(lines) + "\n"


def write_readme(text: str) -> None:
    readme = README.read_text()
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"bench/README.md lacks the markers {BEGIN} ... {END}")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{text}{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default="", help="comma-separated names: " + ", ".join(n for n, _ in BENCHMARKS)
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--write-readme", action="store_true", help="put the table into bench/README.md")
    args = parser.parse_args()
    chosen = {name for name in args.only.split(",") if name} or {name for name, _ in BENCHMARKS}
    unknown = chosen - {name for name, _ in BENCHMARKS}
    if unknown:
        raise SystemExit(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        stale.unlink()  # a figure in the table always comes from this run

    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    facts, before = machine(), load()
    runs = {}
    for name, arguments in BENCHMARKS:
        if name in chosen:
            print(f"\n=== {name}: python {' '.join(arguments)}", flush=True)
            runs[name] = run(name, arguments, out)
    text = table(out, runs, facts, (before, load()), started)
    (out / "table.md").write_text(text)
    print("\n" + text)
    if args.write_readme:
        write_readme(text)
    return 1 if any(outcome["status"] for outcome in runs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
