#!/usr/bin/perl
# hive_values.pl - the values of some keys of a hive as Parse::Win32Registry reads them, for
# tests/e2e/check_host_facts.py (an independent reader for the host facts of METHOD.md §2.5).
#
#   perl hive_values.pl HIVE KEY_PATH...
#
# One JSON object per line: {"key":path,"values":[{"name","type","data"(hex)}...],
# "subkeys":number} or {"key":path,"missing":1}. Paths are relative to the root, '\'-separated.
use strict;
use warnings;
use JSON::PP;
use Parse::Win32Registry;

binmode STDOUT, ':raw';
my $path = shift @ARGV or die "usage: hive_values.pl HIVE KEY_PATH...\n";
my $registry = Parse::Win32Registry->new($path)
    or do { print STDERR "Parse::Win32Registry cannot open $path\n"; exit 1 };
my $root = $registry->get_root_key
    or do { print STDERR "Parse::Win32Registry finds no root key in $path\n"; exit 1 };
my $json = JSON::PP->new->canonical->utf8;
for my $wanted (@ARGV) {
    my $key = $root->get_subkey($wanted);
    if (!$key) {
        print $json->encode({key => $wanted, missing => 1}), "\n";
        next;
    }
    my @values = map { {name => $_->get_name, type => $_->get_type,
                        data => unpack('H*', $_->get_raw_data // '')} } $key->get_list_of_values;
    my @subkeys = $key->get_list_of_subkeys;
    print $json->encode({key => $wanted, values => \@values, subkeys => scalar @subkeys}), "\n";
}
