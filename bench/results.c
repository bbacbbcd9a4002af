// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "results.h"
#include "json.h"
#include "meta.h"
#include "pin.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct result_case {
	struct json *obj;
};

struct result_doc {
	struct json *root;
	struct json *cases;
	struct result_case **cv;
	size_t ncases;
	char run_id[128];
	const char **columns;
	unsigned ncolumns;
};

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Quote an argument for a shell so the command can be pasted back. */
static void append_quoted(char **s, size_t *len, FILE *f, const char *arg)
{
	(void)s;
	(void)len;
	if (*arg && !strpbrk(arg, " \t\n'\"\\$`!*?[]{}();&|<>~#")) {
		fputs(arg, f);
		return;
	}
	fputc('\'', f);
	for (const char *p = arg; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputc('\'', f);
}

struct result_doc *results_new(const char *benchmark, int argc, char **argv, uint64_t seed)
{
	struct result_doc *rd = xcalloc(1, sizeof(*rd));
	struct json *run;
	char ts[64], stamp[32];
	char *cmd = NULL;
	size_t cmdlen = 0;
	FILE *f;
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(rd->run_id, sizeof(rd->run_id), "%s-%s-%ld", benchmark, stamp, (long)getpid());

	f = open_memstream(&cmd, &cmdlen);
	for (int i = 0; i < argc; i++) {
		if (i)
			fputc(' ', f);
		append_quoted(NULL, NULL, f, argv[i]);
	}
	fclose(f);

	rd->root = json_obj();
	json_set(rd->root, "schema", json_str("ptshare-result/1"));
	json_set(rd->root, "benchmark", json_str(benchmark));
	json_set(rd->root, "suite", meta_suite());
	run = json_set(rd->root, "run", json_obj());
	json_set(run, "id", json_str(rd->run_id));
	json_set(run, "command", json_str(cmd));
	json_set(run, "seed", json_int((int64_t)seed));
	utc_now(ts, sizeof(ts));
	json_set(run, "started_utc", json_str(ts));
	free(cmd);
	json_set(rd->root, "machine", meta_machine());
	{
		/* The hwloc topology with every result (null when built without hwloc). */
		char *xml = pin_topology_xml();
		struct json *topo = json_set(rd->root, "topology", json_obj());

		json_set(topo, "format", json_str(xml ? "hwloc-xml" : "none (built without hwloc)"));
		json_set(topo, "xml", json_str(xml));
		free(xml);
	}
	rd->cases = json_arr();
	return rd;
}

void results_free(struct result_doc *rd)
{
	if (!rd)
		return;
	json_free(rd->root);
	json_free(rd->cases);
	for (size_t i = 0; i < rd->ncases; i++)
		free(rd->cv[i]);
	free(rd->cv);
	free(rd->columns);
	free(rd);
}

struct json *results_root(struct result_doc *rd) { return rd->root; }
const char *results_run_id(const struct result_doc *rd) { return rd->run_id; }

struct json *results_section(struct result_doc *rd, const char *name)
{
	struct json *s = json_get(rd->root, name);

	return s ? s : json_set(rd->root, name, json_obj());
}

void results_warn(struct result_doc *rd, const char *fmt, ...)
{
	struct json *w = json_get(rd->root, "warnings");
	char *s;
	va_list ap;

	if (!w)
		w = json_set(rd->root, "warnings", json_arr());
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	msg_warn("%s", s);
	json_push(w, json_str(s));
	free(s);
}

struct result_case *results_case(struct result_doc *rd, const char *id)
{
	struct result_case *c;

	for (size_t i = 0; i < rd->ncases; i++)
		if (!strcmp(json_get_string(rd->cv[i]->obj, "id"), id))
			return rd->cv[i];
	c = xcalloc(1, sizeof(*c));
	c->obj = json_push(rd->cases, json_obj());
	json_set(c->obj, "id", json_str(id));
	json_set(c->obj, "params", json_obj());
	json_set(c->obj, "metrics", json_obj());
	json_set(c->obj, "observations", json_obj());
	json_set(c->obj, "repetitions", json_arr());
	rd->cv = xrealloc(rd->cv, (rd->ncases + 1) * sizeof(*rd->cv));
	rd->cv[rd->ncases++] = c;
	return c;
}

struct json *case_params(struct result_case *c) { return json_get(c->obj, "params"); }
struct json *case_observations(struct result_case *c) { return json_get(c->obj, "observations"); }

const char *metric_unit(const char *name)
{
	static const char *const units[] = {
		"bytes", "pages", "ns", "us", "ms", "s", "count", "ratio", "pct", "per_gib",
		"bytes_per_s", "iops", "mib_per_s",
	};
	const char *best = "";
	size_t nl = strlen(name);

	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		size_t ul = strlen(units[i]);

		if (nl > ul + 1 && name[nl - ul - 1] == '_' && !strcmp(name + nl - ul, units[i]) &&
		    strlen(units[i]) > strlen(best))
			best = units[i];
	}
	return best;
}

static struct json *metric_obj(struct result_case *c, const char *metric)
{
	struct json *metrics = json_get(c->obj, "metrics"), *m = json_get(metrics, metric);

	if (m)
		return m;
	m = json_set(metrics, metric, json_obj());
	json_set(m, "unit", json_str(metric_unit(metric)));
	json_set(m, "better", json_str("lower"));
	json_set(m, "values", json_arr());
	return m;
}

void case_value(struct result_case *c, const char *metric, double v)
{
	struct json *vals = json_get(metric_obj(c, metric), "values");

	if (v == floor(v) && fabs(v) < 9e15)
		json_push(vals, json_int((int64_t)v));
	else
		json_push(vals, json_num(v));
}

void case_metric_higher_is_better(struct result_case *c, const char *metric)
{
	json_set(metric_obj(c, metric), "better", json_str("higher"));
}

void case_repetition(struct result_case *c, struct json *detail)
{
	json_push(json_get(c->obj, "repetitions"), detail);
}

static size_t metric_values(const struct json *m, double **out)
{
	const struct json *vals = json_get(m, "values");
	size_t n = 0;

	*out = xcalloc(json_len(vals) + 1, sizeof(double));
	for (size_t i = 0; i < json_len(vals); i++)
		if (json_is_number(json_at(vals, i)))
			(*out)[n++] = json_number(json_at(vals, i));
	return n;
}

double case_median(struct result_case *c, const char *metric)
{
	struct json *m = json_get(json_get(c->obj, "metrics"), metric);
	double *v, r;
	size_t n;

	if (!m)
		return NAN;
	n = metric_values(m, &v);
	r = n ? percentile(v, n, 50) : NAN;
	free(v);
	return r;
}

void results_table_columns(struct result_doc *rd, const char *const *metrics, unsigned n)
{
	rd->columns = xrealloc(rd->columns, n * sizeof(*rd->columns));
	memcpy(rd->columns, metrics, n * sizeof(*metrics));
	rd->ncolumns = n;
}

static void summarize_metrics(struct result_doc *rd)
{
	for (size_t i = 0; i < rd->ncases; i++) {
		struct json *metrics = json_get(rd->cv[i]->obj, "metrics");

		for (size_t k = 0; k < json_len(metrics); k++) {
			struct json *m = metrics->items[k];
			struct summary s;
			double *v;
			size_t n = metric_values(m, &v);

			summarize(v, n, &s);
			free(v);
			json_set(m, "n", json_int(n));
			json_set(m, "median", json_num(s.median));
			json_set(m, "mean", json_num(s.mean));
			json_set(m, "stddev", json_num(s.stddev));
			json_set(m, "min", json_num(s.min));
			json_set(m, "max", json_num(s.max));
			json_set(m, "cov", json_num(s.cov));
		}
	}
}

static FILE *open_out(const char *path, bool *close_it)
{
	FILE *f;

	*close_it = false;
	if (!strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		msg_err("cannot write %s: %s", path, strerror(errno));
	*close_it = f != NULL;
	return f;
}

static int write_json(const struct json *doc, const char *path)
{
	bool cl;
	FILE *f = open_out(path, &cl);

	if (!f)
		return -1;
	json_write(f, doc, 2);
	if (cl && fclose(f) != 0) {
		msg_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int results_write_csv(const struct json *doc, const char *path)
{
	const struct json *cases = json_get(doc, "cases");
	const char *run_id = json_get_string(json_get(doc, "run"), "id");
	const char *bench = json_get_string(doc, "benchmark");
	const char *backing = json_get_string(json_get(doc, "backing"), "kind");
	const char *kernel = json_get_string(json_get(doc, "machine"), "kernel_release");
	bool cl;
	FILE *f = open_out(path, &cl);

	if (!f)
		return -1;
	fputs("run_id,benchmark,backing,kernel_release,case,metric,unit,repetition,value\n", f);
	for (size_t i = 0; i < json_len(cases); i++) {
		const struct json *c = json_at(cases, i), *metrics = json_get(c, "metrics");

		for (size_t k = 0; k < json_len(metrics); k++) {
			const struct json *m = metrics->items[k], *vals = json_get(m, "values");

			for (size_t r = 0; r < json_len(vals); r++) {
				char num[64];
				const struct json *v = json_at(vals, r);

				csv_put(f, run_id, false);
				csv_put(f, bench, false);
				csv_put(f, backing, false);
				csv_put(f, kernel, false);
				csv_put(f, json_get_string(c, "id"), false);
				csv_put(f, metrics->keys[k], false);
				csv_put(f, json_get_string(m, "unit"), false);
				fprintf(f, "%zu,", r);
				if (!json_is_number(v))
					num[0] = '\0';
				else if (v->is_int)
					snprintf(num, sizeof(num), "%lld", (long long)v->i);
				else
					snprintf(num, sizeof(num), "%.17g", v->d);
				csv_put(f, num, true);
			}
		}
	}
	if (cl && fclose(f) != 0) {
		msg_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A table cell: plain digits for large values (ns counts read badly as 1.2e+08). */
static void format_number(char *buf, size_t len, double v)
{
	if (fabs(v) >= 1e5 && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.6g", v);
}

static void format_cell(struct result_doc *rd, size_t i, unsigned k, char *cell, size_t len)
{
	struct json *m = json_get(json_get(rd->cv[i]->obj, "metrics"), rd->columns[k]);
	char num[40];
	double med, sd;

	if (!m) {
		/* A column may name a per-case observation (a model value). */
		struct json *ob = json_get(json_get(rd->cv[i]->obj, "observations"), rd->columns[k]);

		if (json_is_number(ob))
			format_number(cell, len, json_number(ob));
		else
			snprintf(cell, len, "-");
	} else if (json_get_number(m, "median", &med) < 0) {
		snprintf(cell, len, "-");
	} else {
		format_number(num, sizeof(num), med);
		if (json_get_number(m, "stddev", &sd) == 0 && sd > 0 && med != 0)
			snprintf(cell, len, "%s ±%.1f%%", num, 100 * sd / fabs(med));
		else
			snprintf(cell, len, "%s", num);
	}
}

static void print_table(struct result_doc *rd)
{
	FILE *f = stdout;
	int idw = 4, *w;
	char cell[64];

	if (!rd->ncolumns)
		return;
	w = xcalloc(rd->ncolumns, sizeof(*w));
	for (unsigned k = 0; k < rd->ncolumns; k++) {
		w[k] = (int)strlen(rd->columns[k]);
		for (size_t i = 0; i < rd->ncases; i++) {
			int l;

			format_cell(rd, i, k, cell, sizeof(cell));
			/* "±" is two bytes and one column */
			l = (int)strlen(cell) - (strstr(cell, "±") ? 1 : 0);
			if (l > w[k])
				w[k] = l;
		}
	}
	for (size_t i = 0; i < rd->ncases; i++) {
		int l = (int)strlen(json_get_string(rd->cv[i]->obj, "id"));

		if (l > idw)
			idw = l;
	}
	fprintf(f, "%-*s", idw, "case");
	for (unsigned k = 0; k < rd->ncolumns; k++)
		fprintf(f, "  %*s", w[k], rd->columns[k]);
	fputc('\n', f);
	for (size_t i = 0; i < rd->ncases; i++) {
		fprintf(f, "%-*s", idw, json_get_string(rd->cv[i]->obj, "id"));
		for (unsigned k = 0; k < rd->ncolumns; k++) {
			format_cell(rd, i, k, cell, sizeof(cell));
			fprintf(f, "  %*s", w[k] + (strstr(cell, "±") ? 1 : 0), cell);
		}
		fputc('\n', f);
	}
	fprintf(f, "(median of repetitions; ± is the coefficient of variation)\n");
	free(w);
}

int results_finish(struct result_doc *rd, const struct output_opts *o)
{
	char ts[64];
	int rc = 0;

	summarize_metrics(rd);
	utc_now(ts, sizeof(ts));
	json_set(json_get(rd->root, "run"), "finished_utc", json_str(ts));
	/* Cases go last: metadata first is what a reader looks at. */
	json_set(rd->root, "cases", rd->cases);
	rd->cases = json_arr();

	if (o->json_path && write_json(rd->root, o->json_path) < 0)
		rc = -1;
	if (o->csv_path && results_write_csv(rd->root, o->csv_path) < 0)
		rc = -1;
	if (o->out_dir) {
		char *jp, *cp;

		if (mkdir(o->out_dir, 0755) < 0 && errno != EEXIST) {
			msg_err("cannot create %s: %s", o->out_dir, strerror(errno));
			return -1;
		}
		jp = xasprintf("%s/%s.json", o->out_dir, rd->run_id);
		cp = xasprintf("%s/%s.csv", o->out_dir, rd->run_id);
		if (write_json(rd->root, jp) < 0 || results_write_csv(rd->root, cp) < 0)
			rc = -1;
		else if (!o->quiet)
			msg_info("results: %s", jp);
		free(jp);
		free(cp);
	}
	if (!o->quiet && !(o->json_path && !strcmp(o->json_path, "-")) &&
	    !(o->csv_path && !strcmp(o->csv_path, "-")))
		print_table(rd);
	return rc;
}
