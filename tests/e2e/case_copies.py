"""The bundled case with two more copies of its Security.evtx, for the tests of records found in
several files (METHOD.md §8.2): one identical (another path of the same content, the same evidence)
and one that differs in a byte of the file header's unused space (another file, as a shadow copy
is, holding the same records: they are linked through event_sources)."""
import os
import shutil
import subprocess


def forge_case_with_copies(stforge, source, tmp):
    """Forges SOURCE into TMP/case and adds the copies; returns (case, original, same, shadow)."""
    case = os.path.join(tmp, "case")
    subprocess.run([stforge, "case", source, case], check=True, capture_output=True)
    original = os.path.join(case, "C", "Windows", "System32", "winevt", "Logs", "Security.evtx")
    same = os.path.join(case, "Copies", "again", "Security.evtx")
    shadow = os.path.join(case, "VSS", "Security.evtx")
    os.makedirs(os.path.dirname(same))
    os.makedirs(os.path.dirname(shadow))
    shutil.copy(original, same)
    data = bytearray(open(original, "rb").read())
    if data[0x200] != 0:
        raise ValueError("the header's unused space is not zero at 0x200")
    data[0x200] = 0x5A  # outside the 120 bytes the header checksum covers
    open(shadow, "wb").write(bytes(data))
    return case, original, same, shadow
