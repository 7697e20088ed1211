"""Fail when a JUnit report records a skipped or no test at all."""

import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
tests = sum(int(s.get("tests", 0)) for s in suites)
skipped = [
    f"{case.get('classname')}.{case.get('name')}"
    for case in root.iter("testcase")
    if case.find("skipped") is not None
]
if skipped or tests == 0:
    print(f"{sys.argv[1]}: {tests} tests, skipped: {skipped or 'none'}", file=sys.stderr)
    sys.exit(1)
print(f"{sys.argv[1]}: {tests} tests, none skipped")
