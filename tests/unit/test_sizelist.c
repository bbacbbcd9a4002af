// SPDX-License-Identifier: GPL-2.0-only
/* parse_size_list(): the --sizes lists of ptshare fork and exit. */
#include "config.h"

#include "tap.h"
#include "units.h"
#include "util.h"

static int list_is(const char *s, const uint64_t *want, size_t n)
{
	uint64_t *v = NULL;
	size_t got = 0;
	char err[256];
	int same;

	if (parse_size_list(s, &v, &got, err, sizeof(err)) < 0) {
		printf("#   '%s': %s\n", s, err);
		return 0;
	}
	same = got == n && !memcmp(v, want, n * sizeof(*v));
	free(v);
	return same;
}

static int rejects(const char *s, const char *why)
{
	uint64_t *v = NULL;
	size_t n;
	char err[256] = "";
	int r = parse_size_list(s, &v, &n, err, sizeof(err)) < 0 && strstr(err, why) && !strchr(err, '\n');

	if (!r)
		printf("#   '%s': got '%s', want '%s'\n", s, err, why);
	free(v);
	return r;
}

int main(void)
{
	const uint64_t one[] = { GiB }, three[] = { 64 * MiB, 256 * MiB, GiB };
	const uint64_t dbl[] = { 256 * MiB, 512 * MiB, GiB, 2 * GiB, 4 * GiB };
	const uint64_t odd[] = { 256 * MiB, 512 * MiB, 1000 * MiB }, mix[] = { 4096, 64 * MiB, 128 * MiB, GiB };

	plan(10);
	ok(list_is("1G", one, 1), "one size");
	ok(list_is("1G,64M,256M,64M", three, 3), "a list is sorted and duplicates dropped");
	ok(list_is("256M:4G", dbl, 5), "low:high doubles from low");
	ok(list_is("256M:1000M", odd, 3), "a range ends with its high value");
	ok(list_is("64M:128M,4K,1G", mix, 4), "ranges and sizes mix");
	ok(rejects("0", "more than 0"), "0 is rejected");
	ok(rejects("1G,,2G", "must look like"), "an empty element is rejected");
	ok(rejects("2G:1G", "low:high"), "a backwards range is rejected");
	ok(rejects("4Q", "unknown suffix"), "an unknown suffix is rejected");
	ok(rejects("", "must look like"), "an empty list is rejected");
	return done_testing();
}
