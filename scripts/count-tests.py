"""Counts the results of every TRX file in a folder and prints CI's line:
   tests: N passed, N failed, N skipped
Exits 1 when anything failed (or a test host crashed), or when no test ran."""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"

def main() -> int:
    folder = pathlib.Path(sys.argv[1])
    crashed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    passed = failed = skipped = 0
    for trx in sorted(folder.glob("*.trx")):
        for result in ET.parse(trx).getroot().iter(f"{NS}UnitTestResult"):
            outcome = result.get("outcome", "")
            if outcome == "Passed":
                passed += 1
            elif outcome in ("NotExecuted", "Inconclusive", "Pending"):
                skipped += 1
            else:
                failed += 1
    if crashed:
        print(f"{crashed} test project(s) stopped before writing results", file=sys.stderr)
    failed += crashed
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0

if __name__ == "__main__":
    sys.exit(main())
