// SPDX-License-Identifier: GPL-2.0-only
/* Size, count-list and duration parsing. */
#include "config.h"

#include "tap.h"
#include "units.h"
#include "util.h"

int main(void)
{
	char err[256];
	uint64_t v;
	unsigned *l;
	size_t n;

	plan(32);
	is_int(parse_size("4G", &v, err, sizeof(err)), 0, "4G parses");
	is_int(v, 4 * GiB, "4G is 4 GiB");
	parse_size("512M", &v, err, sizeof(err));
	is_int(v, 512 * MiB, "512M");
	parse_size("2m", &v, err, sizeof(err));
	is_int(v, 2 * MiB, "suffix is case-insensitive");
	parse_size("1GiB", &v, err, sizeof(err));
	is_int(v, GiB, "GiB suffix");
	parse_size("4096", &v, err, sizeof(err));
	is_int(v, 4096, "plain bytes");
	parse_size("6T", &v, err, sizeof(err));
	is_int(v, 6 * TiB, "T suffix");
	is_int(parse_size("-1G", &v, err, sizeof(err)), -1, "-1G is rejected");
	ok(strstr(err, "positive") != NULL, "-1G error says why: %s", err);
	is_int(parse_size("4Q", &v, err, sizeof(err)), -1, "4Q is rejected");
	ok(strstr(err, "unknown suffix 'Q'") != NULL, "4Q error names the suffix: %s", err);
	is_int(parse_size("", &v, err, sizeof(err)), -1, "empty is rejected");
	is_int(parse_size("1.5G", &v, err, sizeof(err)), -1, "fractions are rejected");
	is_int(parse_size("G", &v, err, sizeof(err)), -1, "suffix alone is rejected");
	is_int(parse_size("99999999999999999999", &v, err, sizeof(err)), -1, "overflow is rejected");
	is_int(parse_size("17179869184G", &v, err, sizeof(err)), -1, "overflow by suffix is rejected");

	is_int(parse_count_list("1,2,4", &l, &n, err, sizeof(err)), 0, "1,2,4 parses");
	ok(n == 3 && l[0] == 1 && l[1] == 2 && l[2] == 4, "1,2,4 gives three values");
	free(l);
	is_int(parse_count_list("1:1024", &l, &n, err, sizeof(err)), 0, "1:1024 parses");
	ok(n == 11 && l[0] == 1 && l[10] == 1024, "1:1024 gives the 11 powers of two");
	free(l);
	parse_count_list("1:1000", &l, &n, err, sizeof(err));
	ok(n == 11 && l[9] == 512 && l[10] == 1000, "1:1000 ends with 512 and 1000");
	free(l);
	parse_count_list("8,1,8,3", &l, &n, err, sizeof(err));
	ok(n == 3 && l[0] == 1 && l[1] == 3 && l[2] == 8, "lists are sorted and deduplicated");
	free(l);
	is_int(parse_count_list("0,1", &l, &n, err, sizeof(err)), -1, "0 processes is rejected");
	is_int(parse_count_list("1,,2", &l, &n, err, sizeof(err)), -1, "empty element is rejected");
	is_int(parse_count_list("4:2", &l, &n, err, sizeof(err)), -1, "descending range is rejected");
	is_int(parse_count_list("1,x", &l, &n, err, sizeof(err)), -1, "junk is rejected");

	is_int(parse_duration("30s", &v, err, sizeof(err)), 0, "30s parses");
	is_int(v, 30000000000ull, "30s in ns");
	parse_duration("5m", &v, err, sizeof(err));
	is_int(v, 300000000000ull, "5m is five minutes");
	is_int(parse_duration("5x", &v, err, sizeof(err)), -1, "5x is rejected");
	{
		char b[32];

		is_str(format_size(2101248, b, sizeof(b)), "2.00 MiB", "format_size 2,101,248");
		is_str(format_size_short(2 * MiB, b, sizeof(b)), "2M", "format_size_short 2M");
	}
	return done_testing();
}
