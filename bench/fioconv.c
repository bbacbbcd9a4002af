// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "fioconv.h"
#include "json.h"
#include "results.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double fio_pct_levels[FIO_NPCT] = { 50, 90, 99, 99.9 };
static const char *const pct_names[FIO_NPCT] = { "p50", "p90", "p99", "p999" };
static const char *const dir_names[FIO_NDIRS] = { "read", "write", "trim" };

const char *fio_dir_name(int dir)
{
	return dir >= 0 && dir < FIO_NDIRS ? dir_names[dir] : "?";
}

/* A number fio wrote as a JSON number (or, in options, as a string). */
static int num(const struct json *o, const char *key, double *out)
{
	const struct json *v = json_get(o, key);

	if (json_is_number(v)) {
		*out = json_number(v);
		return 0;
	}
	return -1;
}

static double num_or(const struct json *o, const char *key, double dflt)
{
	double v;

	return num(o, key, &v) == 0 ? v : dflt;
}

/* "50.000000" -> the value at that level in a clat_ns "percentile" table. */
static double pct_at(const struct json *table, double level)
{
	for (size_t i = 0; table && table->type == JSON_OBJECT && i < table->n; i++) {
		char *end;
		double l = strtod(table->keys[i], &end);

		if (end != table->keys[i] && fabs(l - level) < 1e-6 && json_is_number(table->items[i]))
			return json_number(table->items[i]);
	}
	return NAN;
}

static int option_uint(const struct json *opts, const char *key, unsigned *out)
{
	const char *s = json_get_string(opts, key);
	char *end;
	unsigned long v;

	if (!s)
		return -1;
	v = strtoul(s, &end, 10);
	if (end == s || *end)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int read_job(const struct json *job, unsigned idx, struct fio_result *r, char *err, size_t errlen)
{
	const char *name = json_get_string(job, "jobname");
	double e;
	size_t l = strlen(r->jobnames);

	if (job->type != JSON_OBJECT)
		return errf(err, errlen, "jobs[%u] is not an object: not fio JSON output", idx);
	if (num(job, "error", &e) == 0 && e != 0)
		return errf(err, errlen, "fio job '%s' failed with error %d (%s)", name ? name : "?", (int)e,
			    strerror((int)e));
	if (name && l + strlen(name) + 2 < sizeof(r->jobnames) && !strstr(r->jobnames, name))
		snprintf(r->jobnames + l, sizeof(r->jobnames) - l, "%s%s", l ? "," : "", name);
	for (int d = 0; d < FIO_NDIRS; d++) {
		const struct json *o = json_get(job, dir_names[d]), *clat;
		struct fio_dir *fd = &r->dir[d];
		double io, n;

		if (!o) {
			if (d == FIO_TRIM)
				continue;
			return errf(err, errlen, "jobs[%u] has no \"%s\" figures: not fio JSON output", idx, dir_names[d]);
		}
		if (num(o, "io_bytes", &io) < 0)
			return errf(err, errlen, "jobs[%u].%s has no io_bytes: not fio JSON output", idx, dir_names[d]);
		if (io <= 0)
			continue;
		clat = json_get(o, "clat_ns");
		n = num_or(clat, "N", 0);
		if (!fd->present) {
			for (int k = 0; k < FIO_NPCT; k++)
				fd->clat_pct_ns[k] = NAN;
			fd->clat_max_ns = 0;
		}
		fd->present = true;
		fd->io_bytes += io;
		fd->bw_bytes_per_s += num_or(o, "bw_bytes", 0);
		fd->iops += num_or(o, "iops", 0);
		fd->total_ios += num_or(o, "total_ios", 0);
		/* Means weighted by samples; the worst job's tail. */
		fd->clat_mean_ns = fd->clat_samples + n > 0 ?
			(fd->clat_mean_ns * fd->clat_samples + num_or(clat, "mean", 0) * n) / (fd->clat_samples + n) : 0;
		fd->lat_mean_ns = fd->clat_samples + n > 0 ?
			(fd->lat_mean_ns * fd->clat_samples + num_or(json_get(o, "lat_ns"), "mean", 0) * n) /
			(fd->clat_samples + n) : 0;
		fd->clat_samples += n;
		if (num_or(clat, "max", 0) > fd->clat_max_ns)
			fd->clat_max_ns = num_or(clat, "max", 0);
		for (int k = 0; k < FIO_NPCT; k++) {
			double v = pct_at(json_get(clat, "percentile"), fio_pct_levels[k]);

			if (!isnan(v) && (isnan(fd->clat_pct_ns[k]) || v > fd->clat_pct_ns[k]))
				fd->clat_pct_ns[k] = v;
		}
	}
	r->minflt += num_or(job, "minf", 0);
	r->majflt += num_or(job, "majf", 0);
	r->ctx += num_or(job, "ctx", 0);
	r->usr_cpu_pct += num_or(job, "usr_cpu", 0);
	r->sys_cpu_pct += num_or(job, "sys_cpu", 0);
	return 0;
}

int fio_parse_text(const char *text, struct fio_result *r, char *err, size_t errlen)
{
	const struct json *jobs, *gopts;
	struct json *doc;
	char perr[256], *copy;
	const char *start = text;
	unsigned nj = 0;
	bool any = false;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	/* Skip notes fio printed before the document; keep the line numbers. */
	while (*start && *start != '{') {
		const char *nl = strchr(start, '\n');

		if (!nl) {
			start += strlen(start);
			break;
		}
		start = nl + 1;
	}
	if (!*start)
		return errf(err, errlen, "no JSON document (no line starting with '{'): not fio --output-format=json output");
	copy = xstrdup(text);
	for (char *p = copy; p < copy + (start - text); p++)
		if (*p != '\n')
			*p = ' ';
	doc = json_parse(copy, perr, sizeof(perr));
	free(copy);
	if (!doc)
		return errf(err, errlen, "not valid JSON: %s", perr);
	jobs = json_get(doc, "jobs");
	if (!jobs || jobs->type != JSON_ARRAY || !json_len(jobs)) {
		errf(err, errlen, "no \"jobs\" array: not fio --output-format=json output");
		goto out;
	}
	snprintf(r->version, sizeof(r->version), "%s",
		 json_get_string(doc, "fio version") ? json_get_string(doc, "fio version") : "unknown");
	gopts = json_get(doc, "global options");
	r->entries = (unsigned)json_len(jobs);
	for (unsigned i = 0; i < r->entries; i++) {
		const struct json *job = json_at(jobs, i);
		unsigned v;

		if (read_job(job, i, r, err, errlen) < 0)
			goto out;
		if (option_uint(json_get(job, "job options"), "numjobs", &v) == 0 ||
		    option_uint(gopts, "numjobs", &v) == 0)
			nj += v;
		else
			nj += 1;
		if (option_uint(json_get(job, "job options"), "group_reporting", &v) == 0 ||
		    option_uint(gopts, "group_reporting", &v) == 0)
			r->grouped = v != 0;
	}
	for (int d = 0; d < FIO_NDIRS; d++)
		any |= r->dir[d].present;
	if (!any) {
		errf(err, errlen, "fio moved no data (io_bytes 0 in every job and direction)");
		goto out;
	}
	/* With group_reporting an entry stands for numjobs processes; without, one each. */
	r->numjobs = r->grouped ? nj : r->entries;
	r->usr_cpu_pct /= r->entries;
	r->sys_cpu_pct /= r->entries;
	if (r->grouped && r->entries > 1)
		r->grouped = false;	/* several groups: combined here */
	rc = 0;
out:
	json_free(doc);
	return rc;
}

int fio_parse_file(const char *path, struct fio_result *r, char *err, size_t errlen)
{
	char *text = read_file_alloc(path, NULL), e[512];
	int rc;

	if (!text)
		return errf(err, errlen, "cannot read fio output %s: %s", path, strerror(errno));
	rc = fio_parse_text(text, r, e, sizeof(e));
	free(text);
	if (rc < 0)
		errf(err, errlen, "fio output %s: %s", path, e);
	return rc;
}

void fio_record(const struct fio_result *r, struct result_case *cs)
{
	char name[64];

	for (int d = 0; d < FIO_NDIRS; d++) {
		const struct fio_dir *fd = &r->dir[d];

		if (!fd->present)
			continue;
		snprintf(name, sizeof(name), "%s_bw_bytes_per_s", dir_names[d]);
		case_value(cs, name, fd->bw_bytes_per_s);
		case_metric_higher_is_better(cs, name);
		snprintf(name, sizeof(name), "%s_iops", dir_names[d]);
		case_value(cs, name, fd->iops);
		case_metric_higher_is_better(cs, name);
		for (int k = 0; k < FIO_NPCT; k++) {
			if (isnan(fd->clat_pct_ns[k]))
				continue;
			snprintf(name, sizeof(name), "%s_clat_%s_ns", dir_names[d], pct_names[k]);
			case_value(cs, name, fd->clat_pct_ns[k]);
		}
		snprintf(name, sizeof(name), "%s_clat_mean_ns", dir_names[d]);
		case_value(cs, name, fd->clat_mean_ns);
		snprintf(name, sizeof(name), "%s_clat_max_ns", dir_names[d]);
		case_value(cs, name, fd->clat_max_ns);
		snprintf(name, sizeof(name), "%s_lat_mean_ns", dir_names[d]);
		case_value(cs, name, fd->lat_mean_ns);
		snprintf(name, sizeof(name), "%s_io_bytes", dir_names[d]);
		case_value(cs, name, fd->io_bytes);
		case_metric_higher_is_better(cs, name);
	}
	case_value(cs, "minflt_count", r->minflt);
	case_value(cs, "majflt_count", r->majflt);
	case_value(cs, "minflt_per_job_count", r->numjobs ? r->minflt / r->numjobs : 0);
	case_value(cs, "ctx_count", r->ctx);
	case_value(cs, "usr_cpu_pct", r->usr_cpu_pct);
	case_value(cs, "sys_cpu_pct", r->sys_cpu_pct);
}

struct json *fio_describe(const struct fio_result *r)
{
	struct json *o = json_obj();

	json_set(o, "fio_version", json_str(r->version));
	json_set(o, "jobnames", json_str(r->jobnames));
	json_set(o, "job_entries_count", json_int(r->entries));
	json_set(o, "numjobs_count", json_int(r->numjobs));
	json_set(o, "combined", json_str(r->grouped ? "by fio (group_reporting)" :
		r->entries > 1 ? "here: bandwidth, IOPS, faults summed; mean latency weighted by samples; percentiles and max of the worst entry; CPU mean" :
		"one job"));
	for (int d = 0; d < FIO_NDIRS; d++) {
		const struct fio_dir *fd = &r->dir[d];
		char key[32];

		if (!fd->present)
			continue;
		snprintf(key, sizeof(key), "%s_total_ios_count", dir_names[d]);
		json_set(o, key, json_num(fd->total_ios));
		snprintf(key, sizeof(key), "%s_clat_samples_count", dir_names[d]);
		json_set(o, key, json_num(fd->clat_samples));
	}
	return o;
}
