// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptshare fio JOB: run a fio job file whose numjobs processes mmap the
 * shared file, and convert fio's JSON output into the suite's result
 * schema (fioconv), so fio runs are compared and plotted like the rest.
 *
 * The backing module creates the file (or checks the device) as for every
 * benchmark; the job file reads its parameters from the environment:
 * PTSHARE_FIO_FILE (the file; /proc/PID/fd/N for a memfd), PTSHARE_FIO_SIZE
 * (bytes), PTSHARE_FIO_JOBS (numjobs, one run per --procs value),
 * PTSHARE_FIO_RUNTIME (seconds) and PTSHARE_FIO_SEED.  Every ioengine the
 * job names is looked up in `fio --enghelp` first: a missing one is a skip
 * (exit 77) with the reason.  fio runs in a process group of its own,
 * killed with the run on failure or SIGINT.  --input FILE converts fio
 * output stored earlier instead of running fio.
 */
#include "config.h"

#include "bench.h"
#include "fioconv.h"
#include "json.h"
#include "units.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_INPUTS 256
#define MAX_ENGINES 8

struct fio_state {
	const char *job;		/* as given */
	char job_path[4096];		/* resolved */
	const char *inputs[MAX_INPUTS];
	unsigned ninputs;
	const char *fio;		/* executable */
	uint64_t runtime_ns;
};

enum { O_INPUT = 1, O_RUNTIME, O_FIO };

static const struct bench_opt fio_opts[] = {
	{ "runtime", "DURATION", "how long each fio run lasts, whole seconds (default 5s): PTSHARE_FIO_RUNTIME", O_RUNTIME },
	{ "fio", "PATH", "the fio executable (default: fio from PATH)", O_FIO },
	{ "input", "FILE", "convert stored fio --output-format=json output instead of running fio (repeatable: one repetition each)", O_INPUT },
	{ NULL, NULL, NULL, 0 },
};

static void fio_defaults(struct common_opts *c, void *state)
{
	struct fio_state *s = state;

	s->fio = "fio";
	s->runtime_ns = 5000000000ull;
	(void)c;
}

static int fio_parse(void *state, int key, const char *arg, char *err, size_t errlen)
{
	struct fio_state *s = state;

	switch (key) {
	case O_INPUT:
		if (s->ninputs == MAX_INPUTS)
			return errf(err, errlen, "at most %d --input files", MAX_INPUTS);
		s->inputs[s->ninputs++] = arg;
		return 0;
	case O_RUNTIME:
		if (parse_duration(arg, &s->runtime_ns, err, errlen) < 0)
			return -1;
		if (s->runtime_ns < 1000000000ull || s->runtime_ns % 1000000000ull)
			return errf(err, errlen, "--runtime must be whole seconds, at least 1s, not '%s'", arg);
		return 0;
	case O_FIO:
		s->fio = arg;
		return 0;
	}
	return errf(err, errlen, "unknown option");
}

static int fio_positional(void *state, const char *arg, char *err, size_t errlen)
{
	struct fio_state *s = state;

	if (s->job)
		return errf(err, errlen, "one job file only ('%s' and '%s')", s->job, arg);
	s->job = arg;
	return 0;
}

/* A job file path, or a name looked up in $PTSHARE_FIO_DIR and ./workloads/fio. */
static int resolve_job(struct fio_state *s, char *err, size_t errlen)
{
	const char *dirs[] = { getenv("PTSHARE_FIO_DIR"), "workloads/fio" };

	if (access(s->job, R_OK) == 0) {
		snprintf(s->job_path, sizeof(s->job_path), "%s", s->job);
		return 0;
	}
	if (!strchr(s->job, '/')) {
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
			if (!dirs[i])
				continue;
			for (int ext = 0; ext < 2; ext++) {
				snprintf(s->job_path, sizeof(s->job_path), "%s/%s%s", dirs[i], s->job, ext ? ".fio" : "");
				if (access(s->job_path, R_OK) == 0)
					return 0;
			}
		}
	}
	return errf(err, errlen, "job file '%s' not found: give a path, or a name in $PTSHARE_FIO_DIR or ./workloads/fio",
		    s->job);
}

static int fio_check(const struct common_opts *c, void *state, char *err, size_t errlen)
{
	struct fio_state *s = state;

	(void)c;
	if (s->ninputs && s->job)
		return errf(err, errlen, "give a JOB file to run, or --input files to convert, not both");
	if (!s->ninputs && !s->job)
		return errf(err, errlen, "no JOB file (e.g. workloads/fio/mmap-randread.fio), and no --input");
	if (s->job)
		return resolve_job(s, err, errlen);
	return 0;
}

/* "key=value" lines of a job file (comments and blanks skipped), value trimmed. */
static unsigned job_values(const char *text, const char *key, char vals[][64], unsigned max)
{
	unsigned n = 0;
	size_t kl = strlen(key);

	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *p = line;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, kl))
			continue;
		p += kl;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t\r\n#;");
		if (n < max && len && len < 64) {
			memcpy(vals[n], p, len);
			vals[n][len] = '\0';
			n++;
		}
	}
	return n;
}

/* Run a command, stdout into a malloc'ed string; NULL when it failed. */
static char *capture(const char *const argv[])
{
	int fds[2], st;
	char *out = NULL;
	size_t len = 0, cap = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		cleanup_child_reset();
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t r;

		if (len + 4096 > cap) {
			cap = cap ? 2 * cap : 16384;
			out = xrealloc(out, cap);
		}
		r = read(fds[0], out + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

/* The ioengines this fio has, one per line after "Available IO engines:". */
static bool engine_available(const char *enghelp, const char *engine)
{
	const char *p = strstr(enghelp, "Available IO engines:");

	for (p = p ? strchr(p, '\n') : NULL; p && *p; p = strchr(p + 1, '\n')) {
		const char *w = p + 1;
		size_t len;

		while (*w == ' ' || *w == '\t')
			w++;
		len = strcspn(w, " \t\r\n");
		if (len == strlen(engine) && !strncmp(w, engine, len))
			return true;
	}
	return false;
}

static volatile sig_atomic_t stop_sig;
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

static void on_stop_signal(int sig)
{
	stop_sig = sig;
}

/* Run fio once; its JSON goes to @out_path.  0 or -1 with @err. */
static int run_fio(const struct fio_state *s, const char *file, uint64_t size, unsigned jobs, uint64_t seed,
		   uint64_t timeout_ns, const char *out_path, char *err, size_t errlen)
{
	char outarg[4200], sz[32], nj[16], rt[32], sd[32];
	const char *argv[] = { s->fio, "--output-format=json", outarg, s->job_path, NULL };
	struct sigaction sa, old[ARRAY_SIZE(stop_sigs)];
	uint64_t deadline, term_at = 0;
	pid_t pid;
	int st;

	snprintf(outarg, sizeof(outarg), "--output=%s", out_path);
	snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
	snprintf(nj, sizeof(nj), "%u", jobs);
	snprintf(rt, sizeof(rt), "%llu", (unsigned long long)(s->runtime_ns / 1000000000ull));
	snprintf(sd, sizeof(sd), "%llu", (unsigned long long)seed);
	/* While fio runs, a stop signal is forwarded to it before the suite cleans up. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	stop_sig = 0;
	for (size_t i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		sigaction(stop_sigs[i], &sa, &old[i]);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		for (size_t i = 0; i < ARRAY_SIZE(stop_sigs); i++)
			sigaction(stop_sigs[i], &old[i], NULL);
		return errf(err, errlen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		cleanup_child_reset();
		setpgid(0, 0);
		/* If the suite dies, fio stops its jobs (it does so on SIGTERM). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		setenv("PTSHARE_FIO_FILE", file, 1);
		setenv("PTSHARE_FIO_SIZE", sz, 1);
		setenv("PTSHARE_FIO_JOBS", nj, 1);
		setenv("PTSHARE_FIO_RUNTIME", rt, 1);
		setenv("PTSHARE_FIO_SEED", sd, 1);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "ptshare: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	/* A negative pid: the cleanup registry kills fio's whole process group. */
	cleanup_add_pid(-pid);
	deadline = now_ns() + timeout_ns;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		uint64_t now = now_ns();

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			st = -1;
			break;
		}
		/*
		 * fio's job processes are in sessions of their own: only fio can
		 * stop them, and it does on SIGTERM.  SIGKILL if it does not.
		 */
		if (!term_at && (stop_sig || now > deadline)) {
			kill(pid, SIGTERM);
			term_at = now;
		}
		if (term_at && now > term_at + 10000000000ull) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			break;
		}
		sleep_ns(20000000);
	}
	for (size_t i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		sigaction(stop_sigs[i], &old[i], NULL);
	cleanup_forget_pid(-pid);
	if (stop_sig)
		raise(stop_sig);	/* the suite's own handler cleans up and ends the run */
	if (term_at)
		return errf(err, errlen, "fio did not finish within %llu s (--timeout): stopped",
			    (unsigned long long)(timeout_ns / 1000000000ull));
	if (st == -1)
		return errf(err, errlen, "waitpid: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return errf(err, errlen, "cannot run %s: install fio (apt-get install fio) or give --fio PATH", s->fio);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return errf(err, errlen, "fio %s failed (%s %d; its messages are above)", s->job_path,
			    WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}

static void record(struct result_doc *rd, const struct fio_result *fr, unsigned procs, const char *source)
{
	struct result_case *cs;
	struct json *d;
	char id[64];

	snprintf(id, sizeof(id), "procs=%u", procs);
	cs = results_case(rd, id);
	json_set(case_params(cs), "procs", json_int(procs));
	fio_record(fr, cs);
	d = fio_describe(fr);
	json_set(d, "source", json_str(source));
	case_repetition(cs, d);
}

static int convert_inputs(struct fio_state *s, struct result_doc *rd)
{
	struct json *in = json_set(results_section(rd, "parameters"), "inputs", json_arr());
	char err[1024];

	for (unsigned i = 0; i < s->ninputs; i++) {
		struct fio_result fr;

		if (fio_parse_file(s->inputs[i], &fr, err, sizeof(err)) < 0)
			die("fio: %s", err);
		json_push(in, json_str(s->inputs[i]));
		record(rd, &fr, fr.numjobs, s->inputs[i]);
		msg_info("fio: %s: %u jobs (%s), %s", s->inputs[i], fr.numjobs, fr.version, fr.jobnames);
	}
	json_set(results_root(rd), "backing", json_obj());
	json_set(json_get(results_root(rd), "backing"), "kind", json_str("unknown (converted fio output)"));
	return EXIT_OK;
}

static int fio_run_bench(struct common_opts *c, void *state, struct result_doc *rd)
{
	static const char *const columns[] = {
		"read_iops", "read_clat_p50_ns", "read_clat_p99_ns", "write_iops", "write_clat_p99_ns",
		"minflt_per_job_count",
	};
	struct fio_state *s = state;
	char engines[MAX_ENGINES][64], rws[MAX_ENGINES][64], err[1024], why[256] = "", file[PATH_MAX + 64];
	char *jobtext, *enghelp, *ver;
	const char *ver_argv[] = { s->fio, "--version", NULL }, *eng_argv[] = { s->fio, "--enghelp", NULL };
	unsigned ne, nrw;
	bool writes = false, failed = false;
	struct json *params, *avail, *used;
	struct backing b;

	results_table_columns(rd, columns, ARRAY_SIZE(columns));
	if (s->ninputs)
		return convert_inputs(s, rd);

	jobtext = read_file_alloc(s->job_path, NULL);
	if (!jobtext)
		die("fio: cannot read %s: %s", s->job_path, strerror(errno));
	ver = capture(ver_argv);
	if (!ver)
		die_skip("fio: cannot run '%s --version': install fio (apt-get install fio) or give --fio PATH", s->fio);
	ver[strcspn(ver, "\n")] = '\0';
	enghelp = capture(eng_argv);
	if (!enghelp)
		die("fio: '%s --enghelp' failed", s->fio);
	ne = job_values(jobtext, "ioengine", engines, MAX_ENGINES);
	if (!ne)
		die_usage("fio: %s names no ioengine= (the suite's jobs use mmap, libpmem or dev-dax)", s->job_path);
	for (unsigned i = 0; i < ne; i++)
		if (!engine_available(enghelp, engines[i]))
			die_skip("fio: this fio (%s) has no ioengine '%s' (see fio --enghelp): install a fio built with it",
				 ver, engines[i]);
	nrw = job_values(jobtext, "rw", rws, MAX_ENGINES);
	nrw += job_values(jobtext, "readwrite", rws + nrw, MAX_ENGINES - nrw);
	for (unsigned i = 0; i < nrw; i++)
		writes |= strstr(rws[i], "write") || strstr(rws[i], "rw") || strstr(rws[i], "trim");
	for (unsigned i = 0; i < ne; i++) {
		if (!strcmp(engines[i], "dev-dax") && (c->backing_auto || c->backing.kind != BACKING_DEVDAX))
			die_usage("fio: %s uses ioengine=dev-dax, which needs --backing devdax --path /dev/daxX.Y",
				  s->job_path);
		if (strcmp(engines[i], "dev-dax") && !c->backing_auto && c->backing.kind == BACKING_DEVDAX)
			die_usage("fio: --backing devdax needs a job with ioengine=dev-dax (%s uses %s)", s->job_path,
				  engines[i]);
	}

	if (c->backing_auto) {
		backing_find_best(&c->backing, why, sizeof(why));
		msg_info("fio: backing %s (%s)", backing_kind_name(c->backing.kind), why);
	}
	c->backing.writes = writes;
	if (backing_open(&c->backing, &b, err, sizeof(err)) < 0)
		die("fio: %s", err);
	if (b.path[0] == '/')
		snprintf(file, sizeof(file), "%s", b.path);
	else	/* a memfd: fio opens it through our descriptor */
		snprintf(file, sizeof(file), "/proc/%ld/fd/%d", (long)getpid(), b.fd);
	for (unsigned i = 0; i < ne; i++) {
		if (strcmp(engines[i], "libpmem") || b.dax)
			continue;
		/* fio's libpmem engine refuses files that are not persistent memory. */
		backing_close(&b);
		if (c->backing_auto)
			die_skip("fio: %s uses ioengine=libpmem, which needs a DAX file, and --backing auto found no DAX mount here (%s)",
				 s->job_path, why);
		die_usage("fio: %s uses ioengine=libpmem, which needs a DAX file: use --backing fsdax --path DIR",
			  s->job_path);
	}
	/* Every run, the first one included, finds the file's pages in memory. */
	if (backing_prime(&b, err, sizeof(err)) < 0)
		die("fio: %s", err);

	json_set(results_root(rd), "backing", backing_describe(&b));
	if (why[0])
		json_set(json_get(results_root(rd), "backing"), "chosen_because", json_str(why));
	params = results_section(rd, "parameters");
	json_set(params, "job_file", json_str(s->job_path));
	json_set(params, "job_text", json_str(jobtext));
	json_set(params, "fio", json_str(s->fio));
	json_set(params, "fio_version", json_str(ver));
	used = json_set(params, "ioengines", json_arr());
	for (unsigned i = 0; i < ne; i++)
		json_push(used, json_str(engines[i]));
	avail = json_set(params, "fio_engines_available", json_arr());
	{
		const char *p = strstr(enghelp, "Available IO engines:");

		for (p = p ? strchr(p, '\n') : NULL; p && p[1]; p = strchr(p + 1, '\n')) {
			char name[64];
			size_t len;
			const char *w = p + 1;

			while (*w == ' ' || *w == '\t')
				w++;
			len = strcspn(w, " \t\r\n");
			if (!len || len >= sizeof(name))
				continue;
			memcpy(name, w, len);
			name[len] = '\0';
			json_push(avail, json_str(name));
		}
	}
	json_set(params, "size_bytes", json_int((int64_t)c->backing.size));
	json_set(params, "file_primed", json_bool(!b.dax));
	json_set(params, "file", json_str(file));
	json_set(params, "runtime_s", json_int((int64_t)(s->runtime_ns / 1000000000ull)));
	json_set(params, "repetitions", json_int(c->reps));
	json_set(params, "warmup", json_int(c->warmup));
	json_set(params, "fio_seed", json_int((int64_t)(c->seed & 0x7fffffffffffffffull)));
	json_set(params, "placement", json_str("fio's own (the kernel chooses the address; sharing needs it 1 GiB aligned)"));

	for (size_t pi = 0; pi < c->nprocs && !failed; pi++) {
		unsigned n = c->procs[pi];

		for (unsigned rep = 0; rep < c->warmup + c->reps; rep++) {
			char out[] = "/tmp/ptshare-fio.XXXXXX";
			uint64_t timeout = c->timeout_ns ? c->timeout_ns : s->runtime_ns + 120000000000ull;
			struct fio_result fr;
			char perr[1024];
			int rrc, prc;
			int fd = mkstemp(out);

			if (fd < 0)
				die("fio: cannot create a temporary file in /tmp: %s", strerror(errno));
			close(fd);
			cleanup_add_file(out);
			rrc = run_fio(s, file, c->backing.size, n, (c->seed + rep) & 0x7fffffffffffffffull, timeout,
				      out, err, sizeof(err));
			prc = fio_parse_file(out, &fr, perr, sizeof(perr));
			/* A failed job: its error number in the output says more than fio's exit status. */
			if (prc < 0 && (rrc == 0 || strstr(perr, "failed with error")))
				snprintf(err, sizeof(err), "%s", perr);
			if (rrc < 0 || prc < 0) {
				unlink(out);
				cleanup_forget_path(out);
				results_warn(rd, "procs=%u: %s", n, err);
				failed = true;
				break;
			}
			unlink(out);
			cleanup_forget_path(out);
			if (fr.numjobs != n)
				results_warn(rd, "procs=%u: fio ran %u jobs: does %s take numjobs=${PTSHARE_FIO_JOBS}?",
					     n, fr.numjobs, s->job_path);
			msg_info("fio: procs=%u rep %u: %s%s", n, rep, fr.jobnames,
				 rep < c->warmup ? " (warm-up, discarded)" : "");
			if (rep >= c->warmup)
				record(rd, &fr, n, "fio run");
		}
	}
	free(jobtext);
	free(enghelp);
	free(ver);
	backing_close(&b);
	return failed ? EXIT_FAIL : EXIT_OK;
}

const struct bench bench_fio = {
	.name = "fio",
	.summary = "run a fio job (workloads/fio) on the shared file, results in the suite's schema",
	.description =
		"Runs the fio job file JOB with numjobs processes mmapping one shared file: the\n"
		"backing the suite creates (--backing, --path, --size), named to the job through\n"
		"the environment (PTSHARE_FIO_FILE, PTSHARE_FIO_SIZE, PTSHARE_FIO_JOBS from\n"
		"--procs, PTSHARE_FIO_RUNTIME, PTSHARE_FIO_SEED).  fio's JSON output is converted:\n"
		"per direction bandwidth, IOPS, completion-latency percentiles p50/p90/p99/p99.9,\n"
		"mean and max; page faults (fio's minf/majf), context switches, CPU.  A job whose\n"
		"ioengine this fio lacks is skipped (exit 77) with the reason.  JOB is a path or\n"
		"a name in $PTSHARE_FIO_DIR or ./workloads/fio.  --input FILE converts stored\n"
		"fio output instead (one repetition per file).",
	.common = OPTS_BACKING | OPTS_PROCS | OPTS_REPS | OPTS_OUTPUT | OPTS_SEED | OPTS_TIMEOUT,
	.opts = fio_opts,
	.positional = "JOB",
	.state_size = sizeof(struct fio_state),
	.defaults = fio_defaults,
	.parse = fio_parse,
	.positional_arg = fio_positional,
	.check = fio_check,
	.run = fio_run_bench,
};
PTSHARE_BENCHMARK(bench_fio);
