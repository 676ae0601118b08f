"""TAP for the builder's Python tests: check() prints one numbered
'ok' / 'not ok' line (flushed, so a timeout keeps what ran); done() exits
1 if any check failed. The plan line ('1..N') is the test's own."""
import sys

results = []


def check(ok, what):
    results.append(bool(ok))
    print(f'{"ok" if ok else "not ok"} {len(results)} - {what}', flush=True)


def done():
    sys.exit(0 if all(results) else 1)
