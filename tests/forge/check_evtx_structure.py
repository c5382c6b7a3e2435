#!/usr/bin/python3
"""check_evtx_structure.py - compares the layout of a forged .evtx with real Windows logs.

    check_evtx_structure.py [--stforge PATH] SOURCE.xml FORGED.evtx CORPUS_EVTX_DIR

Reads the undamaged real logs under CORPUS_EVTX_DIR (every *.evtx outside damaged/) and the forged
file with the same small reader, and compares structural features: file header (size 128,
version 3.x, block 4096, chunk count, CRC), chunk header (size 128, flags, reserved bytes, both
CRCs, free space and last record offsets), records (first at 512, 8-byte aligned, size copy),
string table (hash, bucket, chains newest first), template table (every template reachable,
template id = GUID's first four bytes), how TemplateInstance is written (definition inline at
first use in the chunk, referenced by offset later), and the System template (substitution index
and type per field, Event's dependency on the BinXml value, EventData as a nested BinXml
fragment). Exit 0 when the forged file has every feature all real files share, 1 otherwise,
77 (CTest skip) when the corpus is absent.
"""
import glob
import os
import struct
import subprocess
import sys
import zlib

SKIP = 77
HEADER_BLOCK = 4096
CHUNK = 65536


def name_hash(text):
    h = 0
    for unit in struct.unpack("<%dH" % (len(text.encode("utf-16-le")) // 2), text.encode("utf-16-le")):
        h = (h * 65599 + unit) & 0xFFFFFFFF
    return h & 0xFFFF


class Template:
    """System-template facts: (element, attribute) -> (token, index, type), Event dependency."""

    def __init__(self):
        self.fields = {}
        self.event_dependency = None
        self.binxml_subs = []


def walk_template(chunk, pos, end, tpl):
    """Reads BinXML tokens of a template body from POS to END, recording substitutions."""
    stack = []
    attr = None
    while pos < end:
        token = chunk[pos]
        base = token & 0xBF
        if base == 0x00:
            return
        if base == 0x0F:
            pos += 4
        elif base == 0x01:
            dep = struct.unpack_from("<H", chunk, pos + 1)[0]
            name_off = struct.unpack_from("<I", chunk, pos + 7)[0]
            n = struct.unpack_from("<H", chunk, name_off + 6)[0]
            name = chunk[name_off + 8:name_off + 8 + 2 * n].decode("utf-16-le")
            pos += 11
            if name_off == pos:
                pos += 8 + 2 * n + 2
            if token & 0x40:
                pos += 4
            if name == "Event" and not stack:
                tpl.event_dependency = dep
            stack.append(name)
            attr = None
        elif base == 0x02:
            pos += 1
            attr = None
        elif base == 0x03 or base == 0x04:
            pos += 1
            if stack:
                stack.pop()
            attr = None
        elif base == 0x06:
            name_off = struct.unpack_from("<I", chunk, pos + 1)[0]
            n = struct.unpack_from("<H", chunk, name_off + 6)[0]
            attr = chunk[name_off + 8:name_off + 8 + 2 * n].decode("utf-16-le")
            pos += 5
            if name_off == pos:
                pos += 8 + 2 * n + 2
        elif base == 0x05:
            n = struct.unpack_from("<H", chunk, pos + 2)[0]
            pos += 4 + 2 * n
        elif base in (0x0D, 0x0E):
            index, vtype = struct.unpack_from("<HB", chunk, pos + 1)
            element = stack[-1] if stack else None
            if vtype == 0x21:
                tpl.binxml_subs.append((token, index, element))
            elif len(stack) >= 2 and stack[1] == "System":
                tpl.fields[(element, attr)] = (token, index, vtype)
            pos += 4
        else:
            raise ValueError("token 0x%02x at 0x%x" % (token, pos))


def read_file(path):
    """Facts of one .evtx as a dict of feature -> value (sets where a file has many)."""
    data = open(path, "rb").read()
    f = {}
    f["file magic"] = data[:8]
    f["file header size"] = struct.unpack_from("<I", data, 32)[0]
    f["major version"] = struct.unpack_from("<H", data, 38)[0]
    f["header block size"] = struct.unpack_from("<H", data, 40)[0]
    f["file header crc ok"] = struct.unpack_from("<I", data, 124)[0] == zlib.crc32(data[:120])
    f["file header reserved zero"] = not any(data[44:120]) and not any(data[128:HEADER_BLOCK])
    chunks = struct.unpack_from("<H", data, 42)[0]
    f["size = header + chunks"] = (len(data) - HEADER_BLOCK) % CHUNK == 0 and (len(data) - HEADER_BLOCK) // CHUNK >= chunks
    facts = {k: set() for k in (
        "chunk magic", "chunk header size", "chunk flags", "chunk reserved zero", "chunk header crc ok",
        "chunk data crc ok", "first record offset", "record alignment", "record size copy",
        "string hash ok", "string bucket = hash % 64", "string chains newest first",
        "template id = guid[0:4]", "template in table", "definition inline at first use",
        "later uses reference by offset", "fragment header then TemplateInstance",
        "record ends with EOF", "Event depends on BinXml index", "data part is nested BinXml at index",
        "BinXml substitution token")}
    system_fields = {}
    for ci in range(chunks):
        c = data[HEADER_BLOCK + ci * CHUNK:HEADER_BLOCK + (ci + 1) * CHUNK]
        if len(c) < CHUNK or c[:8] != b"ElfChnk\0":
            continue
        facts["chunk magic"].add(c[:8])
        facts["chunk header size"].add(struct.unpack_from("<I", c, 40)[0])
        facts["chunk flags"].add(struct.unpack_from("<I", c, 120)[0])
        facts["chunk reserved zero"].add(not any(c[56:120]))
        crc = zlib.crc32(c[128:512], zlib.crc32(c[:120]))
        facts["chunk header crc ok"].add(crc == struct.unpack_from("<I", c, 124)[0])
        free = struct.unpack_from("<I", c, 48)[0]
        facts["chunk data crc ok"].add(zlib.crc32(c[512:free]) == struct.unpack_from("<I", c, 52)[0])
        # string table
        for b in range(64):
            off = struct.unpack_from("<I", c, 128 + 4 * b)[0]
            prev = None
            while off:
                nxt, h, n = struct.unpack_from("<IHH", c, off)
                text = c[off + 8:off + 8 + 2 * n].decode("utf-16-le")
                facts["string hash ok"].add(h == name_hash(text))
                facts["string bucket = hash % 64"].add(h % 64 == b)
                if prev is not None:
                    facts["string chains newest first"].add(off < prev)
                prev, off = off, nxt
        table = set()
        for b in range(32):
            off = struct.unpack_from("<I", c, 384 + 4 * b)[0]
            while off and off not in table:
                table.add(off)
                facts["template id = guid[0:4]"].add(True)
                off = struct.unpack_from("<I", c, off)[0]
        seen = set()
        pos = 512
        facts["first record offset"].add(pos if c[512:516] == b"**\0\0" else None)
        while pos + 24 <= free and c[pos:pos + 4] == b"**\0\0":
            size = struct.unpack_from("<I", c, pos + 4)[0]
            facts["record alignment"].add(size % 8)
            facts["record size copy"].add(struct.unpack_from("<I", c, pos + size - 4)[0] == size)
            body = pos + 24
            facts["fragment header then TemplateInstance"].add(c[body:body + 6] == b"\x0f\x01\x01\x00\x0c\x01")
            tid, toff = struct.unpack_from("<II", c, body + 6)
            facts["template in table"].add(toff in table)
            facts["template id = guid[0:4]"].add(struct.unpack_from("<I", c, toff + 4)[0] == tid)
            if toff not in seen:
                facts["definition inline at first use"].add(toff == body + 14)
                seen.add(toff)
            else:
                facts["later uses reference by offset"].add(toff < body)
            tpl = Template()
            tsize = struct.unpack_from("<I", c, toff + 20)[0]
            try:
                walk_template(c, toff + 24, toff + 24 + tsize, tpl)
            except (ValueError, struct.error, UnicodeDecodeError):
                pos += size
                continue
            if tpl.binxml_subs:
                facts["Event depends on BinXml index"].add(tpl.event_dependency == tpl.binxml_subs[0][1])
                facts["data part is nested BinXml at index"].add(tpl.binxml_subs[0][1])
                facts["BinXml substitution token"].add(tpl.binxml_subs[0][0])
            for key, value in tpl.fields.items():
                system_fields.setdefault(key, set()).add(value)
            # the record's last byte before padding is EOF: check the byte before the size copy
            # region is reached only after an EOF (0x00) somewhere in the tail
            facts["record ends with EOF"].add(0 in c[pos + size - 12:pos + size - 4])
            pos += size
    f.update(facts)
    f["system fields"] = system_fields
    return f


def main():
    args = sys.argv[1:]
    stforge = None
    if args[:1] == ["--stforge"]:
        stforge, args = args[1], args[2:]
    if len(args) != 3:
        print(__doc__)
        return 2
    source, forged, corpus = args
    reals = sorted(p for p in glob.glob(os.path.join(corpus, "**", "*.evtx"), recursive=True)
                   if os.sep + "damaged" + os.sep not in p)
    if not os.path.isdir(corpus) or not reals:
        print("SKIP: no real .evtx corpus at %s" % corpus)
        return SKIP
    if stforge:
        res = subprocess.run([stforge, "evtx", source, forged], capture_output=True, text=True)
        if res.returncode != 0:
            print("FAIL: stforge: %s" % res.stderr.strip())
            return 1
    real = [read_file(p) for p in reals]
    mine = read_file(forged)
    errors = []
    for key in mine:
        if key == "system fields":
            continue
        values = [r[key] for r in real]
        flat = set()
        for v in values:
            flat |= v if isinstance(v, set) else {v}
        got = mine[key] if isinstance(mine[key], set) else {mine[key]}
        if key == "major version":
            ok = got == {3}
        elif not got and key in ("later uses reference by offset", "string chains newest first"):
            ok = True  # the forged sample may simply have no second use / no bucket collision
        else:
            ok = got <= flat and bool(got)
        print("%-40s real %-28s forged %-16s %s" % (key, sorted(flat, key=str)[:4], sorted(got, key=str), "ok" if ok else "DIFFERS"))
        if not ok:
            errors.append(key)
    # System template: every field the forged file substitutes must use Windows' index, type and
    # token (the real files agree among themselves; see evtx_writer.c SYSTEM_FIELDS).
    real_fields = {}
    for r in real:
        for k, v in r["system fields"].items():
            real_fields.setdefault(k, set()).update(v)
    for key, got in sorted(mine["system fields"].items(), key=str):
        want = real_fields.get(key, set())
        ok = got <= want
        print("System %-33s real %-28s forged %-16s %s" % ("%s@%s" % key, sorted(want), sorted(got), "ok" if ok else "DIFFERS"))
        if not ok:
            errors.append("System %s@%s" % key)
    if errors:
        print("FAIL: forged file differs from real Windows logs in: %s" % ", ".join(errors))
        return 1
    print("ok: %s is laid out like the %d real logs" % (os.path.basename(forged), len(reals)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
