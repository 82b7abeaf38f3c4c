#!/usr/bin/python3
"""matrix-nio against chatd: one PASS/FAIL line per check, then a summary.

Run with Debian's interpreter, which has python3-matrix-nio and python3-olm:

    /usr/bin/python3 tests/interop/run_interop.py --chatd build/ci/daemon/chatd

It starts chatd on a free loopback port in a temp dir, runs every check with
its own timeout (one failure does not stop the rest), stops chatd, and exits
non-zero when a check fails that expected_failures.txt does not list, or when
a listed check passes (so the list shrinks as capabilities land), or when
chatd did not exit cleanly. A capability not built yet is a FAIL, never a skip.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

try:
    import nio  # noqa: F401  (the checks below import it too)
except ImportError as error:
    print(f"FAIL matrix_nio_import: {error} (use /usr/bin/python3 with python3-matrix-nio)")
    print("0 passed, 1 failed")
    sys.exit(1)

import checks_account_data
import checks_accounts
import checks_e2ee
import checks_ephemeral
import checks_media
import checks_messages
import checks_rooms
from chatd_process import ChatdError, ChatdProcess
from harness import Context

CHECKS = (checks_accounts.CHECKS + checks_rooms.CHECKS + checks_messages.CHECKS
          + checks_ephemeral.CHECKS + checks_account_data.CHECKS + checks_media.CHECKS
          + checks_e2ee.CHECKS)
# Not a nio check: chatd must stop on SIGTERM with status 0 and no sanitizer report.
SHUTDOWN_CHECK = "chatd_clean_exit"


def read_expected_failures(path: Path) -> set[str]:
    """Check names, one a line; '#' starts a comment (which names the issue)."""
    names = set()
    for line in path.read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.add(name)
    return names


def reason_of(error: BaseException, timeout_s: float) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return f"no result within {timeout_s:.1f} s"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


async def run_checks(ctx: Context, selected, timeout_s: float, suite_s: float,
                     verbose: bool) -> dict:
    """Runs the checks in order. Past `suite_s` seconds the rest fail at once,
    so the summary is printed before ctest's own timeout kills the run."""
    results = {}
    suite_end = time.monotonic() + suite_s
    for name, check in selected:
        started = time.monotonic()
        budget = min(timeout_s, suite_end - started)
        if budget <= 0:
            results[name] = f"not run: the suite's {suite_s:.0f} s were used up"
            print(f"FAIL {name}: {results[name]}", flush=True)
            continue
        try:
            await asyncio.wait_for(check(ctx), budget)
            results[name] = None
            print(f"PASS {name} ({time.monotonic() - started:.1f} s)", flush=True)
        except Exception as error:  # any failure is this check's, not the suite's
            results[name] = reason_of(error, budget)
            print(f"FAIL {name}: {results[name]}", flush=True)
            if verbose:
                traceback.print_exc()
    return results


def shutdown_result(chatd: ChatdProcess):
    code = chatd.stop()
    log = chatd.log_text()
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        if marker in log:
            return f"the log has '{marker}'"
    if code != 0:
        return f"exit status {code} after SIGTERM"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chatd", required=True, help="path of the chatd binary")
    parser.add_argument("--expected-failures", type=Path,
                        default=HERE / "expected_failures.txt")
    parser.add_argument("--check-timeout", type=float, default=20.0,
                        help="seconds each check may take")
    parser.add_argument("--suite-timeout", type=float, default=90.0,
                        help="seconds for all checks together (ctest allows 120)")
    parser.add_argument("--only", action="append", default=[],
                        help="run only this check (repeatable); skips the list comparison")
    parser.add_argument("--verbose", action="store_true", help="tracebacks for failures")
    args = parser.parse_args()

    known = [name for name, _ in CHECKS] + [SHUTDOWN_CHECK]
    expected = read_expected_failures(args.expected_failures)
    unknown = sorted(set(expected) - set(known) | set(args.only) - set(known))
    if unknown:
        print(f"unknown check names: {', '.join(unknown)}")
        return 2
    selected = [(n, c) for n, c in CHECKS if not args.only or n in args.only]

    with tempfile.TemporaryDirectory(prefix="chatd-interop-") as tmp:
        workdir = Path(tmp)
        chatd = ChatdProcess(str(Path(args.chatd).resolve()), workdir)
        try:
            chatd.start()
        except (ChatdError, OSError) as error:
            print(f"FAIL chatd_start: {error}")
            print(chatd.log_tail())
            print(f"0 passed, {len(selected) + 1} failed")
            chatd.stop()
            return 1
        print(f"chatd serving on {chatd.url} (log: {chatd.log_path})", flush=True)

        async def run():
            ctx = Context(chatd.url, workdir / "nio")
            try:
                return await run_checks(ctx, selected, args.check_timeout, args.suite_timeout,
                                        args.verbose)
            finally:
                await ctx.close()

        results = asyncio.run(run())
        failure = shutdown_result(chatd)
        results[SHUTDOWN_CHECK] = failure
        print(f"FAIL {SHUTDOWN_CHECK}: {failure}" if failure else f"PASS {SHUTDOWN_CHECK}")

        failed = {name for name, reason in results.items() if reason is not None}
        passed = set(results) - failed
        unexpected = sorted(failed - expected) if not args.only else sorted(failed)
        fixed = sorted(expected & passed) if not args.only else []
        if unexpected:
            print("chatd log tail:\n" + chatd.log_tail())
            print(f"unexpected failures (not in {args.expected_failures.name}): "
                  f"{', '.join(unexpected)}")
        if fixed:
            print(f"NOTICE: listed in {args.expected_failures.name} but passing now: "
                  f"{', '.join(fixed)}; remove them from the list")
        print(f"{len(passed)} passed, {len(failed)} failed")
        return 1 if unexpected or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
