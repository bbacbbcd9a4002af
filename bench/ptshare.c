// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare: the driver.  Finds the benchmark named by the first argument,
 * parses the common and the benchmark's own options, and runs it.  It
 * knows nothing about any one benchmark.
 */
#include "config.h"
#include "bench/gitrev.h"

#include "bench.h"
#include "units.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum common_key {
	K_BACKING = 256, K_PATH, K_SIZE, K_PAGE_SIZE, K_OVERWRITE, K_KEEP, K_ALLOW_FALLBACK,
	K_PROCS, K_TOUCH, K_STRIDE, K_REPS, K_WARMUP, K_MISALIGN, K_BASE, K_PIN, K_NO_CGROUP,
	K_JSON, K_CSV, K_OUT, K_QUIET, K_SEED, K_TIMEOUT, K_HELP,
	K_BENCH_BASE = 1024,
};

struct common_opt {
	unsigned group;
	const char *name, *arg, *help;
	int key;
};

static const struct common_opt common_opts_table[] = {
	{ OPTS_BACKING, "backing", "KIND", "fsdax, devdax, hugetlbfs, tmpfs, file, or auto: the best found (default auto)", K_BACKING },
	{ OPTS_BACKING, "path", "PATH", "directory or file (fsdax, tmpfs, hugetlbfs, file), or /dev/daxX.Y (devdax)", K_PATH },
	{ OPTS_BACKING, "size", "SIZE", "bytes each process maps, e.g. 4G (default 1G)", K_SIZE },
	{ OPTS_BACKING, "page-size", "SIZE", "mapping size wanted: 4K, 2M or 1G (default: the backing's largest)", K_PAGE_SIZE },
	{ OPTS_BACKING, "overwrite", NULL, "allow writes to a file or device the suite did not create", K_OVERWRITE },
	{ OPTS_BACKING, "keep", NULL, "keep the file the suite created", K_KEEP },
	{ OPTS_BACKING, "allow-fallback", NULL, "only warn when the kernel used another page size than asked", K_ALLOW_FALLBACK },
	{ OPTS_PROCS, "procs", "LIST", "numbers of processes: 1,2,4 or 1:1024 for powers of two (default 1,2,4,8)", K_PROCS },
	{ OPTS_TOUCH, "touch", "MODE", "read, write, populate or populate-write (default read)", K_TOUCH },
	{ OPTS_TOUCH, "stride", "SIZE", "distance between touches (default: the page size)", K_STRIDE },
	{ OPTS_REPS, "reps", "N", "measured repetitions per case (default 3)", K_REPS },
	{ OPTS_REPS, "warmup", "N", "discarded repetitions before them (default 0)", K_WARMUP },
	{ OPTS_PLACEMENT, "misalign", NULL, "give each process its own 2 MiB-granular offset from the 1 GiB boundary (defeats sharing)", K_MISALIGN },
	{ OPTS_PLACEMENT, "base", "ADDR", "1 GiB-aligned virtual address of the mappings (default: a free 512 GiB region from 32 TiB)", K_BASE },
	{ OPTS_PIN, "pin", "MODE", "none, core or node: bind process i to core/node i mod n (default none)", K_PIN },
	{ OPTS_PROBES, "no-cgroup", NULL, "do not create a cgroup v2 for the memory.stat pagetables probe", K_NO_CGROUP },
	{ OPTS_OUTPUT, "json", "FILE", "write the result document to FILE (- for stdout)", K_JSON },
	{ OPTS_OUTPUT, "csv", "FILE", "write the results as CSV to FILE (- for stdout)", K_CSV },
	{ OPTS_OUTPUT, "out", "DIR", "write RUN-ID.json and RUN-ID.csv into DIR", K_OUT },
	{ OPTS_OUTPUT, "quiet", NULL, "no progress and no summary table", K_QUIET },
	{ OPTS_SEED, "seed", "N", "seed for every random choice (default: from the clock, recorded)", K_SEED },
	{ OPTS_TIMEOUT, "timeout", "DURATION", "fail when a phase takes longer, e.g. 10m (default 30m)", K_TIMEOUT },
};

static const struct bench *find_bench(const char *name)
{
	size_t n;
	const struct bench *const *list = benchmark_list(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i]->name, name))
			return list[i];
	return NULL;
}

/* "  --name ARG   help text", the help wrapped at 79 columns. */
static void print_opt(FILE *f, const char *name, const char *arg, const char *help)
{
	const int col = 26, width = 79;
	char left[64];
	const char *p = help;
	int pos;

	snprintf(left, sizeof(left), "--%s%s%s", name, arg ? " " : "", arg ? arg : "");
	pos = fprintf(f, "  %s", left);
	if (pos >= col) {
		fputc('\n', f);
		pos = 0;
	}
	while (*p) {
		size_t word = strcspn(p, " ");

		if (pos < col) {
			fprintf(f, "%*s", col - pos, "");
			pos = col;
		} else if (pos + 1 + (int)word > width) {
			fprintf(f, "\n%*s", col, "");
			pos = col;
		} else {
			fputc(' ', f);
			pos++;
		}
		fwrite(p, 1, word, f);
		pos += word;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

static void bench_help(const struct bench *b, FILE *f)
{
	static const struct { unsigned group; const char *title; } groups[] = {
		{ OPTS_BACKING, "Backing" }, { OPTS_PROCS | OPTS_TOUCH | OPTS_PLACEMENT | OPTS_PIN, "Workload" },
		{ OPTS_REPS | OPTS_SEED | OPTS_TIMEOUT, "Repetitions" },
		{ OPTS_PROBES | OPTS_OUTPUT, "Measurement and output" },
	};

	fprintf(f, "Usage: ptshare %s [OPTIONS]%s%s\n%s\n", b->name, b->positional ? " " : "",
		b->positional ? b->positional : "", b->summary);
	if (b->description)
		fprintf(f, "\n%s\n", b->description);
	if (b->opts && b->opts[0].name) {
		fprintf(f, "\n%s options:\n", b->name);
		for (const struct bench_opt *o = b->opts; o->name; o++)
			print_opt(f, o->name, o->arg, o->help);
	}
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		bool any = false;

		for (size_t i = 0; i < ARRAY_SIZE(common_opts_table); i++) {
			const struct common_opt *o = &common_opts_table[i];

			if (!(o->group & groups[g].group & b->common))
				continue;
			if (!any)
				fprintf(f, "\n%s:\n", groups[g].title);
			any = true;
			print_opt(f, o->name, o->arg, o->help);
		}
	}
	fputc('\n', f);
	print_opt(f, "help", NULL, "this text");
	fprintf(f, ""
		"\nSizes take K, M, G, T (binary).  Exit status: 0 ok, 1 failure, 2 usage, 77 skipped\n"
		"(a facility is missing).\n");
}

static void main_help(FILE *f)
{
	size_t n;
	const struct bench *const *list = benchmark_list(&n);

	fprintf(f, "Usage: ptshare COMMAND [OPTIONS]\n"
		"Page-table sharing benchmarks and stress tests for Linux DAX.\n\nCommands:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-10s  %s\n", list[i]->name, list[i]->summary);
	fprintf(f, "\n  ptshare COMMAND --help   options of a command\n"
		"  ptshare --version\n");
}

static void defaults(struct common_opts *c, int argc, char **argv)
{
	struct timespec ts;

	memset(c, 0, sizeof(*c));
	c->backing.kind = BACKING_TMPFS;
	c->backing_auto = true;
	c->backing.size = GiB;
	c->touch = TOUCH_READ;
	c->reps = 3;
	c->pin = PIN_NONE;
	c->cgroup = true;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid();
	c->argc = argc;
	c->argv = argv;
	{
		static unsigned dflt_procs[] = { 1, 2, 4, 8 };

		c->procs = dflt_procs;
		c->nprocs = ARRAY_SIZE(dflt_procs);
	}
}

/* Returns 0, or -1 with @err for a usage error. */
static int parse_common(struct common_opts *c, int key, const char *arg, char *err, size_t errlen)
{
	uint64_t v;

	switch (key) {
	case K_BACKING:
		if (!strcmp(arg, "auto")) {
			c->backing_auto = true;
			return 0;
		}
		c->backing_auto = false;
		if (backing_parse_kind(arg, &c->backing.kind) < 0) {
			snprintf(err, errlen, "unknown backing '%s' (use %s or auto)", arg, backing_kinds_help());
			return -1;
		}
		return 0;
	case K_PATH:
		c->backing.path = arg;
		return 0;
	case K_SIZE:
		if (parse_size(arg, &c->backing.size, err, errlen) < 0)
			return -1;
		if (!c->backing.size) {
			snprintf(err, errlen, "--size must be more than 0");
			return -1;
		}
		return 0;
	case K_PAGE_SIZE:
		if (parse_size(arg, &v, err, errlen) < 0)
			return -1;
		if (v != 4 * KiB && v != 2 * MiB && v != GiB) {
			snprintf(err, errlen, "--page-size must be 4K, 2M or 1G, not '%s'", arg);
			return -1;
		}
		c->backing.page_size = v;
		return 0;
	case K_OVERWRITE:
		c->backing.overwrite = true;
		return 0;
	case K_KEEP:
		c->backing.keep = true;
		return 0;
	case K_ALLOW_FALLBACK:
		c->allow_fallback = true;
		return 0;
	case K_PROCS:
		return parse_count_list(arg, &c->procs, &c->nprocs, err, errlen);
	case K_TOUCH:
		if (touch_parse(arg, &c->touch) < 0) {
			snprintf(err, errlen, "unknown --touch '%s' (use read, write, populate or populate-write)", arg);
			return -1;
		}
		return 0;
	case K_STRIDE:
		if (parse_size(arg, &c->stride, err, errlen) < 0)
			return -1;
		if (!c->stride || c->stride % 4096) {
			snprintf(err, errlen, "--stride must be a positive multiple of 4K");
			return -1;
		}
		return 0;
	case K_REPS:
	case K_WARMUP:
		if (parse_u64(arg, &v, err, errlen) < 0)
			return -1;
		if ((key == K_REPS && v < 1) || v > 100000) {
			snprintf(err, errlen, "--%s must be between %d and 100000", key == K_REPS ? "reps" : "warmup",
				 key == K_REPS ? 1 : 0);
			return -1;
		}
		*(key == K_REPS ? &c->reps : &c->warmup) = (unsigned)v;
		return 0;
	case K_MISALIGN:
		c->misalign = true;
		return 0;
	case K_BASE: {
		char *end;

		errno = 0;
		v = strtoull(arg, &end, 0);
		if (errno || *end || !v || v % GiB) {
			snprintf(err, errlen, "--base '%s' must be a 1 GiB-aligned address such as 0x200000000000", arg);
			return -1;
		}
		c->base = v;
		return 0;
	}
	case K_PIN:
		if (pin_parse(arg, &c->pin) < 0) {
			snprintf(err, errlen, "unknown --pin '%s' (use none, core or node)", arg);
			return -1;
		}
		return 0;
	case K_NO_CGROUP:
		c->cgroup = false;
		return 0;
	case K_JSON:
		c->out.json_path = arg;
		return 0;
	case K_CSV:
		c->out.csv_path = arg;
		return 0;
	case K_OUT:
		c->out.out_dir = arg;
		return 0;
	case K_QUIET:
		c->out.quiet = true;
		msg_quiet = 1;
		return 0;
	case K_SEED:
		return parse_u64(arg, &c->seed, err, errlen);
	case K_TIMEOUT:
		if (parse_duration(arg, &c->timeout_ns, err, errlen) < 0)
			return -1;
		if (!c->timeout_ns) {
			snprintf(err, errlen, "--timeout must be more than 0");
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "internal error: unhandled option %d", key);
	return -1;
}

static int run_bench(const struct bench *b, int argc, char **argv, int full_argc, char **full_argv)
{
	size_t nc = ARRAY_SIZE(common_opts_table), nb = 0, n = 0;
	struct common_opts c;
	struct option *lo;
	struct result_doc *rd;
	char err[512];
	void *state;
	int opt, rc;

	for (const struct bench_opt *o = b->opts; o && o->name; o++)
		nb++;
	lo = xcalloc(nc + nb + 2, sizeof(*lo));
	for (size_t i = 0; i < nc; i++) {
		const struct common_opt *o = &common_opts_table[i];

		if (!(o->group & b->common))
			continue;
		lo[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
	}
	for (size_t i = 0; i < nb; i++)
		lo[n++] = (struct option){ b->opts[i].name, b->opts[i].arg ? required_argument : no_argument,
					   NULL, K_BENCH_BASE + b->opts[i].key };
	lo[n++] = (struct option){ "help", no_argument, NULL, K_HELP };

	defaults(&c, full_argc, full_argv);
	state = xcalloc(1, b->state_size ? b->state_size : 1);
	if (b->defaults)
		b->defaults(&c, state);

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		if (opt == K_HELP) {
			bench_help(b, stdout);
			return EXIT_OK;
		}
		if (opt == '?') {
			const char *bad = argv[optind - 1];

			die_usage("%s: unknown option '%s' (see ptshare %s --help)", b->name, bad, b->name);
		}
		if (opt == ':')
			die_usage("%s: option '%s' needs an argument (see ptshare %s --help)", b->name,
				  argv[optind - 1], b->name);
		if (opt >= K_BENCH_BASE) {
			if (b->parse(state, opt - K_BENCH_BASE, optarg, err, sizeof(err)) < 0)
				die_usage("%s: %s", b->name, err);
		} else if (parse_common(&c, opt, optarg, err, sizeof(err)) < 0) {
			die_usage("%s: %s", b->name, err);
		}
	}
	for (; optind < argc; optind++) {
		if (!b->positional_arg)
			die_usage("%s: unexpected argument '%s' (see ptshare %s --help)", b->name, argv[optind], b->name);
		if (b->positional_arg(state, argv[optind], err, sizeof(err)) < 0)
			die_usage("%s: %s", b->name, err);
	}
	free(lo);
	if (c.stride && c.touch >= TOUCH_POPULATE)
		die_usage("%s: --stride does not apply to --touch %s", b->name, touch_mode_name(c.touch));
	if (b->check && b->check(&c, state, err, sizeof(err)) < 0)
		die_usage("%s: %s", b->name, err);

	c.backing.writes = touch_is_write(c.touch);
	rd = results_new(b->name, full_argc, full_argv, c.seed);
	rc = b->run(&c, state, rd);
	if (rc == EXIT_OK || rc == EXIT_FAIL) {
		if (results_finish(rd, &c.out) < 0 && rc == EXIT_OK)
			rc = EXIT_FAIL;
	}
	results_free(rd);
	free(state);
	cleanup_run();
	return rc;
}

int main(int argc, char **argv)
{
	const struct bench *b;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cleanup_install_signals();
	if (argc < 2) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && (b = find_bench(argv[2]))) {
			bench_help(b, stdout);
			return EXIT_OK;
		}
		main_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ptshare %s (%s)\n", PACKAGE_VERSION, PTSHARE_GIT_REV);
		return EXIT_OK;
	}
	b = find_bench(argv[1]);
	if (!b) {
		msg_err("unknown command '%s' (see ptshare --help)", argv[1]);
		return EXIT_USAGE;
	}
	return run_bench(b, argc - 1, argv + 1, argc, argv);
}
