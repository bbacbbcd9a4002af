/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench: what a benchmark is to the driver.
 *
 * A benchmark is one file defining a `struct bench` descriptor: its name,
 * which groups of common options it takes, its own options, and a run
 * function.  The driver (ptshare.c) parses the command line into `struct
 * common_opts` and the benchmark's private state, sets up output, and
 * calls run().  Adding a benchmark means one new file and one line in
 * benchmarks.c; no other benchmark changes.
 */
#ifndef PTSHARE_BENCH_H
#define PTSHARE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backing.h"
#include "pin.h"
#include "results.h"
#include "touch.h"

/* Groups of common options a benchmark can take. */
enum {
	OPTS_BACKING = 1 << 0,	/* --backing --path --size --page-size --overwrite --keep --allow-fallback */
	OPTS_PROCS = 1 << 1,	/* --procs */
	OPTS_TOUCH = 1 << 2,	/* --touch --stride */
	OPTS_REPS = 1 << 3,	/* --reps --warmup */
	OPTS_PLACEMENT = 1 << 4,/* --misalign --base */
	OPTS_PIN = 1 << 5,	/* --pin */
	OPTS_PROBES = 1 << 6,	/* --no-cgroup */
	OPTS_OUTPUT = 1 << 7,	/* --json --csv --out --quiet */
	OPTS_SEED = 1 << 8,	/* --seed */
	OPTS_TIMEOUT = 1 << 9,	/* --timeout */
	OPTS_ALL = (1 << 10) - 1,
};

struct common_opts {
	struct backing_request backing;
	bool backing_auto;		/* --backing auto: the best one found */
	bool allow_fallback;		/* a page size other than asked is a warning */
	unsigned *procs;
	size_t nprocs;
	enum touch_mode touch;
	uint64_t stride;		/* 0: the page size */
	unsigned reps, warmup;
	bool misalign;
	uint64_t base;
	enum pin_mode pin;
	bool cgroup;
	uint64_t seed;
	uint64_t timeout_ns;
	struct output_opts out;
	int argc;			/* the whole command line, for metadata */
	char **argv;
};

/* A benchmark-specific option. */
struct bench_opt {
	const char *name;	/* long option without "--" */
	const char *arg;	/* placeholder ("N", "SIZE"), NULL for a flag */
	const char *help;
	int key;		/* passed to parse(); any value >= 1 */
};

struct bench {
	const char *name;
	const char *summary;		/* one line for `ptshare --help` */
	const char *description;	/* paragraph(s) for `ptshare NAME --help` */
	unsigned common;		/* OPTS_* groups */
	const struct bench_opt *opts;	/* terminated by { NULL } */
	const char *positional;		/* e.g. "JOBFILE", or NULL for none */
	size_t state_size;
	void (*defaults)(struct common_opts *c, void *state);
	/* 0, or -1 with a one-line reason in @err (a usage error). */
	int (*parse)(void *state, int key, const char *arg, char *err, size_t errlen);
	int (*positional_arg)(void *state, const char *arg, char *err, size_t errlen);
	/* Validate the combination of options: 0 or -1 with @err. */
	int (*check)(const struct common_opts *c, void *state, char *err, size_t errlen);
	/* Returns the process exit code. */
	int (*run)(struct common_opts *c, void *state, struct result_doc *rd);
};

/*
 * Each benchmark file registers its descriptor with
 *	PTSHARE_BENCHMARK(bench_name);
 * which puts a pointer to it in the "ptshare_bench" section; the driver
 * walks that section (GNU ld provides its start and stop symbols), so no
 * shared table lists the benchmarks.
 */
#define PTSHARE_BENCHMARK(desc) \
	static const struct bench *const ptshare_bench_ptr_##desc \
	__attribute__((used, section("ptshare_bench"), aligned(sizeof(void *)))) = &(desc)

/* The registered benchmarks, sorted by name. */
const struct bench *const *benchmark_list(size_t *n);

#endif
