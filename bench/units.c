// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "units.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_digits(const char **sp, uint64_t *out, char *err, size_t errlen, const char *what)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s)) {
		errf(err, errlen, "%s must start with a digit", what);
		return -1;
	}
	while (isdigit((unsigned char)*s)) {
		unsigned d = *s - '0';

		if (v > (UINT64_MAX - d) / 10) {
			errf(err, errlen, "%s is too large", what);
			return -1;
		}
		v = v * 10 + d;
		s++;
	}
	*sp = s;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
	static const struct { const char *sfx; unsigned shift; } sfx[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KB", 10 }, { "KIB", 10 },
		{ "M", 20 }, { "MB", 20 }, { "MIB", 20 },
		{ "G", 30 }, { "GB", 30 }, { "GIB", 30 },
		{ "T", 40 }, { "TB", 40 }, { "TIB", 40 },
		{ "P", 50 }, { "PB", 50 }, { "PIB", 50 },
	};
	const char *p = s;
	uint64_t v;

	if (!s || !*s) {
		errf(err, errlen, "empty size");
		return -1;
	}
	if (*s == '-' || *s == '+') {
		errf(err, errlen, "size '%s' must be a positive number with an optional K/M/G/T suffix", s);
		return -1;
	}
	if (parse_digits(&p, &v, err, errlen, "size") < 0) {
		errf(err, errlen, "size '%s' must be a number with an optional K/M/G/T suffix", s);
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		if (strcasecmp(p, sfx[i].sfx))
			continue;
		if (sfx[i].shift && v > (UINT64_MAX >> sfx[i].shift)) {
			errf(err, errlen, "size '%s' is too large", s);
			return -1;
		}
		*out = v << sfx[i].shift;
		return 0;
	}
	errf(err, errlen, "size '%s' has an unknown suffix '%s' (use K, M, G or T)", s, p);
	return -1;
}

int parse_u64(const char *s, uint64_t *out, char *err, size_t errlen)
{
	const char *p = s;

	if (!s || !*s || parse_digits(&p, out, err, errlen, "number") < 0 || *p) {
		errf(err, errlen, "'%s' is not a non-negative integer", s ? s : "");
		return -1;
	}
	return 0;
}

int parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen)
{
	static const struct { const char *sfx; uint64_t mult; } sfx[] = {
		{ "", 1000000000ull }, { "s", 1000000000ull }, { "ms", 1000000ull },
		{ "us", 1000ull }, { "m", 60000000000ull }, { "min", 60000000000ull },
		{ "h", 3600000000000ull },
	};
	const char *p = s;
	uint64_t v;

	if (!s || !*s || parse_digits(&p, &v, err, errlen, "duration") < 0) {
		errf(err, errlen, "duration '%s' must be a number with an optional s/ms/m/h suffix", s ? s : "");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		if (strcmp(p, sfx[i].sfx))
			continue;
		if (v > UINT64_MAX / sfx[i].mult) {
			errf(err, errlen, "duration '%s' is too large", s);
			return -1;
		}
		*ns = v * sfx[i].mult;
		return 0;
	}
	errf(err, errlen, "duration '%s' has an unknown suffix '%s' (use s, ms, m or h)", s, p);
	return -1;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int parse_count_list(const char *s, unsigned **valsp, size_t *np, char *err, size_t errlen)
{
	unsigned *vals = NULL;
	size_t n = 0, cap = 0;
	const char *p = s;

	if (!s || !*s) {
		errf(err, errlen, "empty list");
		return -1;
	}
	while (*p) {
		uint64_t lo, hi;

		if (parse_digits(&p, &lo, err, errlen, "list element") < 0)
			goto bad;
		hi = lo;
		if (*p == ':') {
			p++;
			if (parse_digits(&p, &hi, err, errlen, "list element") < 0)
				goto bad;
		}
		if (lo < 1 || hi < lo || hi > 1000000) {
			errf(err, errlen, "list '%s': values must be between 1 and 1000000, ranges low:high", s);
			goto fail;
		}
		for (uint64_t v = lo; v <= hi; v *= 2) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				vals = xrealloc(vals, cap * sizeof(*vals));
			}
			vals[n++] = (unsigned)v;
			if (v == hi)
				break;
			if (v * 2 > hi && v != hi) {
				/* "1:1000" ends with 512 and 1000 */
				if (n == cap) {
					cap *= 2;
					vals = xrealloc(vals, cap * sizeof(*vals));
				}
				vals[n++] = (unsigned)hi;
				break;
			}
		}
		if (*p == ',') {
			p++;
			if (!*p)
				goto bad;
		} else if (*p) {
			goto bad;
		}
	}
	qsort(vals, n, sizeof(*vals), cmp_unsigned);
	{
		size_t w = 0;

		for (size_t i = 0; i < n; i++)
			if (!w || vals[w - 1] != vals[i])
				vals[w++] = vals[i];
		n = w;
	}
	*valsp = vals;
	*np = n;
	return 0;
bad:
	errf(err, errlen, "list '%s' must look like 1,2,4 or 1:1024 (powers of two)", s);
fail:
	free(vals);
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int parse_size_list(const char *s, uint64_t **valsp, size_t *np, char *err, size_t errlen)
{
	uint64_t *vals = NULL;
	size_t n = 0, cap = 0;
	char *copy, *tok, *save = NULL;

	if (!s || !*s || s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,"))
		return errf(err, errlen, "size list '%s' must look like 64M,256M,1G or 256M:4G (doubling)", s ? s : "");
	copy = xstrdup(s);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		uint64_t lo, hi;

		if (colon)
			*colon = '\0';
		if (parse_size(tok, &lo, err, errlen) < 0)
			goto fail;
		hi = lo;
		if (colon && parse_size(colon + 1, &hi, err, errlen) < 0)
			goto fail;
		if (!lo || hi < lo) {
			errf(err, errlen, "size list '%s': sizes must be more than 0, ranges low:high", s);
			goto fail;
		}
		for (uint64_t v = lo;; v *= 2) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				vals = xrealloc(vals, cap * sizeof(*vals));
			}
			vals[n++] = v > hi ? hi : v;
			if (v >= hi || v > UINT64_MAX / 2)
				break;
		}
	}
	free(copy);
	qsort(vals, n, sizeof(*vals), cmp_u64);
	{
		size_t w = 0;

		for (size_t i = 0; i < n; i++)
			if (!w || vals[w - 1] != vals[i])
				vals[w++] = vals[i];
		n = w;
	}
	*valsp = vals;
	*np = n;
	return 0;
fail:
	free(copy);
	free(vals);
	return -1;
}

char *format_size(uint64_t b, char *buf, size_t len)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned i = 0;
	double v = b;

	while (v >= 1024 && i + 1 < ARRAY_SIZE(u)) {
		v /= 1024;
		i++;
	}
	if (v == (uint64_t)v)
		snprintf(buf, len, "%llu %s", (unsigned long long)v, u[i]);
	else
		snprintf(buf, len, "%.2f %s", v, u[i]);
	return buf;
}

char *format_size_short(uint64_t b, char *buf, size_t len)
{
	static const char u[] = "KMGTP";

	for (int i = 4; i >= 0; i--) {
		uint64_t m = UINT64_C(1) << (10 * (i + 1));

		if (b && b % m == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(b / m), u[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)b);
	return buf;
}
