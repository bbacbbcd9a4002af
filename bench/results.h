/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * results: one JSON document per run, flattened to CSV, and a summary
 * table for the terminal.
 *
 * Document (schema "ptshare-result/1"):
 *   { "schema", "benchmark", "suite": {...}, "run": {id, command, seed,
 *     started_utc, finished_utc}, "machine": {...}, "topology": {format,
 *     xml} (hwloc XML, added by results_new), "backing": {...},
 *     "probes": {...}, "parameters": {...}, "warnings": [...],
 *     "cases": [ { "id": "procs=8", "params": {...},
 *                  "metrics": { "<name>_<unit>": { "unit", "better",
 *                        "values": [per repetition], "n", "median",
 *                        "mean", "stddev", "min", "max", "cov" } },
 *                  "observations": {...}, "repetitions": [ {...} ] } ] }
 * Metric names end in their unit (_bytes, _pages, _ns, _count, _ratio,
 * _per_gib...); "better" says which direction is an improvement.
 * CSV (long form): run_id,benchmark,backing,kernel_release,case,metric,
 * unit,repetition,value.
 */
#ifndef PTSHARE_RESULTS_H
#define PTSHARE_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

struct json;
struct result_doc;
struct result_case;

struct output_opts {
	const char *json_path;	/* "-" for stdout */
	const char *csv_path;
	const char *out_dir;	/* writes <run-id>.json and .csv there */
	bool quiet;		/* no summary table */
};

struct result_doc *results_new(const char *benchmark, int argc, char **argv, uint64_t seed);
void results_free(struct result_doc *rd);

struct json *results_root(struct result_doc *rd);
/* A top-level object member ("parameters", "backing", ...), created on demand. */
struct json *results_section(struct result_doc *rd, const char *name);
void results_warn(struct result_doc *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *results_run_id(const struct result_doc *rd);

struct result_case *results_case(struct result_doc *rd, const char *id);
struct json *case_params(struct result_case *c);
struct json *case_observations(struct result_case *c);
/* Append one repetition's value of @metric (created "lower is better"). */
void case_value(struct result_case *c, const char *metric, double v);
/* Declare a metric where higher is better (bandwidth, ratio of savings). */
void case_metric_higher_is_better(struct result_case *c, const char *metric);
/* Per-repetition detail object, appended to "repetitions". */
void case_repetition(struct result_case *c, struct json *detail);
/* Median of a metric so far (NaN if absent). */
double case_median(struct result_case *c, const char *metric);

/* Columns of the terminal table, in order: metrics (median ± CoV) or case observations. */
void results_table_columns(struct result_doc *rd, const char *const *metrics, unsigned n);

/* Summaries, then JSON/CSV output and the table.  0 or -1 (message printed). */
int results_finish(struct result_doc *rd, const struct output_opts *o);

/* The unit a metric name ends in ("bytes", "ns", ...), or "" . */
const char *metric_unit(const char *name);

/* Write the CSV form of a parsed result document. */
int results_write_csv(const struct json *doc, const char *path);

#endif
