#!/usr/bin/python3
"""check_hive_layout.py - checks the on-disk layout of forged hives, and compares it with real ones.

The round-trip checks (check_hive.py) prove that libregf and Parse::Win32Registry *read* what the
.reg says; neither verifies the lh hashes, the subkey order, the checksum, the max-length fields or
the cell accounting, which Windows relies on. This script walks the raw bytes for those:

  structure HIVE...            every invariant of a forged hive (below); exit 1 on any breach
  corpus --corpus DIR --stforge BIN --work DIR REG...
                               forge each REG, then hold the forged hives and the real hives of
                               DIR/hives side by side: the same base-block constants, checksum
                               rule, hbin chain, root-cell position and flags, root name and file
                               name convention, lh hash and subkey order (our hash and order
                               functions are first proved on the real hives' ~74,000 keys), db
                               segment sizes. Exit 77 (CTest SKIP) when DIR/hives does not exist.

Format facts: msuhanov "Windows registry file format specification"; METHOD.md [libregf].
"""
import argparse
import lzma
import os
import struct
import subprocess
import sys
import tempfile

SKIP = 77


class Failure(Exception):
    pass


def upcase_units(raw_name, compressed):
    """UTF-16 units of a stored name, upper-cased one by one (Python's case table)."""
    if compressed:
        units = list(raw_name)
    else:
        units = [raw_name[i] | raw_name[i + 1] << 8 for i in range(0, len(raw_name) - 1, 2)]
    out = []
    for unit in units:
        if unit < 0xD800 or unit > 0xDFFF:
            up = chr(unit).upper()
            if len(up) == 1 and ord(up) < 0x10000:
                unit = ord(up)
        out.append(unit)
    return out


def name_hash(units):
    h = 0
    for unit in units:
        h = (h * 37 + unit) & 0xFFFFFFFF
    return h


class Hive:
    def __init__(self, path, data):
        self.path = path
        self.data = data
        self.bins = data[4096:]
        self.cells = {}  # offset -> (allocated, size)
        self.problems = []

    def fail(self, message):
        self.problems.append('%s: %s' % (os.path.basename(self.path), message))

    # -- base block and hbins ---------------------------------------------------------------
    def base_block(self):
        d = self.data
        fields = struct.unpack_from('<4sIIQIIIIIII', d, 0)
        sig, seq1, seq2, stamp, major, minor, ftype, fmt, root, size, cluster = fields
        checksum = 0
        for (word,) in struct.iter_unpack('<I', d[:508]):
            checksum ^= word
        if checksum == 0xFFFFFFFF:
            checksum = 0xFFFFFFFE
        if checksum == 0:
            checksum = 1
        return {
            'signature': sig, 'sequence': (seq1, seq2), 'timestamp': stamp,
            'version': (major, minor), 'file_type': ftype, 'format': fmt, 'root': root,
            'bins_size': size, 'clustering': cluster,
            'file_name': d[48:112].decode('utf-16-le').split('\0')[0],
            'checksum_ok': checksum == struct.unpack_from('<I', d, 508)[0],
        }

    def walk_bins(self, limit):
        """Fills self.cells; checks the hbin chain and that cells tile every bin up to LIMIT
        (the base block's hive bins data size: real hives may hold stale bins beyond it)."""
        off, first = 0, True
        while off < min(limit, len(self.bins)):
            if self.bins[off:off + 4] != b'hbin':
                # Real hives may carry padding after the last bin.
                if first:
                    self.fail('no hbin at the start of the hive bins data')
                return off
            first = False
            boff, bsize = struct.unpack_from('<II', self.bins, off + 4)
            if boff != off:
                self.fail('hbin at 0x%x says it is at 0x%x' % (off, boff))
            if bsize == 0 or bsize % 4096:
                self.fail('hbin at 0x%x has size 0x%x (not a multiple of 4096)' % (off, bsize))
                return off
            c = off + 32
            while c < off + bsize:
                size = struct.unpack_from('<i', self.bins, c)[0]
                if size == 0 or abs(size) % 8 or c + abs(size) > off + bsize:
                    self.fail('cell at 0x%x has size %d (zero, unaligned or past its hbin)' % (c, size))
                    break
                self.cells[c] = (size < 0, abs(size))
                c += abs(size)
            off += bsize
        return off

    def body(self, offset, signature=None):
        if offset not in self.cells or not self.cells[offset][0]:
            raise Failure('%s: reference 0x%x is not an allocated cell' % (self.path, offset))
        allocated, size = self.cells[offset]
        b = self.bins[offset + 4:offset + size]
        if signature and b[:2] != signature:
            raise Failure('%s: cell 0x%x is %r, want %r' % (self.path, offset, b[:2], signature))
        return b

    # -- keys ------------------------------------------------------------------------------
    def nk(self, offset):
        b = self.body(offset, b'nk')
        (flags, stamp, _access, parent, nsub, _nvol, sublist, _vollist, nval, vallist, sk,
         _cls, max_sub, _max_cls, max_vname, max_vdata, _work, nlen, _clen) = \
            struct.unpack_from('<HQIIIIIIIIIIIIIIIHH', b, 2)
        raw = b[76:76 + nlen]
        return dict(flags=flags, stamp=stamp, access=_access, parent=parent, nsub=nsub, sublist=sublist,
                    nval=nval, vallist=vallist, sk=sk, max_sub=max_sub, max_vname=max_vname,
                    max_vdata=max_vdata, raw=raw, compressed=bool(flags & 0x20))

    def subkey_entries(self, list_offset, depth=0):
        """[(nk offset, stored hash or None, list kind)] of a subkey list, through ri."""
        b = self.body(list_offset)
        sig, count = b[:2], struct.unpack_from('<H', b, 2)[0]
        if sig in (b'lh', b'lf'):
            return [(struct.unpack_from('<I', b, 4 + 8 * i)[0],
                     struct.unpack_from('<I', b, 8 + 8 * i)[0] if sig == b'lh' else None,
                     sig) for i in range(count)]
        if sig == b'li':
            return [(struct.unpack_from('<I', b, 4 + 4 * i)[0], None, sig) for i in range(count)]
        if sig == b'ri' and depth == 0:
            out = []
            for i in range(count):
                out += self.subkey_entries(struct.unpack_from('<I', b, 4 + 4 * i)[0], 1)
            return out
        raise Failure('%s: subkey list 0x%x is %r (depth %d)' % (self.path, list_offset, sig, depth))

    def check_keys(self, root, forged):
        """Walks the key tree from ROOT. Hashes and order are checked on every hive; the
        bookkeeping fields (max lengths, parents, cell accounting) only on forged ones, as real
        hives legitimately carry stale maxima and free-list leftovers."""
        referenced = {}
        sk_refs = {}
        stack = [(root, None)]
        keys = 0
        stats = {'lh': 0, 'hash_ok': 0, 'order_ok': 0, 'pairs': 0}
        while stack:
            offset, parent = stack.pop()
            keys += 1
            key = self.nk(offset)
            referenced[offset] = 'nk'
            sk_refs[key['sk']] = sk_refs.get(key['sk'], 0) + 1
            if forged and parent is not None and key['parent'] != parent:
                self.fail('nk 0x%x: parent 0x%x, want 0x%x' % (offset, key['parent'], parent))
            children = []
            if key['nsub']:
                entries = self.subkey_entries(key['sublist'])
                if len(entries) != key['nsub']:
                    self.fail('nk 0x%x: %d subkeys in its list, %d in the key'
                              % (offset, len(entries), key['nsub']))
                if forged:
                    self.mark_lists(key['sublist'], referenced)
                previous = None
                for child, stored, kind in entries:
                    sub = self.nk(child)
                    units = upcase_units(sub['raw'], sub['compressed'])
                    if kind == b'lh':
                        stats['lh'] += 1
                        if stored == name_hash(units):
                            stats['hash_ok'] += 1
                        else:
                            self.fail('nk 0x%x: lh hash 0x%08x, want 0x%08x' % (child, stored, name_hash(units)))
                    if previous is not None:
                        stats['pairs'] += 1
                        if previous < units:
                            stats['order_ok'] += 1
                        else:
                            self.fail('nk 0x%x: subkeys out of Windows order at 0x%x' % (offset, child))
                    previous = units
                    children.append((child, offset))
                    if forged:
                        if len(sub['raw']) != (len(units) if sub['compressed'] else 2 * len(units)):
                            self.fail('nk 0x%x: name length' % child)
                if forged:
                    want = max(len(upcase_units(self.nk(c)['raw'], self.nk(c)['compressed'])) * 2
                               for c, _ in children)
                    if key['max_sub'] != want:
                        self.fail('nk 0x%x: largest subkey name %d, want %d' % (offset, key['max_sub'], want))
            if forged:
                self.check_values(offset, key, referenced)
            stack.extend(reversed(children))
        return keys, sk_refs, referenced, stats

    def mark_lists(self, list_offset, referenced):
        referenced[list_offset] = 'list'
        b = self.body(list_offset)
        if b[:2] == b'ri':
            for i in range(struct.unpack_from('<H', b, 2)[0]):
                leaf = struct.unpack_from('<I', b, 4 + 4 * i)[0]
                referenced[leaf] = 'list'
                if self.body(leaf)[:2] != b'lh':
                    self.fail('ri 0x%x points at a %r, forged hives use lh leaves' % (list_offset, self.body(leaf)[:2]))
                if struct.unpack_from('<H', self.body(leaf), 2)[0] > 500:
                    self.fail('leaf 0x%x holds more than 500 subkeys' % leaf)
        elif struct.unpack_from('<H', b, 2)[0] > 500:
            self.fail('list 0x%x holds more than 500 subkeys without an ri' % list_offset)

    def check_values(self, offset, key, referenced):
        max_name = max_data = 0
        if key['nval']:
            referenced[key['vallist']] = 'value list'
            vl = self.body(key['vallist'])
            for i in range(key['nval']):
                vk_off = struct.unpack_from('<I', vl, 4 * i)[0]
                referenced[vk_off] = 'vk'
                vk = self.body(vk_off, b'vk')
                nlen, dsize, doff, _type, flags = struct.unpack_from('<HIIIH', vk, 2)
                raw = vk[20:20 + nlen]
                ascii_name = all(c < 0x80 for c in raw) if flags & 1 else False
                if flags & 1 and not ascii_name:
                    self.fail('vk 0x%x: compressed name with non-ASCII bytes' % vk_off)
                if not flags & 1 and nlen and all(raw[i + 1] == 0 and raw[i] < 0x80 for i in range(0, nlen, 2)):
                    self.fail('vk 0x%x: ASCII name stored as UTF-16' % vk_off)
                units = nlen if flags & 1 else nlen // 2
                max_name = max(max_name, units * 2)
                size = dsize & 0x7FFFFFFF
                max_data = max(max_data, size)
                inline = bool(dsize & 0x80000000)
                if inline != (size <= 4):
                    self.fail('vk 0x%x: %d bytes %s inline' % (vk_off, size, 'kept' if inline else 'not'))
                if inline and size < 4 and doff >> (8 * size):
                    self.fail('vk 0x%x: bytes past the data in the inline field' % vk_off)
                if not inline and size <= 16344:
                    referenced[doff] = 'data'
                    if self.cells[doff][1] - 4 < size:
                        self.fail('vk 0x%x: data cell too small' % vk_off)
                elif not inline:
                    referenced[doff] = 'db'
                    db = self.body(doff, b'db')
                    nseg, seglist = struct.unpack_from('<HI', db, 2)
                    referenced[seglist] = 'segment list'
                    if nseg != -(-size // 16344):
                        self.fail('db 0x%x: %d segments for %d bytes' % (doff, nseg, size))
                    sl = self.body(seglist)
                    for s in range(nseg):
                        seg = struct.unpack_from('<I', sl, 4 * s)[0]
                        referenced[seg] = 'segment'
                        if self.cells[seg][1] != 16352:
                            self.fail('segment 0x%x is %d bytes, Windows writes 16352' % (seg, self.cells[seg][1]))
        if key['max_vname'] != max_name or key['max_vdata'] != max_data:
            self.fail('nk 0x%x: largest value name/data %d/%d, want %d/%d'
                      % (offset, key['max_vname'], key['max_vdata'], max_name, max_data))

    def check_security(self, sk_refs, referenced, forged):
        for sk_off, refs in sk_refs.items():
            b = self.body(sk_off, b'sk')
            flink, blink, count, sd_size = struct.unpack_from('<IIII', b, 4)
            sd = b[20:20 + sd_size]
            rev, control, owner, group, sacl, dacl = struct.unpack_from('<BxHIIII', sd, 0)
            if rev != 1 or not control & 0x8000:
                self.fail('sk 0x%x: descriptor not revision 1 self-relative' % sk_off)
            for name, at in (('owner', owner), ('group', group), ('dacl', dacl)):
                if not at or at >= sd_size:
                    self.fail('sk 0x%x: %s offset %d outside the %d-byte descriptor' % (sk_off, name, at, sd_size))
            if forged:
                referenced[sk_off] = 'sk'
                if (flink, blink) != (sk_off, sk_off):
                    self.fail('sk 0x%x: flink/blink 0x%x/0x%x, the only sk must point at itself'
                              % (sk_off, flink, blink))
                if count != refs:
                    self.fail('sk 0x%x: reference count %d, %d keys use it' % (sk_off, count, refs))

    def check_accounting(self, referenced):
        for offset, (allocated, _size) in sorted(self.cells.items()):
            if allocated and offset not in referenced:
                self.fail('allocated cell 0x%x is not referenced by anything' % offset)
        for offset in referenced:
            if offset not in self.cells:
                self.fail('reference 0x%x does not start a cell' % offset)


def load(path):
    data = open(path, 'rb').read()
    if path.endswith('.xz'):
        data = lzma.decompress(data)
    return data


def inspect(path, data, forged):
    hive = Hive(path, data)
    base = hive.base_block()
    end = hive.walk_bins(base['bins_size'])
    if forged:
        expect = {'signature': b'regf', 'version': (1, 5), 'file_type': 0, 'format': 1,
                  'root': 0x20, 'clustering': 1, 'checksum_ok': True}
        for field, value in expect.items():
            if base[field] != value:
                hive.fail('base block %s is %r, want %r' % (field, base[field], value))
        if base['sequence'][0] != base['sequence'][1]:
            hive.fail('sequence numbers differ: %r' % (base['sequence'],))
        if base['bins_size'] != len(data) - 4096 or end != len(data) - 4096:
            hive.fail('hive bins data size %d, file holds %d' % (base['bins_size'], len(data) - 4096))
        first_stamp = struct.unpack_from('<Q', data, 4096 + 20)[0]
        if first_stamp != base['timestamp']:
            hive.fail('first hbin timestamp differs from the base block')
    root = hive.nk(base['root'])
    if root['flags'] & 0x2C != 0x2C and forged:
        hive.fail('root nk flags 0x%x, want 0x2C' % root['flags'])
    keys, sk_refs, referenced, stats = hive.check_keys(base['root'], forged)
    hive.check_security(sk_refs, referenced, forged)
    if forged:
        hive.check_accounting(referenced)
    root_name = root['raw'].decode('latin-1') if root['compressed'] else root['raw'].decode('utf-16-le')
    return hive, base, root, root_name, keys, stats


def cmd_structure(args):
    problems = []
    for path in args.hives:
        hive, _base, _root, _name, keys, stats = inspect(path, load(path), forged=True)
        problems += hive.problems
        if not hive.problems:
            print('ok: %s: %d keys, %d lh hashes and %d sibling pairs in Windows order'
                  % (os.path.basename(path), keys, stats['hash_ok'], stats['order_ok']))
    if problems:
        raise Failure('\n  '.join(problems[:40]))


def hive_kind(hive, root):
    """SYSTEM / SECURITY / SOFTWARE from the content, never from the file name."""
    names = set()
    if root['nsub']:
        for child, _h, _k in hive.subkey_entries(root['sublist']):
            sub = hive.nk(child)
            names.add(sub['raw'].decode('latin-1') if sub['compressed'] else sub['raw'].decode('utf-16-le'))
    if 'Select' in names:
        return 'SYSTEM'
    if 'Policy' in names:
        return 'SECURITY'
    return 'SOFTWARE'


def cmd_corpus(args):
    hives_dir = os.path.join(args.corpus, 'hives')
    if not os.path.isdir(hives_dir):
        print('skipped: shared/corpus not found (%s)' % hives_dir)
        return SKIP
    real = {}
    problems = []
    for name in sorted(os.listdir(hives_dir)):
        path = os.path.join(hives_dir, name)
        if not os.path.isfile(path):
            continue  # damaged/ is for robustness tests, not a model of layout
        hive, base, root, root_name, keys, stats = inspect(path, load(path), forged=False)
        # Our hash and order functions must agree with Windows on every real key first.
        if hive.problems:
            problems += hive.problems[:5]
        kind = hive_kind(hive, root)
        real.setdefault(kind, []).append((name, base, root, root_name))
        print('real %-30s %-8s v%d.%d root=%s (access bits %d) file_name=%r flags=0x%x; %d keys, '
              '%d/%d lh hashes and %d/%d orders match ours'
              % (name, kind, base['version'][0], base['version'][1], root_name, root['access'],
                 base['file_name'], root['flags'], keys, stats['hash_ok'], stats['lh'], stats['order_ok'], stats['pairs']))
        for field, value in (('signature', b'regf'), ('file_type', 0), ('format', 1), ('root', 0x20),
                             ('clustering', 1), ('checksum_ok', True)):
            if base[field] != value:
                problems.append('real %s: base block %s is %r; the forge writes %r' % (name, field, base[field], value))
        if base['version'][0] != 1 or base['version'][1] not in (3, 5):
            problems.append('real %s: version %r' % (name, base['version']))
        if root['flags'] & 0x2C != 0x2C:
            problems.append('real %s: root flags 0x%x lack 0x2C' % (name, root['flags']))
    os.makedirs(args.work, exist_ok=True)
    for reg in args.regs:
        out = os.path.join(args.work, os.path.basename(reg) + '.hive')
        proc = subprocess.run([args.stforge, 'hive', reg, out], capture_output=True)
        if proc.returncode != 0:
            raise Failure('stforge failed on %s: %s' % (reg, proc.stderr.decode(errors='replace')))
        hive, base, root, root_name, keys, stats = inspect(out, load(out), forged=True)
        problems += hive.problems
        kind = hive_kind(hive, root)
        print('forged %-28s %-8s v%d.%d root=%s file_name=%r flags=0x%x; %d keys'
              % (os.path.basename(reg), kind, base['version'][0], base['version'][1], root_name,
                 base['file_name'], root['flags'], keys))
        models = real.get(kind, [])
        # Root names of real hives written by Windows 8 or later (nk access bits set; Windows 7
        # leaves them 0): the forge's root name must be one of them.
        modern = {rname for _n, _b, rroot, rname in models if rroot['access']}
        if modern and root_name not in modern:
            problems.append('forged %s root is %r; real Windows 8+ %s hives have %s'
                            % (reg, root_name, kind, sorted(modern)))
        for name, rbase, rroot, rname in models:
            if rbase['file_name'] != base['file_name']:
                problems.append('forged %s file name field %r; %s has %r'
                                % (reg, base['file_name'], name, rbase['file_name']))
            if rroot['flags'] != root['flags']:
                problems.append('forged %s root flags 0x%x; %s has 0x%x' % (reg, root['flags'], name, rroot['flags']))
        if not models:
            print('  (no real %s hive in the corpus to compare root and file name with)' % kind)
    if problems:
        raise Failure('\n  '.join(problems[:40]))
    print('ok: forged hives follow the layout of the real ones')
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='command', required=True)
    p = sub.add_parser('structure')
    p.add_argument('hives', nargs='+')
    p = sub.add_parser('corpus')
    p.add_argument('--corpus', required=True)
    p.add_argument('--stforge', required=True)
    p.add_argument('--work', required=True)
    p.add_argument('regs', nargs='+')
    args = ap.parse_args()
    try:
        if args.command == 'structure':
            cmd_structure(args)
            return 0
        return cmd_corpus(args)
    except Failure as failure:
        print('FAIL: %s' % failure, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
