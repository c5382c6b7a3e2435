#!/usr/bin/python3
"""check_hive.py - proves that hives written by `stforge hive` say exactly what their .reg says.

The .reg is parsed here, independently of the C reader (a second implementation of the same
grammar: UTF-8 or UTF-16LE with BOM, CRLF/LF, continuation lines, "\\" and '\\"' escapes,
@ default values, dword:, hex:, hex(N):, ;@lastwrite). The hive is read by two libraries we did not
write: libregf (pyregf) and Parse::Win32Registry (check_hive.pl). Every key path, LastWrite
(100 ns), subkey order, value name, type and data byte must match; any difference is printed with
the key path and the parser that saw it, and the exit status is 1.

Sub-commands (all used by tests/forge/hive_tests.cmake):
  roundtrip     forge REG with stforge, read it back with both libraries, compare
  deterministic forge REG twice, the bytes must be identical
  reject        stforge must fail on REG, naming the line given by its '; expect:' comment
  generate      write a generated .reg (many-subkeys, big-values) or convert one to UTF-16LE
  selftest      damage a forged hive (a data byte, an lh hash) and prove the checks notice
  dirty         forge REG with transaction logs (--log, in order): the primary holds REG only and
                says dirty; `sandtrace hive recover` with every log gives REG + all logs, with the
                first log only REG + that log, with the second only (a gap) nothing replayed
"""
import argparse
import json
import os
import re
import subprocess
import sys

# stforge's default LastWrite (forge_main.c CASE_FILETIME): 2025-01-10T00:00:00Z.
DEFAULT_FILETIME = 1736467200 * 10_000_000 + 116444736000000000
EPOCH_AS_FILETIME = 116444736000000000
HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


# ---- the .reg, read independently -------------------------------------------------------

def windows_upcase_units(name):
    """UTF-16 units of NAME upper-cased one by one, the order Windows keeps subkeys in."""
    units = []
    raw = name.encode('utf-16-le')
    for i in range(0, len(raw), 2):
        unit = raw[i] | raw[i + 1] << 8
        if unit < 0xD800 or unit > 0xDFFF:
            up = chr(unit).upper()
            if len(up) == 1 and ord(up) < 0x10000:
                unit = ord(up)
        units.append(unit)
    return units


class RegKey:
    def __init__(self, name, filetime):
        self.name = name
        self.filetime = filetime
        self.subkeys = {}  # upper-cased name -> RegKey
        self.values = {}   # upper-cased name -> (name, type, bytes), insertion order kept

    def child(self, name, filetime):
        ident = tuple(windows_upcase_units(name))
        if ident not in self.subkeys:
            self.subkeys[ident] = RegKey(name, filetime)
        return self.subkeys[ident]

    def sorted_subkeys(self):
        return [self.subkeys[k] for k in sorted(self.subkeys)]


def reg_text(path):
    raw = open(path, 'rb').read()
    if raw.startswith(b'\xff\xfe'):
        return raw[2:].decode('utf-16-le')
    if raw.startswith(b'\xef\xbb\xbf'):
        raw = raw[3:]
    return raw.decode('utf-8')


LASTWRITE = re.compile(r';@lastwrite\s+(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?Z\s*$')


def lastwrite_to_filetime(match):
    import calendar
    y, mo, d, h, mi, s = (int(match.group(i)) for i in range(1, 7))
    fraction = int((match.group(7) or '0').ljust(7, '0'))
    # calendar.timegm handles dates before 1970 (negative seconds) as well.
    seconds = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
    return seconds * 10_000_000 + EPOCH_AS_FILETIME + fraction


def unquote(text):
    """'"...."rest' -> (string, rest) with regedit's escapes undone."""
    assert text[0] == '"'
    out, i = [], 1
    while text[i] != '"':
        if text[i] == '\\':
            i += 1
        out.append(text[i])
        i += 1
    return ''.join(out), text[i + 1:]


def parse_data(data):
    data = data.strip()
    if data.startswith('"'):
        text, rest = unquote(data)
        assert rest.strip() == '', data
        return 1, (text + '\0').encode('utf-16-le')
    if data.startswith('dword:'):
        return 4, int(data[6:], 16).to_bytes(4, 'little')
    m = re.match(r'hex(?:\(([0-9a-fA-F]+)\))?:(.*)$', data)
    if not m:
        raise Failure('checker cannot read value data %r' % data)
    kind = int(m.group(1), 16) if m.group(1) is not None else 3
    body = m.group(2).replace(' ', '').replace('\t', '')
    return kind, bytes(int(b, 16) for b in body.split(',')) if body else b''


def parse_reg(path, default_filetime, root=None):
    """Returns the root RegKey (named after the hive, e.g. SOFTWARE) of the .reg at PATH; with
    ROOT, the keys and values of PATH are added to it (a later file wins, as in stforge)."""
    lines = reg_text(path).replace('\r\n', '\n').split('\n')
    logical, buf = [], ''
    for line in lines:
        piece = line.rstrip(' \t')
        if buf:
            piece = piece.lstrip(' \t')
        # Only data lines continue: a comment or a [key] line ending in '\' is complete.
        if piece.endswith('\\') and (buf or not piece.lstrip().startswith((';', '['))):
            buf += piece[:-1]
            continue
        logical.append(buf + piece)
        buf = ''
    if buf:
        logical.append(buf)
    current, pending = None, None
    assert logical[0].strip() == 'Windows Registry Editor Version 5.00', logical[0]
    for line in logical[1:]:
        line = line.strip()
        m = LASTWRITE.match(line)
        if m:
            pending = lastwrite_to_filetime(m)
            continue
        if not line or line.startswith(';'):
            continue
        if line.startswith('['):
            parts = line[1:-1].split('\\')
            assert parts[0].upper() in ('HKEY_LOCAL_MACHINE', 'HKLM'), line
            if root is None:
                root = RegKey(parts[1], default_filetime)
            current = root
            for part in parts[2:]:
                current = current.child(part, default_filetime)
            if pending is not None:
                current.filetime = pending
                pending = None
            continue
        if line.startswith('@'):
            name, rest = '', line[1:]
        else:
            name, rest = unquote(line)
        assert rest.lstrip().startswith('='), line
        kind, data = parse_data(rest.lstrip()[1:])
        current.values[tuple(windows_upcase_units(name))] = (name, kind, data)
    return root


def expected_records(root):
    """{path tuple: record} in the shape both dumps below produce."""
    out = {}

    def walk(key, path):
        record = {
            'filetime': key.filetime,
            'subkeys': [k.name for k in key.sorted_subkeys()],
            'values': [(n, t, d.hex()) for n, t, d in key.values.values()],
        }
        out[path] = record
        for sub in key.sorted_subkeys():
            walk(sub, path + (sub.name,))
    walk(root, ())
    return out


# ---- the hive, read by libregf and by Parse::Win32Registry ------------------------------

def read_with_libregf(hive):
    import pyregf
    regf = pyregf.file()
    regf.open(hive)
    out = {}
    root = regf.get_root_key()
    if root is None:
        raise Failure('libregf: no root key in %s' % hive)
    root_name = root.get_name()

    def walk(key, path):
        subkeys = [key.get_sub_key(i) for i in range(key.get_number_of_sub_keys())]
        values = []
        for i in range(key.get_number_of_values()):
            value = key.get_value(i)
            data = value.get_data() or b''
            values.append((value.get_name() or '', value.get_type(), data.hex()))
            # A lookup by name goes through libregf's own name comparison.
            again = key.get_value_by_name(value.get_name() or '')
            if again is None or again.get_offset() != value.get_offset():
                raise Failure('libregf: value %r of \\%s not found by name'
                              % (value.get_name(), '\\'.join(path)))
        for sub in subkeys:
            # Lookup by name uses the lh hash: a wrong hash hides the key.
            found = key.get_sub_key_by_name(sub.get_name())
            if found is None or found.get_offset() != sub.get_offset():
                raise Failure('libregf: subkey %r of \\%s not found by name (lh hash?)'
                              % (sub.get_name(), '\\'.join(path)))
        out[path] = {
            'filetime': key.get_last_written_time_as_integer(),
            'subkeys': [s.get_name() for s in subkeys],
            'values': values,
        }
        for sub in subkeys:
            walk(sub, path + (sub.get_name(),))
    walk(root, ())
    regf.close()
    return root_name, out


def read_with_perl(hive):
    script = os.path.join(HERE, 'check_hive.pl')
    proc = subprocess.run(['perl', script, hive], capture_output=True)
    if proc.returncode != 0:
        raise Failure('Parse::Win32Registry: %s' % proc.stderr.decode(errors='replace').strip())
    warnings = proc.stderr.decode(errors='replace').strip()
    if warnings:
        raise Failure('Parse::Win32Registry warns: %s' % warnings)
    out, root_name = {}, None
    for line in proc.stdout.decode('utf-8').splitlines():
        rec = json.loads(line)
        path = tuple(rec['path'])
        if not path:
            root_name = rec['root']
        # The library computes seconds in floating point (unpack_windows_time: high * 2**32 + low,
        # minus the 1970 offset, / 1e7, int), which can round .9999999 up to the next second;
        # the same double arithmetic here. It gives up (undef) before 1970 and after 2038-01-19.
        high, low = divmod(rec['filetime'], 1 << 32)
        expect_seconds = int((float(high * 2 ** 32) + float(low) - float(EPOCH_AS_FILETIME)) / 1e7)
        if not 0 <= expect_seconds <= 0x7FFFFFFF:
            expect_seconds = None
        if rec['seconds'] != expect_seconds:
            raise Failure('Parse::Win32Registry: \\%s LastWrite %s s, raw FILETIME says %s s'
                          % ('\\'.join(path), rec['seconds'], expect_seconds))
        out[path] = {
            'filetime': rec['filetime'],
            'subkeys': rec['subkeys'],
            'values': [(v['name'], v['type'], v['data'] or '') for v in rec['values']],
        }
    return root_name, out


def ucs2_view(name):
    """NAME as Parse::Win32Registry shows it: it decodes names as UCS-2, so each character
    beyond U+FFFF (a surrogate pair in the hive) reads as two U+FFFD."""
    return ''.join('\ufffd\ufffd' if ord(c) > 0xFFFF else c for c in name)


def ucs2_records(records):
    view = {}
    for path, rec in records.items():
        view[tuple(ucs2_view(p) for p in path)] = {
            'filetime': rec['filetime'],
            'subkeys': [ucs2_view(n) for n in rec['subkeys']],
            'values': [(ucs2_view(n), t, d) for n, t, d in rec['values']],
        }
    return view


def libregf_records(records):
    """RECORDS as libregf 20201007 shows them. For data of 1 to 3 bytes kept inside the vk (size
    top bit set), libregf copies the *last* N bytes of the 4-byte field, while Windows stores the
    data in the first N (a 1-byte 0xFF is 'ff000000' in the corpus' Windows 10 SYSTEM hive, and
    Parse::Win32Registry reads the first N). So libregf sees zero padding there; for REG_SZ and
    REG_EXPAND_SZ of odd size it also adds a byte. This view applies exactly that quirk."""
    view = {}
    for path, rec in records.items():
        values = []
        for name, kind, data in rec['values']:
            raw = bytes.fromhex(data)
            if 0 < len(raw) < 4:
                size = len(raw) + (1 if kind in (1, 2) and len(raw) % 2 else 0)
                field = raw + bytes(4 - len(raw))
                data = field[4 - size:].hex()
                if size != len(raw):
                    data = data[:-2] + '00'
            values.append((name, kind, data))
        view[path] = dict(rec, values=values)
    return view


def compare(parser, root_name, got, want, want_root):
    problems = []
    if root_name != want_root:
        problems.append('%s: root key is named %r, want %r' % (parser, root_name, want_root))
    for path in sorted(set(want) - set(got)):
        problems.append('%s: key \\%s missing' % (parser, '\\'.join(path)))
    for path in sorted(set(got) - set(want)):
        problems.append('%s: unexpected key \\%s' % (parser, '\\'.join(path)))
    for path in sorted(set(got) & set(want)):
        g, w, where = got[path], want[path], '\\' + '\\'.join(path)
        if g['filetime'] != w['filetime']:
            problems.append('%s: %s LastWrite %d, want %d' % (parser, where, g['filetime'], w['filetime']))
        if g['subkeys'] != w['subkeys']:
            problems.append('%s: %s subkeys in order %s, want %s'
                            % (parser, where, g['subkeys'][:8], w['subkeys'][:8]))
        if len(g['values']) != len(w['values']):
            problems.append('%s: %s has %d values, want %d'
                            % (parser, where, len(g['values']), len(w['values'])))
        for gv, wv in zip(g['values'], w['values']):
            if tuple(gv) != tuple(wv):
                what = 'name' if gv[0] != wv[0] else 'type' if gv[1] != wv[1] else 'data'
                problems.append('%s: %s value %r differs in %s: got %r, want %r'
                                % (parser, where, wv[0], what,
                                   (gv[0], gv[1], gv[2][:64]), (wv[0], wv[1], wv[2][:64])))
    return problems


# ---- sub-commands -----------------------------------------------------------------------

def forge(stforge, reg, out):
    if os.path.exists(out):
        os.remove(out)
    proc = subprocess.run([stforge, 'hive', reg, out], capture_output=True)
    if proc.returncode != 0:
        raise Failure('stforge failed on %s: %s' % (reg, proc.stderr.decode(errors='replace').strip()))
    return out


def structure_problems(hive):
    """The raw-layout invariants of check_hive_layout.py (lh hashes, order, accounting...)."""
    sys.path.insert(0, HERE)
    import check_hive_layout
    checked = check_hive_layout.inspect(hive, open(hive, 'rb').read(), forged=True)[0]
    return checked.problems


def cmd_roundtrip(args):
    os.makedirs(args.work, exist_ok=True)
    if args.generate:
        reg = os.path.join(args.work, '%s.reg' % args.generate)
        generate(args.generate, reg, args.reg)
        args.reg = reg
    hive = forge(args.stforge, args.reg, os.path.join(args.work, os.path.basename(args.reg) + '.hive'))
    want = expected_records(parse_reg(args.reg, args.default_filetime))
    problems = structure_problems(hive)
    for parser, reader, view in (('libregf', read_with_libregf, libregf_records(want)),
                                 ('Parse::Win32Registry', read_with_perl, ucs2_records(want))):
        root_name, got = reader(hive)
        problems += compare(parser, root_name, got, view, args.root_name)
    if problems:
        raise Failure('%s: %d difference(s)\n  %s' % (args.reg, len(problems), '\n  '.join(problems[:40])))
    print('ok: %s: %d keys, %d values agree with libregf and Parse::Win32Registry'
          % (os.path.basename(args.reg), len(want), sum(len(r['values']) for r in want.values())))


def read_both(hive, want, root_name, what):
    """Differences between HIVE as libregf and Parse::Win32Registry read it and WANT."""
    problems = []
    for parser, reader, view in (('libregf', read_with_libregf, libregf_records(want)),
                                 ('Parse::Win32Registry', read_with_perl, ucs2_records(want))):
        got_root, got = reader(hive)
        problems += ['%s: %s' % (what, p) for p in compare(parser, got_root, got, view, root_name)]
    return problems


def cmd_dirty(args):
    import shutil
    import struct
    os.makedirs(args.work, exist_ok=True)
    primary = os.path.join(args.work, 'HIVE')
    for name in os.listdir(args.work):
        os.remove(os.path.join(args.work, name)) if os.path.isfile(os.path.join(args.work, name)) \
            else shutil.rmtree(os.path.join(args.work, name))
    proc = subprocess.run([args.stforge, 'hive', args.reg, primary, *args.log], capture_output=True)
    if proc.returncode != 0:
        raise Failure('stforge failed: %s' % proc.stderr.decode(errors='replace').strip())
    states = [parse_reg(args.reg, args.default_filetime)]
    for log in args.log:
        root = parse_reg(args.reg, args.default_filetime)
        for earlier in args.log[:args.log.index(log) + 1]:
            parse_reg(earlier, args.default_filetime, root)
        states.append(root)
    wants = [expected_records(s) for s in states]
    problems = []
    head = open(primary, 'rb').read(12)
    if struct.unpack_from('<II', head, 4) != (3, 2):
        problems.append('primary: base block sequence numbers %s/%s, want 3/2 (dirty)'
                        % struct.unpack_from('<II', head, 4))
    problems += read_both(primary, wants[0], args.root_name, 'primary without the logs')
    if wants[0] == wants[-1]:
        problems.append('the logs add nothing: the check could not fail')

    def recover(logs, label):
        folder = os.path.join(args.work, label)
        os.makedirs(folder)
        shutil.copy(primary, folder)
        for n in logs:
            shutil.copy('%s.LOG%d' % (primary, n), folder)
        out = os.path.join(folder, 'recovered')
        proc = subprocess.run([args.sandtrace, 'hive', 'recover', os.path.join(folder, 'HIVE'),
                               '-o', out], capture_output=True, text=True)
        return proc, out

    # every log: the last state; LOG1 alone: the state after it; the last log alone: a gap.
    proc, out = recover(range(1, len(args.log) + 1), 'all')
    if proc.returncode != 0 or not os.path.exists(out):
        problems.append('hive recover with every log wrote nothing: %s' % (proc.stdout + proc.stderr).strip())
    else:
        problems += read_both(out, wants[-1], args.root_name, 'replayed with every log')
        if struct.unpack_from('<II', open(out, 'rb').read(12), 4) != (1 + len(args.log),) * 2:
            problems.append('replayed: base block sequence numbers not both %d' % (1 + len(args.log)))
    if len(args.log) >= 2:
        proc, out = recover([1], 'first')
        if proc.returncode != 0 or not os.path.exists(out):
            problems.append('hive recover with LOG1 only wrote nothing: %s' % (proc.stdout + proc.stderr).strip())
        else:
            problems += read_both(out, wants[1], args.root_name, 'replayed with LOG1 only')
        proc, out = recover([len(args.log)], 'last')
        if 'gap' not in proc.stdout:
            problems.append('LOG%d alone was not refused as a gap: %s' % (len(args.log), proc.stdout.strip()))
    if problems:
        raise Failure('%s: %d difference(s)\n  %s' % (args.reg, len(problems), '\n  '.join(problems[:40])))
    print('ok: %s + %d logs: primary = the .reg alone, replay = the .reg with its logs, in libregf and '
          'Parse::Win32Registry (%d keys -> %d keys)' % (os.path.basename(args.reg), len(args.log),
                                                           len(wants[0]), len(wants[-1])))


def cmd_deterministic(args):
    os.makedirs(args.work, exist_ok=True)
    a = forge(args.stforge, args.reg, os.path.join(args.work, 'first.hive'))
    b = forge(args.stforge, args.reg, os.path.join(args.work, 'second.hive'))
    if open(a, 'rb').read() != open(b, 'rb').read():
        raise Failure('two forgings of %s differ' % args.reg)
    print('ok: %s forges to identical bytes twice' % os.path.basename(args.reg))


def cmd_reject(args):
    os.makedirs(args.work, exist_ok=True)
    # Read as bytes: some of these files are deliberately not valid text.
    m = re.search(rb'^; expect: (.+?)\s*$', open(args.reg, 'rb').read(), re.M)
    sidecar = os.path.splitext(args.reg)[0] + '.expect'  # for files that cannot hold a comment
    if not m and os.path.exists(sidecar):
        want = open(sidecar, encoding='utf-8').read().strip()
    else:
        want = args.expect or (m.group(1).decode('utf-8') if m else None)
    if want is None:
        raise Failure('%s has no "; expect:" line, .expect file or --expect' % args.reg)
    out = os.path.join(args.work, os.path.basename(args.reg) + '.hive')
    if os.path.exists(out):
        os.remove(out)
    proc = subprocess.run([args.stforge, 'hive', args.reg, out], capture_output=True)
    message = proc.stderr.decode(errors='replace').strip()
    if proc.returncode == 0:
        raise Failure('stforge accepted %s; want an error containing %r' % (args.reg, want))
    if proc.returncode != 1:
        raise Failure('stforge exited %d on %s (crash?): %s' % (proc.returncode, args.reg, message))
    if want not in message:
        raise Failure('stforge says %r on %s; want it to contain %r' % (message, args.reg, want))
    if os.path.exists(out):
        raise Failure('stforge left %s behind after failing' % out)
    print('ok: %s rejected: %s' % (os.path.basename(args.reg), message))


def generate_many_subkeys(out):
    """1200 subkeys under one key (an ri over lh leaves) in shuffled order, with names whose
    Windows order differs from byte order ('_' sorts after letters once they are upper-cased),
    plus a second key just over one leaf."""
    import random
    rng = random.Random(1601)
    names = ['Sub%04d' % i for i in range(1000)] + ['sub_%03d' % i for i in range(100)] + \
            ['SUB%03dx' % i for i in range(50)] + ['ソフト%02d' % i for i in range(50)]
    rng.shuffle(names)
    lines = ['Windows Registry Editor Version 5.00', '']
    lines += [';@lastwrite 2024-12-31T23:59:59.9999999Z', r'[HKEY_LOCAL_MACHINE\SOFTWARE\Many]', '']
    for i, name in enumerate(names):
        lines.append(';@lastwrite 2024-06-%02dT12:00:%02d.%07dZ' % (1 + i % 28, i % 60, i * 7919 % 10_000_000))
        lines.append(r'[HKEY_LOCAL_MACHINE\SOFTWARE\Many\%s]' % name)
        lines.append('"Index"=dword:%08x' % i)
        lines.append('')
    for i in range(501):
        lines.append(r'[HKEY_LOCAL_MACHINE\SOFTWARE\JustOverOneLeaf\k%03d]' % (500 - i))
    write_reg(out, lines)


def generate_big_values(out):
    """Values on both sides of the 16344-byte db threshold and a multi-segment one."""
    lines = ['Windows Registry Editor Version 5.00', '',
             ';@lastwrite 2025-01-08T07:21:18.1234567Z', r'[HKEY_LOCAL_MACHINE\SOFTWARE\Big]']
    for name, size, kind in (('AtLimit', 16344, 'hex'), ('OverLimit', 16345, 'hex'),
                             ('ThreeSegments', 16344 * 2 + 100, 'hex(0)'),
                             ('TenSegments', 163440, 'hex'),
                             ('ExactTwoSegments', 16344 * 2, 'hex(3)')):
        data = bytes((i * 131 + size) % 251 for i in range(size))
        lines.append(hex_value(name, kind, data))
    text = ''.join(chr(0x3042 + i % 80) for i in range(9000))  # hiragana, 18002 bytes as UTF-16
    lines.append('"BigText"="%s"' % text)
    write_reg(out, lines)


def generate_deep_keys(out):
    """A key 512 levels below the root (Windows' limit) with a LastWrite at the bottom."""
    path = 'HKEY_LOCAL_MACHINE\\SOFTWARE' + ''.join('\\L%03d' % i for i in range(512))
    write_reg(out, ['Windows Registry Editor Version 5.00', '',
                    ';@lastwrite 2025-01-08T07:21:18.0000001Z', '[%s]' % path, '"Depth"=dword:00000200'])


def hex_value(name, kind, data):
    """'"name"=hex:..' wrapped the way regedit wraps it: ',\\' then two-space indents."""
    body = ','.join('%02x' % b for b in data)
    head = '"%s"=%s:' % (name, kind)
    chunks, line = [], head
    for i, byte in enumerate(body.split(',')):
        piece = byte + (',' if i + 1 < len(data) else '')
        if len(line) + len(piece) > 78:
            chunks.append(line + '\\')
            line = '  '
        line += piece
    chunks.append(line)
    return '\n'.join(chunks)


def write_reg(out, lines):
    with open(out, 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')


def generate(kind, out, source=None):
    if kind == 'many-subkeys':
        generate_many_subkeys(out)
    elif kind == 'big-values':
        generate_big_values(out)
    elif kind == 'deep-keys':
        generate_deep_keys(out)
    elif kind == 'utf16':
        # regedit's own export: UTF-16LE, BOM, CRLF.
        text = open(source, encoding='utf-8').read().replace('\r\n', '\n').replace('\n', '\r\n')
        with open(out, 'wb') as f:
            f.write(b'\xff\xfe' + text.encode('utf-16-le'))


def cmd_generate(args):
    generate(args.kind, args.out, args.source)
    print('ok: wrote %s' % args.out)


def cmd_selftest(args):
    """The checks must be able to fail: damage a forged hive two ways and expect both caught."""
    os.makedirs(args.work, exist_ok=True)
    hive = forge(args.stforge, args.reg, os.path.join(args.work, 'selftest.hive'))
    want = expected_records(parse_reg(args.reg, args.default_filetime))
    data = bytearray(open(hive, 'rb').read())
    caught = []
    # 1. one byte of value data (the last byte of a UTF-16 string cell) -> round-trip difference
    damaged = bytearray(data)
    at = damaged.find('plain text'.encode('utf-16-le'))
    if at < 0:
        raise Failure('selftest wants a value "plain text" in %s' % args.reg)
    damaged[at] ^= 0x01
    path = os.path.join(args.work, 'selftest-data.hive')
    open(path, 'wb').write(damaged)
    for parser, reader, view in (('libregf', read_with_libregf, libregf_records(want)),
                                 ('Parse::Win32Registry', read_with_perl, ucs2_records(want))):
        root_name, got = reader(path)
        if compare(parser, root_name, got, view, args.root_name):
            caught.append('data byte (%s)' % parser)
    # 2. one lh hash -> structure difference (neither library checks hashes)
    damaged = bytearray(data)
    at = damaged.find(b'lh', 4096)
    damaged[at + 8] ^= 0x01
    path = os.path.join(args.work, 'selftest-hash.hive')
    open(path, 'wb').write(damaged)
    if structure_problems(path):
        caught.append('lh hash')
    if len(caught) != 3:
        raise Failure('damage not caught; caught only %s' % caught)
    print('ok: the checks catch %s' % ', '.join(caught))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='command', required=True)
    for name in ('roundtrip', 'deterministic', 'reject', 'selftest'):
        p = sub.add_parser(name)
        p.add_argument('--stforge', required=True)
        p.add_argument('--reg', required=True)
        p.add_argument('--work', required=True)
        p.add_argument('--root-name', default='ROOT')
        p.add_argument('--default-filetime', type=int, default=DEFAULT_FILETIME)
        p.add_argument('--expect', help='reject: text the error must contain (else the file\'s "; expect:")')
        p.add_argument('--generate', choices=('many-subkeys', 'big-values', 'deep-keys', 'utf16'),
                       help='roundtrip: generate the .reg into --work first (utf16: from --reg)')
    p = sub.add_parser('dirty')
    p.add_argument('--stforge', required=True)
    p.add_argument('--sandtrace', required=True)
    p.add_argument('--reg', required=True)
    p.add_argument('--log', action='append', required=True, help='a log\'s .reg, in order')
    p.add_argument('--work', required=True)
    p.add_argument('--root-name', default='ROOT')
    p.add_argument('--default-filetime', type=int, default=DEFAULT_FILETIME)
    p = sub.add_parser('generate')
    p.add_argument('kind', choices=('many-subkeys', 'big-values', 'deep-keys', 'utf16'))
    p.add_argument('out')
    p.add_argument('--source', help='UTF-8 .reg to convert (utf16)')
    args = ap.parse_args()
    try:
        {'roundtrip': cmd_roundtrip, 'deterministic': cmd_deterministic, 'reject': cmd_reject,
         'generate': cmd_generate, 'selftest': cmd_selftest, 'dirty': cmd_dirty}[args.command](args)
    except Failure as failure:
        print('FAIL: %s' % failure, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
