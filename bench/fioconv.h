/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fioconv: fio's JSON output (fio --output-format=json) read into the
 * suite's result schema, so fio runs are compared and plotted like the
 * rest.
 *
 * Per direction (read, write, trim) that moved data: bandwidth, IOPS,
 * completion-latency percentiles p50/p90/p99/p99.9 (fio's clat_ns
 * percentile table), mean and max; per run: page faults (fio's minf and
 * majf, getrusage of the job processes), context switches and CPU use.
 * With group_reporting fio merges its jobs into one entry, exactly; without
 * it the entries are combined here: bandwidth, IOPS, faults and context
 * switches summed, the mean latency weighted by each job's sample count,
 * percentiles and max the worst job's (said in the result).
 */
#ifndef PTSHARE_FIOCONV_H
#define PTSHARE_FIOCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json;
struct result_case;

enum { FIO_READ, FIO_WRITE, FIO_TRIM, FIO_NDIRS };

#define FIO_NPCT 4	/* p50, p90, p99, p99.9 */

struct fio_dir {
	bool present;			/* moved data (io_bytes > 0) */
	double io_bytes, bw_bytes_per_s, iops, total_ios;
	double clat_mean_ns, clat_max_ns, lat_mean_ns, clat_samples;
	double clat_pct_ns[FIO_NPCT];	/* NaN where fio gave none */
};

struct fio_result {
	char version[64];
	char jobnames[256];		/* comma-separated */
	unsigned entries;		/* elements of "jobs" */
	unsigned numjobs;		/* processes: numjobs option, else entries */
	bool grouped;			/* group_reporting merged them */
	struct fio_dir dir[FIO_NDIRS];
	double minflt, majflt, ctx, usr_cpu_pct, sys_cpu_pct;
};

extern const double fio_pct_levels[FIO_NPCT];	/* 50, 90, 99, 99.9 */
const char *fio_dir_name(int dir);

/*
 * Read fio's JSON output from @text (lines before the first one starting
 * with '{', such as notes fio printed, are skipped).  0, or -1 with a
 * one-line reason in @err (not JSON, not fio output, a job's error).
 */
int fio_parse_text(const char *text, struct fio_result *r, char *err, size_t errlen);
int fio_parse_file(const char *path, struct fio_result *r, char *err, size_t errlen);

/* Append one repetition's values to @cs; names end in their units. */
void fio_record(const struct fio_result *r, struct result_case *cs);
/* The run's description for the repetition's details. */
struct json *fio_describe(const struct fio_result *r);

#endif
