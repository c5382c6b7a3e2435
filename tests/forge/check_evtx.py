#!/usr/bin/python3
"""check_evtx.py - reads a forged .evtx with two parsers we did not write and compares every record
with the event XML it was forged from.

    check_evtx.py [options] SOURCE.xml FILE.evtx

The parsers are python-evtx (module Evtx) and libevtx (module pyevtx, and the evtxinfo tool). For
every record: the record count, record id (record header and EventRecordID), written time and
TimeCreated to 100 ns, every System element and attribute (EventID + Qualifiers, Version, Level,
Task, Opcode, Keywords, Correlation, Execution, Channel, Computer, Security UserID, Provider Name,
Guid, EventSourceName ...) and every EventData/UserData element: name, attributes, text, order.
Exit 0 when both parsers agree with the source, 1 with one line per difference otherwise.

Values the source forces with forge:type are compared by meaning, because the two parsers spell
some types differently (documented in DISAGREEMENTS below); untyped values must come back exactly.

Options:
  --stforge PATH        first forge FILE.evtx from SOURCE.xml with `PATH evtx`
  --damage KINDS        pass --damage=KINDS to stforge and check that the damage is seen (crc,
                        truncate, zero-record, dirty) and that the undamaged records still read
  --generate N          first write SOURCE.xml: N generated events of mixed shapes
  --min-chunks K        the file must have at least K chunks
  --expect-error TEXT   stforge must fail cleanly (exit 1, TEXT in its message) on SOURCE.xml
"""
import argparse
import base64
import datetime
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import Evtx.Evtx as evtx_py
import pyevtx

EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
FORGE_NS = "urn:sandtrace:forge"
FORGE_TYPE = "{%s}type" % FORGE_NS
CHUNK_SIZE = 65536
HEADER_BLOCK = 4096

# Where python-evtx 0.6.1 and libevtx (20181227) print one value differently. The checker compares
# these by meaning; the forge infers none of them for untyped values.
DISAGREEMENTS = {
    "GUID": "python-evtx lower case, libevtx upper case",
    "Binary": "python-evtx base64, libevtx upper-case hex",
    "FILETIME": "python-evtx 'YYYY-MM-DD HH:MM:SS.ffffff' (float, microseconds), libevtx ISO 8601 with 9 digits",
    "SYSTEMTIME": "python-evtx prints the milliseconds as microseconds (.000123 for 123 ms), libevtx ISO 8601 with milliseconds",
    "Boolean": "python-evtx True/False, libevtx true/false",
    "Null attribute": "python-evtx prints attr=\"\", libevtx leaves the attribute out",
    "Null element": "python-evtx prints an empty element, libevtx leaves the element out",
}

# System values Windows stores typed, and how to compare their text (see evtx_writer.c).
SYSTEM_KINDS = {
    ("EventID", None): "int", ("EventID", "Qualifiers"): "int", ("Version", None): "int",
    ("Level", None): "int", ("Task", None): "int", ("Opcode", None): "int",
    ("Keywords", None): "int", ("EventRecordID", None): "int",
    ("TimeCreated", "SystemTime"): "time", ("Correlation", "ActivityID"): "guid",
    ("Correlation", "RelatedActivityID"): "guid", ("Execution", "ProcessID"): "int",
    ("Execution", "ThreadID"): "int", ("Provider", "Guid"): "guid",
}


def local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def filetime_from_text(text):
    """ISO time with up to 9 fraction digits (or python-evtx's ' ' form) to FILETIME ticks."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z?", text or "")
    if not m:
        raise ValueError("not a time: %r" % text)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "").ljust(9, "0")
    days = (datetime.date(y, mo, d) - datetime.date(1601, 1, 1)).days
    return ((days * 86400 + h * 3600 + mi * 60 + s) * 10**9 + int(frac)) // 100


def canonical(kind, text, parser):
    """A value's meaning, for the kinds whose spelling differs between parsers."""
    text = text or ""
    if kind in (None, "String"):
        return text
    if text == "":
        return ""
    if kind == "int" or kind in ("UInt8", "UInt16", "UInt32", "UInt64", "Int8", "Int16", "Int32",
                                 "Int64", "HexInt32", "HexInt64"):
        return int(text, 0)
    if kind in ("guid", "GUID"):
        return text.lower()
    if kind == "Boolean":
        return {"true": True, "1": True, "false": False, "0": False}[text.lower()]
    if kind == "Binary":
        if parser == "python-evtx":
            return base64.b64decode(text)
        return bytes.fromhex(text)
    if kind in ("time", "FILETIME"):
        return filetime_from_text(text)
    if kind == "SYSTEMTIME":
        if parser == "python-evtx":
            # python-evtx 0.6.1 puts the milliseconds into the microsecond field (.000123 = 123 ms)
            m = re.fullmatch(r"(.*)\.(\d{6})", text)
            if m:
                return filetime_from_text(m.group(1)) // 10000 + int(m.group(2))
        return filetime_from_text(text) // 10000  # milliseconds
    if kind == "SID":
        return text
    if kind == "Null":
        return text
    return text


def close_enough(kind, a, b, parser):
    # python-evtx turns FILETIME into a datetime through a float and keeps microseconds; its text
    # (a double near 1.3e10 s: steps of ~2 us) is compared at 4 us; the exact 100 ns value is
    # checked from its raw substitution instead.
    if parser == "python-evtx" and kind in ("time", "FILETIME") and isinstance(a, int):
        return abs(a - b) <= 40
    return a == b


class Checker:
    def __init__(self):
        self.errors = []

    def fail(self, msg):
        self.errors.append(msg)

    def compare_element(self, where, src, got, parser, system):
        """Compares element SRC (source) with GOT (a parser's rendering), recursively."""
        if src.tag != got.tag:
            self.fail("%s: element %s, %s has %s" % (where, src.tag, parser, got.tag))
            return
        name = local(src.tag)
        forced = src.get(FORGE_TYPE)
        src_attrs = {k: v for k, v in src.attrib.items() if not k.startswith("{%s}" % FORGE_NS)}
        got_attrs = dict(got.attrib)
        for key, value in src_attrs.items():
            kind = SYSTEM_KINDS.get((name, key)) if system else None
            if key not in got_attrs:
                self.fail("%s/@%s: missing in %s (source %r)" % (where, key, parser, value))
                continue
            a, b = canonical(kind, value, "source"), canonical(kind, got_attrs[key], parser)
            if not close_enough(kind, a, b, parser):
                self.fail("%s/@%s: source %r, %s %r" % (where, key, value, parser, got_attrs[key]))
        for key in got_attrs:
            if key not in src_attrs:
                self.fail("%s/@%s: %s has %r, absent in source" % (where, key, parser, got_attrs[key]))
        src_children = list(src)
        got_children = list(got)
        if parser == "libevtx":
            # libevtx leaves out an element whose only content is a Null optional substitution
            # (the way Windows drops absent optional fields); python-evtx keeps it, empty.
            src_children = [c for c in src_children if c.get(FORGE_TYPE) != "Null"]
        if not src_children:
            if got_children:
                self.fail("%s: %s has children, source has none" % (where, parser))
                return
            kind = SYSTEM_KINDS.get((name, None)) if system else None
            if forced:
                kind = forced
            a, b = canonical(kind, src.text, "source"), canonical(kind, got.text, parser)
            if not close_enough(kind, a, b, parser):
                self.fail("%s: text %r, %s %r" % (where, src.text or "", parser, got.text or ""))
            return
        if len(src_children) != len(got_children):
            self.fail("%s: %d children in source, %d in %s (%s vs %s)" % (
                where, len(src_children), len(got_children), parser,
                [local(c.tag) for c in src_children], [local(c.tag) for c in got_children]))
        for i, (s, g) in enumerate(zip(src_children, got_children)):
            self.compare_element("%s/%s[%d]" % (where, local(s.tag), i), s, g, parser, system)


def source_events(path):
    root = ET.parse(path).getroot()
    if local(root.tag) == "Event":
        return [root]
    return [e for e in root if local(e.tag) == "Event"]


def system_of(event):
    for child in event:
        if local(child.tag) == "System":
            return child
    return None


def find_system(event, name, attr=None):
    system = system_of(event)
    if system is None:
        return None
    for child in system:
        if local(child.tag) == name:
            return child.get(attr) if attr else (child.text or "")
    return None


def leaves(element):
    """Leaf elements of an EventData/UserData subtree in document order: the forge numbers its
    substitutions in this order."""
    out = []
    for child in element:
        if len(child):
            out.extend(leaves(child))
        else:
            out.append(child)
    return out


def xml_record_id(root):
    for child in root:
        if local(child.tag) == "System":
            for f in child:
                if local(f.tag) == "EventRecordID":
                    return int(f.text)
    return None


def read_python_evtx(path, checker):
    """Records as (EventRecordID, header record id, written FILETIME, parsed XML, raw TimeCreated,
    raw FILETIME values of the data parts)."""
    out = []
    with evtx_py.Evtx(path) as log:
        for record in log.records():
            try:
                xml = record.xml()
                root = ET.fromstring(xml)
                subs = record.root().substitutions()
                raw_time = subs[6].unpack_qword(0) if len(subs) > 6 and type(subs[6]).__name__ == "FiletimeTypeNode" else None
                raw_leaves = []
                for sub in subs[17:]:
                    if type(sub).__name__ == "BXmlTypeNode":
                        raw_leaves.append([s.unpack_qword(0) if type(s).__name__ == "FiletimeTypeNode" else None
                                           for s in sub.root().substitutions()])
            except Exception as exc:  # a record python-evtx cannot render is a finding
                checker.fail("python-evtx: record %d: cannot render: %s: %s" % (record.record_num(), type(exc).__name__, exc))
                continue
            out.append((xml_record_id(root), record.record_num(), record.unpack_qword(0x10), root, raw_time, raw_leaves))
    return out


def read_libevtx(path, checker):
    out = []
    f = pyevtx.file()
    f.open(path)
    try:
        for i in range(f.number_of_records):
            try:
                record = f.get_record(i)
                root = ET.fromstring(record.xml_string)
            except Exception as exc:
                checker.fail("libevtx: record index %d: cannot read: %s" % (i, exc))
                continue
            out.append((xml_record_id(root), record.identifier, record.get_written_time_as_integer(), root, None, None))
        recovered = []
        for i in range(f.number_of_recovered_records):
            try:
                record = f.get_recovered_record(i)
                root = ET.fromstring(record.xml_string)
            except Exception:
                continue  # recovery is best effort; the damage checks say which must come back
            recovered.append((xml_record_id(root), record.identifier, record.get_written_time_as_integer(), root, None, None))
        corrupted = f.is_corrupted()
    finally:
        f.close()
    return out, corrupted, recovered


def compare_records(checker, events, parser, records, skip_ids=(), first_id=None):
    by_id = {}
    for rec in records:
        by_id.setdefault(rec[0], rec)
    if first_id is None:
        first_text = find_system(events[0], "EventRecordID") if events else None
        first_id = int(first_text) if first_text else 1
    for n, event in enumerate(events, 1):
        rid_text = find_system(event, "EventRecordID")
        rid = int(rid_text) if rid_text else None
        # the forge numbers record headers consecutively from the first EventRecordID
        want_header = first_id + n - 1
        if rid in skip_ids:
            continue
        rec = by_id.get(rid)
        where = "record %d (EventRecordID %s) %s" % (n, rid, parser)
        if rec is None:
            checker.fail("%s: missing" % where)
            continue
        _, header_id, written, root, raw_time, raw_leaves = rec
        if header_id != want_header:
            checker.fail("%s: record header number %d, want %d" % (where, header_id, want_header))
        time_text = find_system(event, "TimeCreated", "SystemTime")
        if time_text:
            want = filetime_from_text(time_text)
            if written != want:
                checker.fail("%s: record written time %d, TimeCreated is %d" % (where, written, want))
            if raw_time is not None and raw_time != want:
                checker.fail("%s: TimeCreated FILETIME %d, source %d" % (where, raw_time, want))
        # Event: attributes, then System (typed kinds), then the data parts.
        if root.tag != event.tag:
            checker.fail("%s: root %s, source %s" % (where, root.tag, event.tag))
            continue
        src_parts, got_parts = list(event), list(root)
        if [c.tag for c in src_parts] != [c.tag for c in got_parts]:
            checker.fail("%s: Event children %s, source %s" % (where, [local(c.tag) for c in got_parts], [local(c.tag) for c in src_parts]))
            continue
        for s, g in zip(src_parts, got_parts):
            system = local(s.tag) == "System"
            checker.compare_element("%s %s" % (where, local(s.tag)), s, g, parser, system)
        # python-evtx: FILETIME values forced in the data part, exact to 100 ns from the raw value.
        if raw_leaves is not None:
            parts = [p for p in src_parts if local(p.tag) != "System"]
            for part, subs in zip(parts, raw_leaves):
                for i, leaf in enumerate(leaves(part)):
                    if leaf.get(FORGE_TYPE) == "FILETIME" and i < len(subs):
                        raw = subs[i]
                        if raw != filetime_from_text(leaf.text):
                            checker.fail("%s: %s FILETIME %d, source %s" % (where, local(leaf.tag), raw, leaf.text))


def chunk_count(path):
    with open(path, "rb") as f:
        head = f.read(HEADER_BLOCK)
    return struct.unpack_from("<H", head, 42)[0]


def chunk_records(path):
    """Per chunk: (first record number, last record number, record numbers met walking the
    records, None at a hole), read straight from the file for the damage checks."""
    data = open(path, "rb").read()
    chunks = []
    off = HEADER_BLOCK
    while off + 512 <= len(data):
        chunk = data[off:off + CHUNK_SIZE]
        first, last = struct.unpack_from("<QQ", chunk, 8)
        ids = []
        free = struct.unpack_from("<I", chunk, 48)[0]
        pos = 512
        while pos + 24 <= min(free, len(chunk)):
            if chunk[pos:pos + 4] != b"**\0\0":
                ids.append(None)  # a hole: no size to step over, so the walk ends here
                break
            size = struct.unpack_from("<I", chunk, pos + 4)[0]
            ids.append(struct.unpack_from("<Q", chunk, pos + 8)[0])
            pos += size
        chunks.append((first, last, ids))
        off += CHUNK_SIZE
    return chunks


def generate(path, count):
    """COUNT events in four shapes (Security EventData, TaskScheduler EventData with Name,
    UserData with nested elements, classic System event with unnamed Data) with Japanese text and
    backslash paths: enough for several chunks."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<Events>"]
    base = datetime.datetime(2024, 4, 22, 14, 0, 0)
    for i in range(count):
        t = base + datetime.timedelta(seconds=i * 3, microseconds=i * 17)
        ticks = "%s.%06d%d" % (t.strftime("%Y-%m-%dT%H:%M:%S"), t.microsecond, i % 10)
        system = (
            '<System><Provider Name="{prov}" Guid="{{{guid}}}"/><EventID>{eid}</EventID><Version>{ver}</Version>'
            "<Level>4</Level><Task>{task}</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>"
            '<TimeCreated SystemTime="{ticks}Z"/><EventRecordID>{rid}</EventRecordID>'
            '<Correlation ActivityID="{{7C7A5A6E-0D3F-4B4F-9C1A-{i:012X}}}"/>'
            '<Execution ProcessID="{pid}" ThreadID="{tid}"/><Channel>{chan}</Channel>'
            "<Computer>PC-K01</Computer><Security UserID=\"S-1-5-21-3461203602-4096304019-2269080069-{rid4}\"/></System>")
        shape = i % 4
        args = dict(i=i, ticks=ticks, rid=1000 + i, rid4=1000 + i % 50, pid=600 + i % 7, tid=4000 + i, ver=i % 3)
        if shape == 0:
            sysxml = system.format(prov="Microsoft-Windows-Security-Auditing", guid="54849625-5478-4994-A5BA-3E3B0328C30D",
                                   eid=4688, task=13312, chan="Security", **args)
            data = ('<EventData><Data Name="SubjectUserSid">S-1-5-18</Data><Data Name="NewProcessId">0x{i:016x}</Data>'
                    '<Data Name="NewProcessName">C:\\Users\\ユーザー{i}\\AppData\\Local\\Temp\\テスト_{i}.exe</Data>'
                    '<Data Name="CommandLine">"C:\\Windows\\System32\\WindowsSandbox.exe" "C:\\Users\\u\\s{i}.wsb"</Data>'
                    '<Data Name="TokenElevationType">%%1938</Data><Data Name="ProcessId">0x1a6c</Data></EventData>').format(i=i)
        elif shape == 1:
            sysxml = system.format(prov="Microsoft-Windows-TaskScheduler", guid="DE7B24EA-73C8-4A09-985D-5BDADCFA9017",
                                   eid=129, task=129, chan="Microsoft-Windows-TaskScheduler/Operational", **args)
            data = ('<EventData Name="CreatedTaskProcess"><Data Name="TaskName">\\サンドボックス\\Task{i}</Data>'
                    '<Data Name="Path">C:\\Windows\\System32\\WindowsSandbox.exe</Data>'
                    '<Data Name="ProcessID">{pid}</Data><Data Name="Priority">16384</Data></EventData>').format(i=i, pid=6000 + i)
        elif shape == 2:
            sysxml = system.format(prov="Microsoft-Windows-Hyper-V-Worker", guid="51DDFA29-D5C8-4803-BE4B-2ECB715570FE",
                                   eid=18500, task=0, chan="Microsoft-Windows-Hyper-V-Worker-Admin", **args)
            data = ('<UserData><VmlEventLog xmlns="http://www.microsoft.com/Windows/Virtualization/Events">'
                    '<VmName>bb489898-bd61-4fc7-a343-f90df8fb{i:04x}</VmName><VmId>BB489898-BD61-4FC7-A343-F90DF8FB{i:04X}</VmId>'
                    '<Detail><Share>C:\\Users</Share><Flags>0x01001020</Flags><Empty></Empty></Detail></VmlEventLog></UserData>').format(i=i)
        else:
            sysxml = system.format(prov="Service Control Manager", guid="555908D1-A6D7-4695-8E1E-26931D2012F4",
                                   eid=7036, task=0, chan="System", **args)
            sysxml = sysxml.replace("<EventID>7036", '<EventID Qualifiers="16384">7036').replace(
                'Guid="{555908D1-A6D7-4695-8E1E-26931D2012F4}"',
                'Guid="{555908D1-A6D7-4695-8E1E-26931D2012F4}" EventSourceName="Service Control Manager"')
            data = ('<EventData><Data>Hyper-V ホスト コンピューティング サービス</Data><Data>running</Data>'
                    '<Binary>76006D0063006F006D0070007500740065002F0034000000</Binary></EventData>')
        lines.append('<Event xmlns="%s">%s%s</Event>' % (EVENT_NS, sysxml, data))
    lines.append("</Events>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def evtxinfo(path):
    res = subprocess.run(["evtxinfo", path], capture_output=True, text=True)
    return res.stdout + res.stderr


def check_damage(checker, kinds, path, events, py_records, lib_records, lib_corrupted, lib_recovered):
    """Asserts that each damage in KINDS is seen by the parsers, and returns the EventRecordIDs
    that the damage legitimately removes (the caller compares every other record in full)."""
    ids = [int(find_system(e, "EventRecordID")) for e in events]
    chunks = chunk_records(path)
    info = evtxinfo(path)
    py_ids = set(r[0] for r in py_records)
    lib_ids = set(r[0] for r in lib_records)
    lost = set()
    # source events per chunk, in order (the forge numbers headers consecutively)
    per_chunk, pos = [], 0
    for first, last, _ in chunks:
        n = int(last - first + 1)
        per_chunk.append(ids[pos:pos + n])
        pos += n
    if "dirty" in kinds:
        with evtx_py.Evtx(path) as log:
            if not log.get_file_header().is_dirty():
                checker.fail("dirty: python-evtx does not see the dirty flag")
        if "Is dirty" not in info:
            checker.fail("dirty: evtxinfo does not say 'Is dirty'")
    if "crc" in kinds:
        with evtx_py.Evtx(path) as log:
            first = next(log.chunks())
            if first.calculate_data_checksum() == first.data_checksum():
                checker.fail("crc: python-evtx computes the same data checksum as stored")
        if not lib_corrupted or "Is corrupted" not in info:
            checker.fail("crc: libevtx does not report the file corrupted")
    if "zero-record" in kinds:
        walked = chunks[0][2]
        if None not in walked:
            checker.fail("zero-record: no zeroed record found in chunk 0")
        else:
            hole = walked.index(None)
            zeroed = per_chunk[0][hole]
            after = per_chunk[0][hole + 1:]
            if zeroed in py_ids or zeroed in lib_ids:
                checker.fail("zero-record: the zeroed record %d is still read" % zeroed)
            for rid in per_chunk[0][:hole]:
                if rid not in py_ids or rid not in lib_ids:
                    checker.fail("zero-record: record %d before the hole is lost" % rid)
            # a sequential reader cannot step over a record with no size: python-evtx stops the
            # chunk there, libevtx too but finds the rest again by scanning (recovered records)
            recovered = set(r[0] for r in lib_recovered)
            for rid in after:
                if rid in py_ids:
                    checker.fail("zero-record: python-evtx reads record %d past the hole" % rid)
                if rid not in recovered:
                    checker.fail("zero-record: libevtx does not recover record %d past the hole" % rid)
            compare_records(checker, [e for e in events if int(find_system(e, "EventRecordID")) in after],
                            "libevtx (recovered)", lib_recovered, first_id=ids[0] + hole + 1)
            lost |= {zeroed} | set(after)
    if "truncate" in kinds:
        size = os.path.getsize(path)
        if (size - HEADER_BLOCK) % CHUNK_SIZE == 0:
            checker.fail("truncate: the file still ends on a chunk boundary")
        if ids[-1] in py_ids or ids[-1] in lib_ids:
            checker.fail("truncate: the cut record %d is still read" % ids[-1])
        if "Is corrupted" not in info:
            checker.fail("truncate: evtxinfo does not say 'Is corrupted'")
        # both parsers drop the whole cut chunk; every full chunk must read completely
        for chunk_ids in per_chunk[:-1]:
            for rid in chunk_ids:
                if rid not in py_ids or rid not in lib_ids:
                    checker.fail("truncate: record %d of an intact chunk is lost" % rid)
        lost |= set(per_chunk[-1])
    return lost


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source")
    ap.add_argument("evtx")
    ap.add_argument("--stforge")
    ap.add_argument("--damage", default="")
    ap.add_argument("--generate", type=int)
    ap.add_argument("--min-chunks", type=int, default=0)
    ap.add_argument("--expect-error")
    args = ap.parse_args()
    kinds = set(k for k in args.damage.split(",") if k)

    if args.generate:
        generate(args.source, args.generate)
    if args.stforge:
        cmd = [args.stforge, "evtx"] + (["--damage=" + args.damage] if kinds else []) + [args.source, args.evtx]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if args.expect_error is not None:
            if res.returncode != 1:
                print("FAIL: stforge exited %d on %s (want 1, a clean error): %s" % (res.returncode, args.source, res.stderr.strip()))
                return 1
            if args.expect_error not in res.stderr:
                print("FAIL: stforge message %r lacks %r" % (res.stderr.strip(), args.expect_error))
                return 1
            print("ok: stforge refused %s: %s" % (os.path.basename(args.source), res.stderr.strip()))
            return 0
        if res.returncode != 0:
            print("FAIL: stforge exited %d: %s" % (res.returncode, res.stderr.strip()))
            return 1

    checker = Checker()
    events = source_events(args.source)
    py_records = read_python_evtx(args.evtx, checker)
    lib_records, lib_corrupted, lib_recovered = read_libevtx(args.evtx, checker)
    chunks = chunk_count(args.evtx)
    if chunks < args.min_chunks:
        checker.fail("file has %d chunks, want at least %d" % (chunks, args.min_chunks))

    skip = set()
    if kinds:
        skip = check_damage(checker, kinds, args.evtx, events, py_records, lib_records, lib_corrupted, lib_recovered)
    else:
        for parser, records in (("python-evtx", py_records), ("libevtx", lib_records)):
            if len(records) != len(events):
                checker.fail("%s reads %d records, source has %d events" % (parser, len(records), len(events)))
        if lib_corrupted:
            checker.fail("libevtx reports the undamaged file corrupted")
    compare_records(checker, events, "python-evtx", py_records, skip)
    compare_records(checker, events, "libevtx", lib_records, skip)

    if checker.errors:
        for e in checker.errors[:200]:
            print("FAIL: " + e)
        if len(checker.errors) > 200:
            print("FAIL: ... %d more" % (len(checker.errors) - 200))
        return 1
    print("ok: %d events, %d chunks, python-evtx %d records, libevtx %d records%s" % (
        len(events), chunks, len(py_records), len(lib_records),
        (", damage %s seen" % ",".join(sorted(kinds))) if kinds else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
