/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json: a small JSON document model with a writer and a strict parser.
 * Results are built as documents, written as JSON, flattened to CSV, and
 * read back by the tests and harness/compare through the same code.
 * Objects keep insertion order, so output is stable and diffable.
 */
#ifndef PTSHARE_JSON_H
#define PTSHARE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	bool is_int;		/* JSON_NUMBER written/parsed as an integer */
	bool b;
	int64_t i;
	double d;
	char *s;
	size_t n, cap;		/* array items / object members */
	struct json **items;
	char **keys;
};

struct json *json_null(void);
struct json *json_bool(bool b);
struct json *json_int(int64_t v);
struct json *json_num(double v);	/* NaN and infinities become null */
struct json *json_str(const char *s);	/* NULL becomes null */
struct json *json_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct json *json_arr(void);
struct json *json_obj(void);
void json_free(struct json *j);
struct json *json_dup(const struct json *j);

/* Ownership of @v passes to the container.  Returns @v. */
struct json *json_push(struct json *arr, struct json *v);
struct json *json_set(struct json *obj, const char *key, struct json *v);

struct json *json_get(const struct json *obj, const char *key);
/* "a.b.0.c" through nested objects and arrays; NULL when a step is missing. */
struct json *json_get_path(const struct json *obj, const char *path);
struct json *json_at(const struct json *arr, size_t i);
size_t json_len(const struct json *j);

/* Typed reads: 0 on success, -1 when absent or of another type. */
int json_get_number(const struct json *obj, const char *key, double *out);
int json_get_int(const struct json *obj, const char *key, int64_t *out);
const char *json_get_string(const struct json *obj, const char *key);
bool json_is_number(const struct json *j);
double json_number(const struct json *j);

/* Writer.  @indent 0 gives one line; otherwise pretty with that width. */
void json_write(FILE *f, const struct json *j, int indent);
char *json_to_string(const struct json *j, int indent);

/* Strict RFC 8259 parser.  NULL on error with "line L column C: reason". */
struct json *json_parse(const char *text, char *err, size_t errlen);
struct json *json_parse_file(const char *path, char *err, size_t errlen);

/* A string escaped for CSV (quoted when needed); caller frees. */
char *csv_quote(const char *s);
/* Write one CSV field (NULL: empty), then ',' or, for the last, a newline. */
void csv_put(FILE *f, const char *s, bool last);

#endif
