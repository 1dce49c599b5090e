"""The dependency audit (`make audit`): pip-audit over what requirements.txt and
requirements-dev.txt install, transitive dependencies included.

It fails (exit 1) on a known vulnerability that has a fixed release: bump the pin to a fixed
version. A vulnerability with no fixed release yet is listed but does not fail the audit (there
is nothing to upgrade to); one judged not to apply is ignored by its ID in AUDIT_IGNORE
(comma-separated), with the reason written where it is set.

pip-audit by itself reports "No known vulnerabilities found" when it could audit nothing at all
(every package skipped because the vulnerability service did not answer). Here that is an
audit not done, and it fails too, unless AUDIT_UNREACHABLE_OK=1 says that a machine without
access to the service may go on (it is said loudly either way).

Settings from the environment: AUDIT_SERVICE (pypi, the default, or osv), AUDIT_IGNORE,
AUDIT_UNREACHABLE_OK.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")


def pip_audit() -> Path:
    return Path(sys.executable).with_name("pip-audit")


def run_audit(report: Path) -> int:
    command = [str(pip_audit())]
    for name in REQUIREMENTS:
        command += ["-r", str(ROOT / name)]
    command += [
        "--vulnerability-service",
        os.environ.get("AUDIT_SERVICE", "pypi"),
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--output",
        str(report),
    ]
    for vuln_id in filter(None, (v.strip() for v in os.environ.get("AUDIT_IGNORE", "").split(","))):
        command += ["--ignore-vuln", vuln_id]
    # Its own summary would say "No known vulnerabilities found" even when it checked nothing:
    # its output is shown only when it fails before writing the report.
    done = subprocess.run(command, cwd=ROOT, check=False, capture_output=True, text=True)  # noqa: S603
    if not report.exists():
        print(done.stdout + done.stderr, file=sys.stderr)
    return done.returncode


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "audit.json"
        status = run_audit(report_path)
        if not report_path.exists():
            print(f"audit: pip-audit failed (exit {status}) before auditing anything", file=sys.stderr)
            return status or 2
        report = json.loads(report_path.read_text())
    return judge(report, unreachable_ok=os.environ.get("AUDIT_UNREACHABLE_OK") == "1")


def judge(report: dict, *, unreachable_ok: bool) -> int:
    """The exit status for pip-audit's JSON report, saying why."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    fixable, unfixed = [], []
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            entry = (dependency["name"], dependency["version"], vuln["id"], vuln.get("fix_versions") or [])
            (fixable if entry[3] else unfixed).append(entry)

    for name, version, vuln_id, _fixes in unfixed:
        print(f"audit: warning: {name} {version}: {vuln_id} has no fixed release yet")
    for name, version, vuln_id, fixes in fixable:
        print(f"audit: {name} {version}: {vuln_id}, fixed in {', '.join(fixes)}: bump the pin")
    if fixable:
        return 1

    if dependencies and not audited:
        print(
            f"audit: NOT DONE: none of the {len(skipped)} packages could be checked; the "
            f"vulnerability service did not answer ({skipped[0]['skip_reason']})"
        )
        if unreachable_ok:
            print("audit: going on without it (AUDIT_UNREACHABLE_OK=1)")
            return 0
        return 1
    if skipped:
        for dependency in skipped:
            print(f"audit: could not check {dependency['name']}: {dependency['skip_reason']}")
        return 1
    print(f"audit: {len(audited)} packages checked, no known vulnerability with a fixed release")
    return 0


if __name__ == "__main__":
    sys.exit(main())
