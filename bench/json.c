// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "json.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static struct json *json_new(enum json_type t)
{
	struct json *j = xcalloc(1, sizeof(*j));

	j->type = t;
	return j;
}

struct json *json_null(void) { return json_new(JSON_NULL); }

struct json *json_bool(bool b)
{
	struct json *j = json_new(JSON_BOOL);

	j->b = b;
	return j;
}

struct json *json_int(int64_t v)
{
	struct json *j = json_new(JSON_NUMBER);

	j->is_int = true;
	j->i = v;
	j->d = (double)v;
	return j;
}

struct json *json_num(double v)
{
	struct json *j;

	if (!isfinite(v))
		return json_null();
	j = json_new(JSON_NUMBER);
	j->d = v;
	return j;
}

struct json *json_str(const char *s)
{
	struct json *j;

	if (!s)
		return json_null();
	j = json_new(JSON_STRING);
	j->s = xstrdup(s);
	return j;
}

struct json *json_strf(const char *fmt, ...)
{
	struct json *j = json_new(JSON_STRING);
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&j->s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return j;
}

struct json *json_arr(void) { return json_new(JSON_ARRAY); }
struct json *json_obj(void) { return json_new(JSON_OBJECT); }

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->s);
	free(j);
}

struct json *json_dup(const struct json *j)
{
	struct json *c;

	if (!j)
		return NULL;
	c = json_new(j->type);
	c->is_int = j->is_int;
	c->b = j->b;
	c->i = j->i;
	c->d = j->d;
	if (j->s)
		c->s = xstrdup(j->s);
	for (size_t i = 0; i < j->n; i++) {
		if (j->type == JSON_OBJECT)
			json_set(c, j->keys[i], json_dup(j->items[i]));
		else
			json_push(c, json_dup(j->items[i]));
	}
	return c;
}

static void grow(struct json *c)
{
	if (c->n < c->cap)
		return;
	c->cap = c->cap ? 2 * c->cap : 8;
	c->items = xrealloc(c->items, c->cap * sizeof(*c->items));
	if (c->type == JSON_OBJECT)
		c->keys = xrealloc(c->keys, c->cap * sizeof(*c->keys));
}

struct json *json_push(struct json *arr, struct json *v)
{
	if (arr->type != JSON_ARRAY)
		die("internal error: json_push on a non-array");
	grow(arr);
	arr->items[arr->n++] = v;
	return v;
}

struct json *json_set(struct json *obj, const char *key, struct json *v)
{
	if (obj->type != JSON_OBJECT)
		die("internal error: json_set on a non-object");
	for (size_t i = 0; i < obj->n; i++) {
		if (!strcmp(obj->keys[i], key)) {
			json_free(obj->items[i]);
			obj->items[i] = v;
			return v;
		}
	}
	grow(obj);
	obj->keys[obj->n] = xstrdup(key);
	obj->items[obj->n++] = v;
	return v;
}

struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

struct json *json_get_path(const struct json *obj, const char *path)
{
	char key[256];
	const char *p = path;

	while (obj && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		if (obj->type == JSON_ARRAY) {
			char *end;
			unsigned long i = strtoul(key, &end, 10);

			obj = *key && !*end ? json_at(obj, i) : NULL;
		} else {
			obj = json_get(obj, key);
		}
		p += len + (dot ? 1 : 0);
	}
	return (struct json *)obj;
}

struct json *json_at(const struct json *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY || i >= arr->n)
		return NULL;
	return arr->items[i];
}

size_t json_len(const struct json *j)
{
	return j && (j->type == JSON_ARRAY || j->type == JSON_OBJECT) ? j->n : 0;
}

bool json_is_number(const struct json *j) { return j && j->type == JSON_NUMBER; }
double json_number(const struct json *j) { return json_is_number(j) ? j->d : NAN; }

int json_get_number(const struct json *obj, const char *key, double *out)
{
	struct json *v = json_get(obj, key);

	if (!json_is_number(v))
		return -1;
	*out = v->d;
	return 0;
}

int json_get_int(const struct json *obj, const char *key, int64_t *out)
{
	struct json *v = json_get(obj, key);

	if (!json_is_number(v))
		return -1;
	if (v->is_int) {
		*out = v->i;
	} else {
		if (v->d != floor(v->d) || fabs(v->d) > 9.2e18)
			return -1;
		*out = (int64_t)v->d;
	}
	return 0;
}

const char *json_get_string(const struct json *obj, const char *key)
{
	struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->s : NULL;
}

/* ---- writer ---------------------------------------------------------- */

static void write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void write_number(FILE *f, const struct json *j)
{
	char buf[64];

	if (j->is_int) {
		fprintf(f, "%lld", (long long)j->i);
		return;
	}
	/* Shortest of %.15g/%.17g that reads back exactly. */
	snprintf(buf, sizeof(buf), "%.15g", j->d);
	if (strtod(buf, NULL) != j->d)
		snprintf(buf, sizeof(buf), "%.17g", j->d);
	fputs(buf, f);
}

static bool is_scalar_array(const struct json *j)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->items[i]->type == JSON_ARRAY || j->items[i]->type == JSON_OBJECT)
			return false;
	return true;
}

static void write_value(FILE *f, const struct json *j, int indent, int depth)
{
	bool pretty = indent > 0;

	switch (j->type) {
	case JSON_NULL: fputs("null", f); break;
	case JSON_BOOL: fputs(j->b ? "true" : "false", f); break;
	case JSON_NUMBER: write_number(f, j); break;
	case JSON_STRING: write_string(f, j->s); break;
	case JSON_ARRAY:
		if (!j->n) {
			fputs("[]", f);
			break;
		}
		if (is_scalar_array(j)) {
			/* Keep value lists on one line: readable and greppable. */
			fputc('[', f);
			for (size_t i = 0; i < j->n; i++) {
				if (i)
					fputs(pretty ? ", " : ",", f);
				write_value(f, j->items[i], indent, depth + 1);
			}
			fputc(']', f);
			break;
		}
		fputc('[', f);
		for (size_t i = 0; i < j->n; i++) {
			if (i)
				fputc(',', f);
			if (pretty)
				fprintf(f, "\n%*s", indent * (depth + 1), "");
			write_value(f, j->items[i], indent, depth + 1);
		}
		if (pretty)
			fprintf(f, "\n%*s", indent * depth, "");
		fputc(']', f);
		break;
	case JSON_OBJECT:
		if (!j->n) {
			fputs("{}", f);
			break;
		}
		fputc('{', f);
		for (size_t i = 0; i < j->n; i++) {
			if (i)
				fputc(',', f);
			if (pretty)
				fprintf(f, "\n%*s", indent * (depth + 1), "");
			write_string(f, j->keys[i]);
			fputs(pretty ? ": " : ":", f);
			write_value(f, j->items[i], indent, depth + 1);
		}
		if (pretty)
			fprintf(f, "\n%*s", indent * depth, "");
		fputc('}', f);
		break;
	}
}

void json_write(FILE *f, const struct json *j, int indent)
{
	write_value(f, j, indent, 0);
	if (indent)
		fputc('\n', f);
}

char *json_to_string(const struct json *j, int indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		die("out of memory");
	json_write(f, j, indent);
	fclose(f);
	return buf;
}

/* ---- parser ---------------------------------------------------------- */

struct parser {
	const char *start, *p;
	char *err;
	size_t errlen;
	int depth;
	bool failed;
};

static void perr(struct parser *ps, const char *what)
{
	int line = 1, col = 1;

	if (ps->failed)
		return;
	for (const char *q = ps->start; q < ps->p; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(ps->err, ps->errlen, "line %d column %d: %s", line, col, what);
	ps->failed = true;
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static struct json *parse_value(struct parser *ps);

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(char **o, unsigned cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = cp;
	} else if (cp < 0x800) {
		*q++ = 0xc0 | (cp >> 6);
		*q++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*q++ = 0xe0 | (cp >> 12);
		*q++ = 0x80 | ((cp >> 6) & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	} else {
		*q++ = 0xf0 | (cp >> 18);
		*q++ = 0x80 | ((cp >> 12) & 0x3f);
		*q++ = 0x80 | ((cp >> 6) & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	}
	*o = q;
}

static int parse_hex4(struct parser *ps, unsigned *cp)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		int h = hexval(ps->p[k]);

		if (h < 0) {
			perr(ps, "bad \\u escape");
			return -1;
		}
		v = v * 16 + h;
	}
	ps->p += 4;
	*cp = v;
	return 0;
}

static char *parse_string_raw(struct parser *ps)
{
	const char *q;
	char *out, *o;

	if (*ps->p != '"') {
		perr(ps, "expected a string");
		return NULL;
	}
	ps->p++;
	/* Escapes never expand, so the raw length bounds the output. */
	for (q = ps->p; *q && *q != '"'; q++)
		if (*q == '\\' && q[1])
			q++;
	out = o = xmalloc(q - ps->p + 1);
	while (*ps->p != '"') {
		unsigned char c = *ps->p;

		if (!c) {
			perr(ps, "unterminated string");
			goto fail;
		}
		if (c < 0x20) {
			perr(ps, "control character in string");
			goto fail;
		}
		if (c != '\\') {
			*o++ = c;
			ps->p++;
			continue;
		}
		ps->p++;
		switch (*ps->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (parse_hex4(ps, &cp) < 0)
				goto fail;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (ps->p[0] != '\\' || ps->p[1] != 'u') {
					perr(ps, "unpaired surrogate");
					goto fail;
				}
				ps->p += 2;
				if (parse_hex4(ps, &lo) < 0)
					goto fail;
				if (lo < 0xdc00 || lo > 0xdfff) {
					perr(ps, "bad low surrogate");
					goto fail;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				perr(ps, "unpaired surrogate");
				goto fail;
			}
			put_utf8(&o, cp);
			break;
		}
		default:
			ps->p--;
			perr(ps, "bad escape in string");
			goto fail;
		}
	}
	ps->p++;
	*o = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

static struct json *parse_number(struct parser *ps)
{
	const char *s = ps->p, *q = s;
	bool integer = true;
	char *end;

	if (*q == '-')
		q++;
	if (*q == '0') {
		q++;
	} else if (*q >= '1' && *q <= '9') {
		while (*q >= '0' && *q <= '9')
			q++;
	} else {
		perr(ps, "bad number");
		return NULL;
	}
	if (*q == '.') {
		integer = false;
		q++;
		if (!(*q >= '0' && *q <= '9')) {
			ps->p = q;
			perr(ps, "digit expected after decimal point");
			return NULL;
		}
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		integer = false;
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!(*q >= '0' && *q <= '9')) {
			ps->p = q;
			perr(ps, "digit expected in exponent");
			return NULL;
		}
		while (*q >= '0' && *q <= '9')
			q++;
	}
	ps->p = q;
	if (integer) {
		long long v;

		errno = 0;
		v = strtoll(s, &end, 10);
		if (!errno && end == q)
			return json_int(v);
	}
	return json_num(strtod(s, &end));
}

static bool match(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(ps->p, word, n))
		return false;
	ps->p += n;
	return true;
}

static struct json *parse_container(struct parser *ps, bool object)
{
	struct json *c = object ? json_obj() : json_arr();
	char close = object ? '}' : ']';

	if (++ps->depth > 200) {
		perr(ps, "nesting too deep");
		goto fail;
	}
	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return c;
	}
	for (;;) {
		char *key = NULL;
		struct json *v;

		skip_ws(ps);
		if (object) {
			key = parse_string_raw(ps);
			if (!key)
				goto fail;
			skip_ws(ps);
			if (*ps->p != ':') {
				free(key);
				perr(ps, "expected ':' after object key");
				goto fail;
			}
			ps->p++;
		}
		v = parse_value(ps);
		if (!v) {
			free(key);
			goto fail;
		}
		if (object) {
			json_set(c, key, v);
			free(key);
		} else {
			json_push(c, v);
		}
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			break;
		}
		perr(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto fail;
	}
	ps->depth--;
	return c;
fail:
	json_free(c);
	return NULL;
}

static struct json *parse_value(struct parser *ps)
{
	skip_ws(ps);
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"': {
		char *s = parse_string_raw(ps);
		struct json *j;

		if (!s)
			return NULL;
		j = json_new(JSON_STRING);
		j->s = s;
		return j;
	}
	case 't':
		if (match(ps, "true"))
			return json_bool(true);
		break;
	case 'f':
		if (match(ps, "false"))
			return json_bool(false);
		break;
	case 'n':
		if (match(ps, "null"))
			return json_null();
		break;
	case '\0':
		perr(ps, "unexpected end of input");
		return NULL;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps);
	}
	perr(ps, "unexpected character");
	return NULL;
}

struct json *json_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { .start = text, .p = text, .err = err, .errlen = errlen };
	struct json *j = parse_value(&ps);

	if (!j)
		return NULL;
	skip_ws(&ps);
	if (*ps.p) {
		perr(&ps, "trailing characters after the document");
		json_free(j);
		return NULL;
	}
	return j;
}

struct json *json_parse_file(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = read_file_alloc(path, &len);
	struct json *j;

	if (!text) {
		errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (strlen(text) != len) {
		errf(err, errlen, "%s: NUL byte in JSON text", path);
		free(text);
		return NULL;
	}
	j = json_parse(text, err, errlen);
	free(text);
	return j;
}

char *csv_quote(const char *s)
{
	size_t n = 2;
	char *out, *o;

	if (!strpbrk(s, ",\"\n\r"))
		return xstrdup(s);
	for (const char *p = s; *p; p++)
		n += *p == '"' ? 2 : 1;
	out = o = xmalloc(n + 1);
	*o++ = '"';
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			*o++ = '"';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

void csv_put(FILE *f, const char *s, bool last)
{
	char *q = csv_quote(s ? s : "");

	fputs(q, f);
	fputc(last ? '\n' : ',', f);
	free(q);
}
