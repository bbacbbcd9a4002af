// SPDX-License-Identifier: GPL-2.0-only
/*
 * fio's JSON output converted, on output stored from real fio 3.33 runs
 * on this project's build machine (tests/data/fio-*.json, made with
 * workloads/fio/ job files on a 16 MiB tmpfs file, 2 jobs, 1 s):
 *   fio-mmap-randread-grouped.json   mmap-randread.fio, group_reporting=1
 *   fio-mmap-randwrite-2jobs.json    mmap-randwrite.fio, group_reporting=0
 *   fio-libpmem-error.json           libpmem-randrw.fio on tmpfs: error 95
 *   fio-truncated.json               the first 3000 bytes of the first
 * The expected numbers are copied from those files by hand.
 */
#include "config.h"

#include "fioconv.h"
#include "json.h"
#include "results.h"
#include "tap.h"
#include "util.h"

static void test_grouped(void)
{
	struct fio_result r;
	char err[512] = "";
	const struct fio_dir *d = &r.dir[FIO_READ];

	ok(fio_parse_file(datafile("fio-mmap-randread-grouped.json"), &r, err, sizeof(err)) == 0,
	   "grouped randread output converts%s%s", err[0] ? ": " : "", err);
	is_str(r.version, "fio-3.33", "fio version");
	is_str(r.jobnames, "mmap-randread", "job name");
	ok(r.grouped && r.entries == 1, "one entry merged by group_reporting");
	is_int(r.numjobs, 2, "numjobs 2 from the global options");
	ok(d->present && !r.dir[FIO_WRITE].present && !r.dir[FIO_TRIM].present, "only reads moved data");
	is_num(d->bw_bytes_per_s, 7995551584.0, 0, "bandwidth: read.bw_bytes");
	is_num(d->iops, 1952038.961039, 1e-6, "IOPS: read.iops");
	is_num(d->clat_pct_ns[0], 241, 0, "p50 from clat_ns.percentile 50.000000");
	is_num(d->clat_pct_ns[1], 402, 0, "p90");
	is_num(d->clat_pct_ns[2], 628, 0, "p99");
	is_num(d->clat_pct_ns[3], 1032, 0, "p99.9 from 99.900000");
	is_num(d->clat_mean_ns, 509.286091, 1e-6, "clat mean");
	is_num(d->clat_max_ns, 44199028, 0, "clat max");
	is_num(d->lat_mean_ns, 571.284257, 1e-6, "lat mean");
	is_num(r.minflt, 539, 0, "minor faults: minf");
	is_num(r.majflt, 0, 0, "major faults: majf");
	is_num(r.ctx, 356, 0, "context switches: ctx");
}

static void test_two_jobs(void)
{
	struct fio_result r;
	char err[512] = "";
	const struct fio_dir *d = &r.dir[FIO_WRITE];
	double mean = (410.545778 * 1082638 + 487.492414 * 925232) / (1082638.0 + 925232.0);

	ok(fio_parse_file(datafile("fio-mmap-randwrite-2jobs.json"), &r, err, sizeof(err)) == 0,
	   "per-job randwrite output converts%s%s", err[0] ? ": " : "", err);
	ok(!r.grouped && r.entries == 2 && r.numjobs == 2, "two entries, combined here");
	is_num(d->bw_bytes_per_s, 4364650834.0 + 3785964307.0, 0, "bandwidth summed");
	is_num(d->iops, 1065588.582677 + 924307.692308, 1e-6, "IOPS summed");
	is_num(d->clat_mean_ns, mean, 1e-6, "mean latency weighted by each job's samples");
	is_num(d->clat_pct_ns[2], 572, 0, "p99: the worse job's (548 and 572)");
	is_num(d->clat_pct_ns[3], 2448, 0, "p99.9: the worse job's (2448 and 2352)");
	is_num(d->clat_max_ns, 28044307, 0, "max over both jobs");
	is_num(r.minflt, 4106 + 4105, 0, "faults summed");
	is_num(r.usr_cpu_pct, (52.216749 + 45.1) / 2, 1e-9, "CPU: the mean of the jobs");
}

static void test_errors(void)
{
	struct fio_result r;
	char err[512] = "";

	ok(fio_parse_file(datafile("fio-libpmem-error.json"), &r, err, sizeof(err)) < 0 &&
	   strstr(err, "failed with error 95") && strstr(err, "libpmem-randrw"),
	   "a job's error is reported with its number and name (%s)", err);
	err[0] = '\0';
	ok(fio_parse_file(datafile("fio-truncated.json"), &r, err, sizeof(err)) < 0 &&
	   strstr(err, "not valid JSON") && strstr(err, "line ") && strstr(err, "fio-truncated.json"),
	   "truncated output: not valid JSON, with the file and position (%s)", err);
	ok(fio_parse_text("{\"a\": 1}", &r, err, sizeof(err)) < 0 && strstr(err, "no \"jobs\" array"),
	   "JSON that is not fio output (%s)", err);
	ok(fio_parse_text("fio: no job file\n", &r, err, sizeof(err)) < 0 && strstr(err, "no JSON document"),
	   "no document at all (%s)", err);
	ok(fio_parse_file("/nonexistent/fio.json", &r, err, sizeof(err)) < 0 && strstr(err, "cannot read"),
	   "a missing file (%s)", err);
	ok(!strchr(err, '\n'), "errors are one line");
}

static void test_notes_before(void)
{
	char *text = read_file_alloc(datafile("fio-mmap-randread-grouped.json"), NULL), *with, err[512] = "";
	struct fio_result r;

	with = xasprintf("note: both iodepth >= 1 and synchronous I/O engine are selected\n%s", text);
	ok(fio_parse_text(with, &r, err, sizeof(err)) == 0 && r.dir[FIO_READ].iops > 1952038,
	   "a note fio printed before the document is skipped%s%s", err[0] ? ": " : "", err);
	free(with);
	with = xasprintf("note: something\n%.2000s", text);
	ok(fio_parse_text(with, &r, err, sizeof(err)) < 0 && strstr(err, "not valid JSON: line "),
	   "and positions in errors still count from the file's first line (%s)", err);
	free(with);
	free(text);
}

static void test_record(void)
{
	struct fio_result r;
	struct result_doc *rd;
	struct result_case *cs;
	char err[512], *argv[] = { "test" };
	int units = 1;

	fio_parse_file(datafile("fio-mmap-randread-grouped.json"), &r, err, sizeof(err));
	rd = results_new("fio", 1, argv, 1);
	cs = results_case(rd, "procs=2");
	fio_record(&r, cs);
	is_num(case_median(cs, "read_clat_p99_ns"), 628, 0, "p99 recorded as read_clat_p99_ns");
	is_num(case_median(cs, "read_bw_bytes_per_s"), 7995551584.0, 0, "bandwidth recorded as read_bw_bytes_per_s");
	is_num(case_median(cs, "minflt_per_job_count"), 539.0 / 2, 1e-9, "faults per job");
	ok(isnan(case_median(cs, "write_iops")), "no write metrics when nothing was written");
	{
		static const char *const names[] = {
			"read_bw_bytes_per_s", "read_iops", "read_clat_p50_ns", "read_clat_p999_ns", "read_clat_mean_ns",
			"read_lat_mean_ns", "read_io_bytes", "minflt_count", "majflt_count", "ctx_count", "usr_cpu_pct",
		};

		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (!*metric_unit(names[i]) || isnan(case_median(cs, names[i])))
				units = 0;
		ok(units, "every metric is there and its name ends in a unit");
	}
	results_free(rd);
}

int main(void)
{
	plan(41);
	test_grouped();
	test_two_jobs();
	test_errors();
	test_notes_before();
	test_record();
	return done_testing();
}
