/* SPDX-License-Identifier: GPL-2.0-only */
/* units: parsing and printing of sizes, counts, lists and durations. */
#ifndef PTSHARE_UNITS_H
#define PTSHARE_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * "4G", "4GiB", "512M", "2m", "4096", "1T".  Binary multiples only.
 * Rejects signs, fractions, overflow, trailing junk and unknown suffixes.
 * Returns 0, or -1 with a reason in @err.
 */
int parse_size(const char *s, uint64_t *out, char *err, size_t errlen);

/* A plain unsigned decimal (no suffix), e.g. a repetition count. */
int parse_u64(const char *s, uint64_t *out, char *err, size_t errlen);

/* "30", "30s", "500ms", "5m", "1h" -> nanoseconds. */
int parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen);

/*
 * Count list: "1,2,4,8", or "1:1024" for powers of two from 1 to 1024, or
 * a mix ("1,3,8:64").  Values must be >= 1; duplicates are dropped and the
 * result is sorted.  *vals is malloc'ed.
 */
int parse_count_list(const char *s, unsigned **vals, size_t *n, char *err, size_t errlen);

/*
 * Size list: "64M,256M,1G", or "256M:4G" for powers of two times the first
 * (256M, 512M, 1G, 2G, 4G), or a mix.  Sizes must be > 0; duplicates are
 * dropped and the result is sorted.  *vals is malloc'ed.
 */
int parse_size_list(const char *s, uint64_t **vals, size_t *n, char *err, size_t errlen);

/* "4 KiB", "2 MiB", "1 GiB", "1.5 GiB"; returns @buf. */
char *format_size(uint64_t bytes, char *buf, size_t len);
/* Compact "4K", "2M", "1G" (exact multiples only, else bytes). */
char *format_size_short(uint64_t bytes, char *buf, size_t len);

#endif
