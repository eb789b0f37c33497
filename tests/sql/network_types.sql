-- inet and cidr: input forms (IPv4, IPv6, masks, classful cidr), output,
-- bad input (cidr's host bits), comparison and B-tree order, the
-- containment, bitwise and arithmetic operators, the functions, casts,
-- arrays and NULLs.
SELECT '192.168.1.5'::inet AS host4, '192.168.1.5/24'::inet AS masked, '10/8'::inet AS short, '10.1/16'::inet AS short2;
SELECT '::1'::inet AS loopback6, '::ffff:1.2.3.4'::inet AS mapped, '::1.2.3.4'::inet AS compat, '::2'::inet AS two;
SELECT '2001:DB8:0:0:1:0:0:1'::inet AS upper, '1:0:0:4:0:0:0:8'::inet AS first_run, '::'::inet AS zero, '1::'::inet AS trailing;
SELECT '::ffff:0:0'::inet AS mapped_zero, '1:2:3:4:5:6:1.2.3.4'::inet AS dotted_tail, '2001:db8::1/64'::inet AS v6_masked;
SELECT '01.02.03.04'::inet AS leading_zeros, '1.2.3.4/08'::inet AS bits_zero, '1.2.3.4/0'::inet AS zero_bits, '1.2.3.4/32'::inet AS full;
SELECT '192.168.1.5'::cidr AS host, '10'::cidr AS class_a, '128'::cidr AS class_b, '192.168'::cidr AS class_c;
SELECT '224'::cidr AS class_d, '240'::cidr AS class_e, '10.1.2'::cidr AS three, '10/24'::cidr AS widened;
SELECT '::1'::cidr AS v6, '2001:db8::/32'::cidr AS v6_net, '::/0'::cidr AS all6, '0.0.0.0/0'::cidr AS all4;
SELECT NULL::inet AS null_inet, NULL::cidr AS null_cidr;
SELECT '10.1.2'::inet;
SELECT '10'::inet;
SELECT '1.2.3.4/33'::inet;
SELECT '1.2.3.256'::inet;
SELECT ' 1.2.3.4'::inet;
SELECT '10/24'::inet;
SELECT '1::2::3'::inet;
SELECT '1:2:3:4:5:6:7:8:9'::inet;
SELECT '::1/200'::inet;
SELECT 'fe80::1%eth0'::inet;
SELECT ''::inet;
SELECT 'abc'::cidr;
SELECT '10.1.2.3/8'::cidr;
SELECT '192.168.1.5/24'::cidr;
SELECT '2001:db8::1/64'::cidr;
-- Comparison and ordering (network_cmp).
SELECT '10.0.0.0/8'::inet < '10.0.0.0/16'::inet AS shorter_mask_first, '10.0.0.0/8'::inet > '9.255.255.255'::inet AS by_network;
SELECT '255.255.255.255'::inet < '::'::inet AS v4_before_v6, '10.0.0.0/8'::inet = '10.0.0.0/8'::cidr AS inet_eq_cidr;
SELECT '10.1.2.3/8'::inet > '10.0.0.0/8'::inet AS by_host, '10.1.2.3'::inet <> '10.1.2.3/32'::inet AS same;
-- Containment.
SELECT '10.1.0.0/16'::inet << '10.0.0.0/8'::inet AS sub, '10.0.0.0/8'::inet << '10.0.0.0/8'::inet AS not_strict, '10.0.0.0/8'::inet <<= '10.0.0.0/8'::inet AS sub_eq;
SELECT '10.0.0.0/8'::cidr >> '10.1.2.3'::inet AS sup, '10.0.0.0/8'::cidr >>= '10.0.0.0/8'::cidr AS sup_eq, '10.0.0.0/8'::inet && '10.1.0.0/16'::inet AS overlap;
SELECT '10.0.0.0/8'::inet && '11.0.0.0/8'::inet AS no_overlap, '::1'::inet << '::/0'::inet AS v6_sub, '1.2.3.4'::inet << '::/0'::inet AS mixed;
-- Bitwise and arithmetic.
SELECT ~'192.168.1.6'::inet AS not4, '192.168.1.6'::inet & '0.0.0.255'::inet AS and4, '192.168.1.6'::inet | '0.0.0.255'::inet AS or4;
SELECT ~'::1'::inet AS not6, '10.0.0.1/8'::inet & '255.0.0.0/16'::inet AS and_bits;
SELECT '192.168.1.6'::inet & '::1'::inet;
SELECT '192.168.1.6'::inet | '::1'::inet;
SELECT '192.168.1.6'::inet + 25 AS plus, 25 + '192.168.1.6'::inet AS int_plus, '192.168.1.6'::inet - 6 AS minus, '192.168.1.6/24'::inet + 300 AS keeps_mask;
SELECT '192.168.1.6'::inet - '192.168.1.1'::inet AS diff, '192.168.1.1'::inet - '192.168.1.6'::inet AS neg_diff, '::5'::inet - '::1'::inet AS diff6;
SELECT '10.0.0.0/8'::cidr + 1 AS cidr_plus, '::ffff'::inet + 1 AS plus6;
SELECT '255.255.255.255'::inet + 1;
SELECT '0.0.0.0'::inet - 1;
SELECT '1.2.3.4'::inet - '::1'::inet;
SELECT '1.2.3.4'::inet * 2;
-- Functions.
SELECT host('192.168.1.5/24'::inet) AS host, masklen('192.168.1.5/24'::inet) AS masklen, family('::1'::inet) AS family6, family('1.2.3.4'::cidr) AS family4;
SELECT netmask('192.168.1.5/24'::inet) AS netmask, hostmask('192.168.1.5/24'::inet) AS hostmask, network('192.168.1.5/24'::inet) AS network, broadcast('192.168.1.5/24'::inet) AS broadcast;
SELECT netmask('2001:db8::1/64'::inet) AS netmask6, hostmask('2001:db8::1/64'::inet) AS hostmask6, network('2001:db8::1/64'::inet) AS network6, broadcast('2001:db8::1/120'::inet) AS broadcast6;
SELECT set_masklen('192.168.1.5/24'::inet, 16) AS inet_mask, set_masklen('192.168.1.0/24'::cidr, 16) AS cidr_mask, set_masklen('10.0.0.0/8'::cidr, -1) AS full;
SELECT set_masklen('192.168.1.5'::inet, 33);
SELECT set_masklen('::1'::inet, 129);
SELECT abbrev('10.1.0.0/16'::inet) AS abbrev_inet, abbrev('10.1.0.0/16'::cidr) AS abbrev_cidr, abbrev('10.0.0.0/12'::cidr) AS partial, abbrev('0.0.0.0/0'::cidr) AS zero;
SELECT abbrev('2001:db8::/32'::cidr) AS a6, abbrev('2001:db8:1:2::/64'::cidr) AS a64, abbrev('2001:db8::1/128'::cidr) AS a128, abbrev('1::/16'::cidr) AS a16;
SELECT text('1.2.3.4'::inet) AS text_inet, text('10.0.0.0/8'::cidr) AS text_cidr, '1.2.3.4'::inet::text AS cast_text, '10.0.0.0/8'::cidr::text AS cidr_text;
SELECT inet_same_family('1.2.3.4'::inet, '::1'::inet) AS differ, inet_same_family('1.2.3.4'::inet, '5.6.7.8/8'::inet) AS same;
SELECT inet_merge('192.168.1.5/24'::inet, '192.168.2.5/24'::inet) AS merged, inet_merge('10.0.0.1'::inet, '10.0.0.1'::inet) AS same_host, inet_merge('::1'::inet, '::2'::inet) AS merged6;
SELECT inet_merge('1.2.3.4'::inet, '::1'::inet);
SELECT host(NULL::inet) AS null_host, masklen(NULL) AS null_masklen;
-- Casts.
SELECT '192.168.1.5/24'::inet::cidr AS to_cidr, '10.0.0.0/8'::cidr::inet AS to_inet, '1.2.3.4'::text::inet AS from_text, '10.1'::varchar::cidr AS from_varchar;
SELECT pg_typeof('1.2.3.4'::inet), pg_typeof('1.2.3.0/24'::cidr), pg_typeof(network('1.2.3.4'::inet)), pg_typeof('1.2.3.4'::inet - '1.2.3.0'::inet);
SELECT '1.2.3.4'::inet::int;
SELECT 1::inet;
-- Arrays.
SELECT ARRAY['1.2.3.4', NULL, '::1/64']::inet[] AS inets, '{10/8,192.168/16}'::cidr[] AS cidrs;
SELECT '1.2.3.4'::inet = ANY ('{1.2.3.4,5.6.7.8}'::inet[]) AS any_eq;
-- Tables, indexes, ORDER BY.
CREATE TABLE hosts (id int PRIMARY KEY, addr inet, net cidr);
INSERT INTO hosts VALUES (1, '192.168.1.5/24', '192.168.1.0/24'), (2, '10.0.0.1', '10.0.0.0/8'), (3, '::1', '::/0'), (4, NULL, NULL), (5, '10.0.0.0/8', '10.0.0.0/16'), (6, '192.168.1.5', '192.168.0.0/16');
INSERT INTO hosts VALUES (7, '1.2.3.4', '1.2.3.4/8');
INSERT INTO hosts VALUES (8, 'nonsense', NULL);
SELECT id, addr, net FROM hosts ORDER BY addr, id;
SELECT id, net FROM hosts ORDER BY net DESC NULLS LAST, id;
CREATE INDEX hosts_addr ON hosts (addr);
CREATE UNIQUE INDEX hosts_net ON hosts (net);
SELECT id FROM hosts WHERE addr = '192.168.1.5' ORDER BY id;
SELECT id FROM hosts WHERE addr > '10.0.0.0' AND addr < '192.168.255.255' ORDER BY addr;
SELECT h.id, n.id AS in_net FROM hosts h JOIN hosts n ON h.addr << n.net ORDER BY h.id, n.id;
SELECT net, count(*) FROM hosts GROUP BY net ORDER BY net;
INSERT INTO hosts VALUES (9, '1.1.1.1', '10.0.0.0/8');
SELECT min(addr), max(addr) FROM hosts;
DROP TABLE hosts;
-- The catalog.
SELECT oid, typname, typlen, typbyval, typcategory, typispreferred, typarray, typinput, typoutput, typreceive, typsend, typalign, typstorage FROM pg_type WHERE oid IN (869, 650, 1041, 651) ORDER BY oid;
SELECT oid, opcname, opcfamily, opcintype, opcdefault FROM pg_opclass WHERE oid = 10015;
CREATE TABLE ncols (a inet, b cidr);
CREATE INDEX ncols_a ON ncols (a);
CREATE INDEX ncols_b ON ncols (b);
SELECT c.relname, o.opcname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid, unnest(i.indclass) AS k(cls) JOIN pg_opclass o ON o.oid = k.cls WHERE i.indrelid = 'ncols'::regclass ORDER BY 1;
DROP TABLE ncols;
