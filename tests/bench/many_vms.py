#!/usr/bin/python3
"""many_vms.py N OUT - the bundled case's sources with its malicious session repeated N more times.

Copies testdata/case to OUT and appends to each of its event logs (the *.evtx.xml sources) N copies
of the records written during the malicious session (2025-01-07 00:00-09:30 UTC: the task run, the
launcher, the VM's logons, shares, commands, NIC and exit records), copy k shifted by k x 10 hours and
given its own VM GUID (in the upper- and lower-case spellings the logs use, and as the VM SID of
METHOD.md §0.3). Record ids are renumbered in file order. Build the collection with
`stforge case OUT COLLECTION`; `sandtrace analyze` then finds N + 2 sessions. For the benchmark of the
correlator's loops over VMs x records (tests/bench/analyze.sh); not a test.
"""
import os
import re
import shutil
import sys
import uuid
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "testdata", "case")
GUID = "E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047"   # the malicious session's VM (testdata/case)
WINDOW = ("2025-01-07T00:00:00", "2025-01-07T09:30:00")
SHIFT = timedelta(hours=10)
EVENT = re.compile(r"  <Event xmlns=.*?</Event>\n", re.S)
TIME = re.compile(r'SystemTime="([0-9T:.-]+)Z"')


def vm_sid(guid):
    """The VM SID of a GUID: its little-endian bytes as four little-endian 32-bit numbers (§0.3)."""
    raw = uuid.UUID(guid).bytes_le
    return "S-1-5-83-1-" + "-".join(str(int.from_bytes(raw[i:i + 4], "little")) for i in range(0, 16, 4))


def shifted(match, k):
    text = match.group(1)
    whole, _, fraction = text.partition(".")
    when = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc) + k * SHIFT
    return 'SystemTime="%s%sZ"' % (when.strftime("%Y-%m-%dT%H:%M:%S"), "." + fraction if fraction else "")


def copy_of(event, k):
    guid = str(uuid.uuid5(uuid.NAMESPACE_OID, "sandtrace-bench-vm-%d" % k)).upper()
    for old, new in ((GUID, guid), (GUID.lower(), guid.lower()), (vm_sid(GUID), vm_sid(guid))):
        event = event.replace(old, new)
    return TIME.sub(lambda m: shifted(m, k), event)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    copies, out = int(sys.argv[1]), sys.argv[2]
    shutil.copytree(SOURCE, out)
    for folder, _, names in os.walk(out):
        for name in names:
            if not name.endswith(".evtx.xml"):
                continue
            path = os.path.join(folder, name)
            text = open(path, encoding="utf-8").read()
            events = EVENT.findall(text)
            window = [e for e in events if TIME.search(e) and WINDOW[0] <= TIME.search(e).group(1) < WINDOW[1]]
            added = [copy_of(e, k) for k in range(1, copies + 1) for e in window]
            last = text.rindex("</Events>")
            text = text[:last] + "".join(added) + text[last:]
            number = iter(range(1, 10 ** 9))
            text = re.sub(r"<EventRecordID>\d+</EventRecordID>",
                          lambda m: "<EventRecordID>%d</EventRecordID>" % next(number), text)
            open(path, "w", encoding="utf-8").write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
