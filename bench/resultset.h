/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * resultset: a result directory read back for comparison and plotting.
 *
 * A result directory is what harness/run writes (manifest.tsv, NAME.json,
 * machine/), what `ptshare --out DIR` writes (RUN-ID.json), or a directory
 * holding such directories (a guest's results share).  Every result
 * document ("schema": "ptshare-result/1") in it becomes a run with a name
 * that matches the same run in another directory:
 *   - the manifest's run name, or the file name without .json, prefixed
 *     by its subdirectory ("quick/share1/pgtable-2M");
 *   - for files named after their run id (ptshare --out), the benchmark
 *     and its command-line options without the output, seed and
 *     repetition options ("pgtable --backing fsdax --size 1G ...").
 * Runs the manifest lists without a document (failed, skipped) are kept
 * with their status, so a comparison shows them as such.
 *
 * The machine metadata of the directory (kernel, command line, config
 * options, sysctls, THP, hugetlb pools, CPU, memory) is flattened into
 * key/value pairs so that two directories can be diffed.
 */
#ifndef PTSHARE_RESULTSET_H
#define PTSHARE_RESULTSET_H

#include <stddef.h>

struct json;

struct rs_run {
	char *name;		/* key across directories */
	char *path;		/* the document, or NULL when there is none */
	char *status;		/* manifest status ("ok", "failed", ...), or "ok" */
	struct json *doc;	/* parsed document, or NULL */
};

struct rs_kv {
	char *key, *value;
};

struct rs_set {
	char *path;		/* as given */
	char *label;		/* column title: the directory's name */
	struct rs_run *runs;
	size_t nruns;
	struct rs_kv *meta;	/* sorted by key */
	size_t nmeta;
};

/*
 * Read a result directory (or a single result document).  Returns 0, or
 * -1 with a one-line reason naming the file and the fix in @err: a
 * missing directory, one without result documents, a corrupt document, a
 * manifest naming a missing file.
 */
int rs_load(const char *path, struct rs_set *set, char *err, size_t errlen);
void rs_free(struct rs_set *set);

/*
 * Give sets with the same label distinct ones: the shortest tail of their
 * paths that differs ("a/stock", "b/stock"), numbered if the paths are equal.
 */
void rs_unique_labels(struct rs_set *sets, size_t n);

struct rs_run *rs_find(const struct rs_set *set, const char *name);
/* Metadata value, or NULL. */
const char *rs_meta(const struct rs_set *set, const char *key);

/* The case object with this "id" in a document's "cases", or NULL. */
struct json *rs_case(const struct json *doc, const char *id);

/*
 * Numeric values of a metric ("values" array; non-numbers skipped) into a
 * malloc'ed array; returns the count, or -1 when the metric is absent.
 */
long rs_values(const struct json *kase, const char *metric, double **out);

#endif
