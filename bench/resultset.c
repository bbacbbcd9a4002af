// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "resultset.h"
#include "json.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESULT_SCHEMA "ptshare-result/1"
#define MAX_DEPTH 4

/* Subdirectories of a harness/run directory that hold no result documents. */
static const char *const skip_dirs[] = { "machine", "snapshots", "kernel-log", "plots" };

static void add_run(struct rs_set *s, const char *name, const char *path, const char *status,
		    struct json *doc)
{
	struct rs_run *r;

	s->runs = xrealloc(s->runs, (s->nruns + 1) * sizeof(*s->runs));
	r = &s->runs[s->nruns++];
	r->name = xstrdup(name);
	r->path = path ? xstrdup(path) : NULL;
	r->status = xstrdup(status);
	r->doc = doc;
}

/*
 * Parse a document.  Returns it, or NULL: with @err set when the file is
 * a corrupt or foreign-schema result, with @err empty when it is some
 * other JSON file (and @strict is false).
 */
static struct json *load_doc(const char *path, bool strict, char *err, size_t errlen)
{
	char perr[512];
	char *text = read_file_alloc(path, NULL);
	const char *schema;
	bool ours;
	struct json *doc;

	err[0] = '\0';
	if (!text) {
		errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	ours = strstr(text, "\"ptshare-result/") != NULL;
	doc = json_parse(text, perr, sizeof(perr));
	free(text);
	if (!doc) {
		if (ours || strict)
			errf(err, errlen, "%s: %s: a corrupt result document (rerun that workload, or move the file out of the directory)",
			     path, perr);
		return NULL;
	}
	schema = json_get_string(doc, "schema");
	if (!schema || strcmp(schema, RESULT_SCHEMA)) {
		if (ours || strict)
			errf(err, errlen, "%s: schema '%s', not '%s': not a result document this version reads",
			     path, schema ? schema : "(none)", RESULT_SCHEMA);
		json_free(doc);
		return NULL;
	}
	if (!json_get(doc, "cases") || json_get(doc, "cases")->type != JSON_ARRAY) {
		errf(err, errlen, "%s: no \"cases\" array: a truncated or corrupt result document", path);
		json_free(doc);
		return NULL;
	}
	return doc;
}

/* Options of ptshare that do not change what is measured. */
static bool volatile_option(const char *opt, bool *takes_arg)
{
	static const char *const with_arg[] = { "--json", "--csv", "--out", "--seed", "--reps", "--warmup", "--timeout" };
	static const char *const flags[] = { "--quiet" };

	for (size_t i = 0; i < ARRAY_SIZE(with_arg); i++)
		if (!strcmp(opt, with_arg[i])) {
			*takes_arg = true;
			return true;
		}
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (!strcmp(opt, flags[i])) {
			*takes_arg = false;
			return true;
		}
	return false;
}

/* "pgtable --backing fsdax --size 1G ..." from the recorded command line. */
static char *command_signature(const struct json *doc)
{
	const char *cmd = json_get_string(json_get(doc, "run"), "command");
	const char *bench = json_get_string(doc, "benchmark");
	char *copy, *tok, *save = NULL, *out = NULL;
	size_t len = 0;
	FILE *f;
	int i = 0;
	bool skip_next = false;

	if (!cmd)
		return xstrdup(bench ? bench : "unknown");
	f = open_memstream(&out, &len);
	copy = xstrdup(cmd);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save), i++) {
		bool arg;

		if (i == 0)
			continue;	/* the binary's path */
		if (skip_next) {
			skip_next = false;
			continue;
		}
		if (volatile_option(tok, &arg)) {
			skip_next = arg;
			continue;
		}
		if (strchr(tok, '=')) {
			char opt[64];

			snprintf(opt, sizeof(opt), "%.*s", (int)(strchr(tok, '=') - tok), tok);
			if (volatile_option(opt, &arg))
				continue;
		}
		fprintf(f, "%s%s", ftell(f) ? " " : "", tok);
	}
	fclose(f);
	free(copy);
	return out;
}

static char *join(const char *rel, const char *name)
{
	return *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
}

static int read_manifest(struct rs_set *s, const char *dir, const char *rel, char *err, size_t errlen)
{
	char *path = xasprintf("%s/manifest.tsv", dir), *text, *line, *save = NULL;
	int rc = 0, lineno = 0;

	text = read_file_alloc(path, NULL);
	if (!text) {
		errf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6] = { 0 }, *p = line, *name, *doc_path;
		struct json *doc = NULL;
		int nf = 0;

		if (++lineno == 1 && !strncmp(line, "name\t", 5))
			continue;	/* header */
		while (nf < 6) {
			f[nf++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (nf < 6) {
			rc = errf(err, errlen, "%s line %d: %d fields, not 6 (name, benchmark, status, exit code, seconds, result): a corrupt manifest",
				  path, lineno, nf);
			break;
		}
		name = join(rel, f[0]);
		if (!strcmp(f[5], "-")) {
			add_run(s, name, NULL, f[2], NULL);
			free(name);
			continue;
		}
		doc_path = xasprintf("%s/%s", dir, f[5]);
		if (access(doc_path, F_OK) < 0) {
			rc = errf(err, errlen, "%s lists %s, which is missing: an incomplete result directory (copy it again, or rerun)",
				  path, f[5]);
		} else if (!(doc = load_doc(doc_path, true, err, errlen))) {
			rc = -1;
		} else {
			add_run(s, name, doc_path, f[2], doc);
		}
		free(doc_path);
		free(name);
		if (rc)
			break;
	}
	free(text);
	free(path);
	return rc;
}

static int name_filter(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void meta_set(struct rs_set *s, const char *key, const char *value, bool replace)
{
	for (size_t i = 0; i < s->nmeta; i++)
		if (!strcmp(s->meta[i].key, key)) {
			if (replace) {
				free(s->meta[i].value);
				s->meta[i].value = xstrdup(value);
			}
			return;
		}
	s->meta = xrealloc(s->meta, (s->nmeta + 1) * sizeof(*s->meta));
	s->meta[s->nmeta].key = xstrdup(key);
	s->meta[s->nmeta].value = xstrdup(value);
	s->nmeta++;
}

/* The machine record files harness/run keeps: kernel config and vm sysctls. */
static void read_machine_dir(struct rs_set *s, const char *dir)
{
	char *path = xasprintf("%s/machine/kernel.config", dir), *text, *line, *save = NULL;

	text = read_file_alloc(path, NULL);
	free(path);
	if (text) {
		meta_set(s, "config", "recorded", true);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char key[256], *eq;

			if (!strncmp(line, "# CONFIG_", 9) && strstr(line, " is not set")) {
				snprintf(key, sizeof(key), "config.%.*s", (int)(strstr(line, " is not set") - line - 2), line + 2);
				meta_set(s, key, "n", true);
			} else if (!strncmp(line, "CONFIG_", 7) && (eq = strchr(line, '='))) {
				snprintf(key, sizeof(key), "config.%.*s", (int)(eq - line), line);
				meta_set(s, key, eq + 1, true);
			}
		}
		free(text);
	}
	path = xasprintf("%s/machine/sysctl-vm.txt", dir);
	text = read_file_alloc(path, NULL);
	free(path);
	if (text) {
		save = NULL;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *eq = strstr(line, " = "), key[256], *v, *end;

			if (!eq)
				continue;
			snprintf(key, sizeof(key), "sysctl.%.*s", (int)(eq - line), line);
			v = eq + 3;
			end = v + strlen(v);
			while (end > v && end[-1] == ' ')
				*--end = '\0';
			meta_set(s, key, v, false);	/* the document's reading wins */
		}
		free(text);
	}
}

static bool volatile_meta(const char *key)
{
	size_t n = strlen(key);

	/* free hugetlb pages change with every run */
	return n > 5 && !strcmp(key + n - 5, ".free");
}

static void flatten(struct rs_set *s, const char *prefix, const struct json *j)
{
	char key[512];

	if (j->type == JSON_OBJECT) {
		for (size_t i = 0; i < j->n; i++) {
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", j->keys[i]);
			flatten(s, key, j->items[i]);
		}
		return;
	}
	if (volatile_meta(prefix))
		return;
	if (j->type == JSON_STRING) {
		meta_set(s, prefix, j->s, true);
	} else {
		char *v = json_to_string(j, 0);

		meta_set(s, prefix, v, true);
		free(v);
	}
}

static int walk(struct rs_set *s, const char *dir, const char *rel, int depth, bool *machine_read,
		char *err, size_t errlen)
{
	struct dirent **ents = NULL;
	char *manifest = xasprintf("%s/manifest.tsv", dir);
	bool has_manifest = access(manifest, F_OK) == 0;
	int n, rc = 0;

	free(manifest);
	if (has_manifest && read_manifest(s, dir, rel, err, errlen) < 0)
		return -1;
	if (has_manifest && !*machine_read) {
		read_machine_dir(s, dir);
		*machine_read = true;
	}
	n = scandir(dir, &ents, name_filter, alphasort);
	if (n < 0)
		return errf(err, errlen, "cannot read the directory %s: %s", dir, strerror(errno));
	for (int i = 0; i < n && !rc; i++) {
		const char *e = ents[i]->d_name;
		char *path = xasprintf("%s/%s", dir, e);
		size_t len = strlen(e);
		struct stat st;

		if (stat(path, &st) < 0) {
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			bool skip = depth >= MAX_DEPTH;

			for (size_t k = 0; k < ARRAY_SIZE(skip_dirs); k++)
				skip |= !strcmp(e, skip_dirs[k]);
			if (!skip) {
				char *sub = join(rel, e);

				rc = walk(s, path, sub, depth + 1, machine_read, err, errlen);
				free(sub);
			}
		} else if (!has_manifest && S_ISREG(st.st_mode) && len > 5 && !strcmp(e + len - 5, ".json")) {
			struct json *doc = load_doc(path, false, err, errlen);

			if (doc) {
				const char *id = json_get_string(json_get(doc, "run"), "id");
				char *stem = xasprintf("%.*s", (int)(len - 5), e), *name;

				if (id && !strcmp(id, stem)) {
					char *sig = command_signature(doc);

					name = join(rel, sig);
					free(sig);
				} else {
					name = join(rel, stem);
				}
				if (rs_find(s, name))
					rc = errf(err, errlen, "%s: a second run '%s' in %s: keep one per directory",
						  path, name, dir);
				else
					add_run(s, name, path, "ok", doc);
				if (rc)
					json_free(doc);
				free(stem);
				free(name);
			} else if (err[0]) {
				rc = -1;
			}
		}
		free(path);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct rs_kv *)a)->key, ((const struct rs_kv *)b)->key);
}

static char *base_label(const char *path)
{
	char *p = xstrdup(path), *slash;

	while (strlen(p) > 1 && p[strlen(p) - 1] == '/')
		p[strlen(p) - 1] = '\0';
	slash = strrchr(p, '/');
	if (slash && slash[1]) {
		char *l = xstrdup(slash + 1);

		free(p);
		p = l;
	}
	return p;
}

int rs_load(const char *path, struct rs_set *s, char *err, size_t errlen)
{
	struct stat st;
	bool machine_read = false;
	const struct json *first = NULL;

	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	s->label = base_label(path);
	if (stat(path, &st) < 0) {
		errf(err, errlen, "%s: %s: give a result directory written by harness/run (results/LABEL)",
		     path, strerror(errno));
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		struct json *doc = load_doc(path, true, err, errlen);
		char *label;

		if (!doc)
			goto fail;
		add_run(s, "", path, "ok", doc);
		free(s->runs[0].name);
		s->runs[0].name = command_signature(doc);
		label = xstrdup(s->label);
		if (strlen(label) > 5 && !strcmp(label + strlen(label) - 5, ".json"))
			label[strlen(label) - 5] = '\0';
		free(s->label);
		s->label = label;
	} else if (!S_ISDIR(st.st_mode)) {
		errf(err, errlen, "%s is neither a result directory nor a result document", path);
		goto fail;
	} else if (walk(s, path, "", 0, &machine_read, err, errlen) < 0) {
		goto fail;
	}
	for (size_t i = 0; i < s->nruns && !first; i++)
		first = s->runs[i].doc;
	if (!s->nruns) {
		errf(err, errlen, "%s holds no result documents (*.json with \"schema\": \"%s\", or a manifest.tsv): is it a directory written by harness/run?",
		     path, RESULT_SCHEMA);
		goto fail;
	}
	if (first) {
		if (json_get(first, "machine"))
			flatten(s, "", json_get(first, "machine"));
		if (json_get(first, "suite")) {
			const char *v = json_get_string(json_get(first, "suite"), "version");
			const char *g = json_get_string(json_get(first, "suite"), "git");

			if (v)
				meta_set(s, "suite.version", v, true);
			if (g)
				meta_set(s, "suite.git", g, true);
		}
	}
	if (s->nmeta)
		qsort(s->meta, s->nmeta, sizeof(*s->meta), cmp_kv);
	return 0;
fail:
	rs_free(s);
	return -1;
}

void rs_free(struct rs_set *s)
{
	for (size_t i = 0; i < s->nruns; i++) {
		free(s->runs[i].name);
		free(s->runs[i].path);
		free(s->runs[i].status);
		json_free(s->runs[i].doc);
	}
	for (size_t i = 0; i < s->nmeta; i++) {
		free(s->meta[i].key);
		free(s->meta[i].value);
	}
	free(s->runs);
	free(s->meta);
	free(s->path);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

/* The last @k components of @path ("a/b/set", 2: "b/set"); the whole path
 * (without trailing slashes) when it has no more.  *@whole says which. */
static char *path_suffix(const char *path, int k, bool *whole)
{
	char *p = xstrdup(path), *q;
	size_t len = strlen(p);

	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	q = p + len;
	while (k > 0 && q > p) {
		q--;
		if (*q == '/' && --k == 0)
			q++;
	}
	*whole = q == p;
	q = xstrdup(q);
	free(p);
	return q;
}

/* Does the @k-component tail of @path of set @i differ from that of every
 * other set with the same label? */
static bool tail_is_unique(const struct rs_set *sets, size_t n, size_t i, int k,
			   const char *tail)
{
	for (size_t j = 0; j < n; j++) {
		bool whole, same;
		char *other;

		if (j == i || strcmp(sets[i].label, sets[j].label))
			continue;
		other = path_suffix(sets[j].path, k, &whole);
		same = !strcmp(tail, other);
		free(other);
		if (same)
			return false;
	}
	return true;
}

void rs_unique_labels(struct rs_set *sets, size_t n)
{
	char **label = xcalloc(n ? n : 1, sizeof(*label));

	/*
	 * A set that shares its label with another gets the shortest tail of
	 * its path that tells it apart: "stock/set" and "patched/set" rather
	 * than two full paths.
	 */
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < n; j++)
			dup |= j != i && !strcmp(sets[i].label, sets[j].label);
		if (!dup)
			continue;
		for (int k = 2;; k++) {
			bool whole;

			label[i] = path_suffix(sets[i].path, k, &whole);
			if (whole || tail_is_unique(sets, n, i, k, label[i]))
				break;
			free(label[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (label[i]) {
			free(sets[i].label);
			sets[i].label = label[i];
		}
	free(label);
	/* Still equal (the same path twice): number them. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (!strcmp(sets[i].label, sets[j].label)) {
				char *l = xasprintf("%s#%zu", sets[j].label, j + 1);

				free(sets[j].label);
				sets[j].label = l;
			}
}

struct rs_run *rs_find(const struct rs_set *s, const char *name)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (!strcmp(s->runs[i].name, name))
			return &s->runs[i];
	return NULL;
}

const char *rs_meta(const struct rs_set *s, const char *key)
{
	struct rs_kv k = { .key = (char *)key }, *hit;

	if (!s->nmeta)
		return NULL;
	hit = bsearch(&k, s->meta, s->nmeta, sizeof(*s->meta), cmp_kv);
	return hit ? hit->value : NULL;
}

struct json *rs_case(const struct json *doc, const char *id)
{
	const struct json *cases = json_get(doc, "cases");

	for (size_t i = 0; i < json_len(cases); i++) {
		const char *cid = json_get_string(json_at(cases, i), "id");

		if (cid && !strcmp(cid, id))
			return json_at(cases, i);
	}
	return NULL;
}

long rs_values(const struct json *kase, const char *metric, double **out)
{
	const struct json *m = json_get(json_get(kase, "metrics"), metric), *vals;
	long n = 0;

	*out = NULL;
	if (!m)
		return -1;
	vals = json_get(m, "values");
	*out = xcalloc(json_len(vals) + 1, sizeof(**out));
	for (size_t i = 0; i < json_len(vals); i++)
		if (json_is_number(json_at(vals, i)))
			(*out)[n++] = json_number(json_at(vals, i));
	return n;
}
