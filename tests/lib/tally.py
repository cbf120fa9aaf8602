"""Pass/fail bookkeeping for the tool test scripts (tests/tools): one "ok", "FAIL" or "skip" line per check, and
a last line "N passed, M failed" with an exit status to match. Skips are reported and not counted."""

_counts = {"passed": 0, "failed": 0}


def check(name, ok, why=""):
    if ok:
        _counts["passed"] += 1
        print(f"ok   {name}")
    else:
        _counts["failed"] += 1
        print(f"FAIL {name}: {why}")


def skip(name, why):
    print(f"skip {name}: {why}")


def summary():
    """Prints the last line and returns the exit status: 1 when any check failed."""
    print(f"{_counts['passed']} passed, {_counts['failed']} failed")
    return 1 if _counts["failed"] else 0
