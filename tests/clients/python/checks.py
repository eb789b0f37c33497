"""The check harness the Python client scripts share: each check runs once,
prints `ok NAME` or `FAIL NAME: reason` on its own line, and is bounded in
time (a client that waits forever for an answer fails the check instead of
hanging the suite). The Rust test (tests/clients/mod.rs) reads these lines.
"""

import asyncio
import inspect
import signal
import sys
import traceback

CHECK_TIMEOUT = 30  # seconds: generous for a loaded 2-core machine; a hang still fails


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout(f"no answer within {CHECK_TIMEOUT} s")


def _report(name, err):
    if err is None:
        print(f"ok {name}", flush=True)
    else:
        reason = f"{type(err).__name__}: {err}".replace("\n", " | ")
        print(f"FAIL {name}: {reason[:400]}", flush=True)
        if "-v" in sys.argv:
            traceback.print_exception(err, file=sys.stderr)


def run(checks):
    """Runs synchronous checks: a list of (name, function)."""
    signal.signal(signal.SIGALRM, _alarm)
    for name, fn in checks:
        err = None
        signal.alarm(CHECK_TIMEOUT)
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 - every failure is a FAIL line
            if isinstance(e, KeyboardInterrupt):
                raise
            err = e
        finally:
            signal.alarm(0)
        _report(name, err)


def run_async(checks):
    """Runs coroutine checks: a list of (name, async function)."""

    async def main():
        for name, fn in checks:
            err = None
            try:
                await asyncio.wait_for(fn(), CHECK_TIMEOUT)
            except asyncio.TimeoutError:
                err = Timeout(f"no answer within {CHECK_TIMEOUT} s")
            except Exception as e:  # noqa: BLE001
                err = e
            _report(name, err)

    asyncio.run(main())


def eq(got, want, what="value"):
    """Fails the check unless got == want."""
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def check(cond, what):
    if not cond:
        raise AssertionError(what)
