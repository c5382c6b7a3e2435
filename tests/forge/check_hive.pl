#!/usr/bin/perl
# check_hive.pl - dumps a regf hive as read by Parse::Win32Registry, one JSON object per key, for
# tests/forge/check_hive.py to compare with the .reg the hive was forged from.
#
#   perl check_hive.pl HIVE
#
# Each line: {"path":[names below the root],"root":root name (root line only),
#             "filetime":LastWrite as FILETIME,"seconds":LastWrite as Parse::Win32Registry
#             decodes it (epoch seconds),"subkeys":[names in the order read],
#             "values":[{"name","type","data"(hex)}...]}
# Parse::Win32Registry decodes LastWrite only to whole seconds, so the 100 ns FILETIME is taken
# from the raw bytes of the nk cell the library located (get_raw_bytes, offset 8 of the cell);
# the checker also compares the library's own seconds. Exit 1 if the hive does not open.
use strict;
use warnings;
use JSON::PP;
use Parse::Win32Registry;

binmode STDOUT, ':raw';
my $path = shift @ARGV or die "usage: check_hive.pl HIVE\n";
my $registry = Parse::Win32Registry->new($path)
    or do { print STDERR "Parse::Win32Registry cannot open $path\n"; exit 1 };
my $root = $registry->get_root_key
    or do { print STDERR "Parse::Win32Registry finds no root key in $path\n"; exit 1 };
my $json = JSON::PP->new->canonical->utf8;

sub dump_key {
    no warnings 'recursion';    # keys nest up to 512 deep (Windows' limit)
    my ($key, $names) = @_;
    my $raw = $key->get_raw_bytes;
    if (!defined $raw || length($raw) < 16 || substr($raw, 4, 2) ne 'nk') {
        print STDERR "Parse::Win32Registry gives no nk bytes for \\", join('\\', @$names), "\n";
        exit 1;
    }
    my ($low, $high) = unpack('VV', substr($raw, 8, 8));
    my @values;
    foreach my $value ($key->get_list_of_values) {
        my $data = $value->get_raw_data;
        push @values, {
            name => $value->get_name,
            type => $value->get_type,
            data => defined $data ? unpack('H*', $data) : undef,
        };
    }
    my @subkeys = $key->get_list_of_subkeys;
    my %record = (
        path => $names,
        filetime => $high * 4294967296 + $low,
        seconds => $key->get_timestamp,
        subkeys => [map { $_->get_name } @subkeys],
        values => \@values,
    );
    $record{root} = $key->get_name if !@$names;
    print $json->encode(\%record), "\n";
    dump_key($_, [@$names, $_->get_name]) foreach @subkeys;
}

dump_key($root, []);
exit 0;
