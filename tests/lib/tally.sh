# Pass/fail bookkeeping for the tool test scripts written in bash (tests/tools), as tests/lib/tally.py is for the
# Python ones: source it, call `check NAME STATUS` per check (STATUS 0 passes), end with `tally_summary`, which
# prints "N passed, M failed" and returns 1 when anything failed.
passed=0 failed=0

check() { # name, condition exit status
    if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}

tally_summary() {
    echo "$passed passed, $failed failed"
    (( failed == 0 ))
}
