#!/usr/bin/env python3
"""Counts test results from meson's testlog.json files: every TAP "ok" and
"not ok" line of every test program, so the closing line speaks of the
checks a user cares about rather than of executables. A program that did
not end OK and printed no "not ok" (it crashed, hung or bailed out) counts
as one failure. Prints "PASSED FAILED"."""
import json
import re
import sys

passed = failed = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        failed += 1            # the run did not even produce a log
        continue
    for line in lines:
        test = json.loads(line)
        out = test.get("stdout") or ""
        ok = len(re.findall(r"^ok\b", out, re.M))
        not_ok = len(re.findall(r"^not ok\b", out, re.M))
        if ok == 0 and not_ok == 0 and test["result"] == "OK":
            ok = 1             # a non-TAP test that passed
        if test["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and not_ok == 0:
            not_ok = 1
        passed += ok
        failed += not_ok
print(passed, failed)
