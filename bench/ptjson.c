// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptjson: read the suite's JSON documents from shell scripts.
 *
 *   ptjson check FILE...        validate (one-line error with the position)
 *   ptjson get FILE PATH        print the value at a dot path (a.b.0.c);
 *                               strings raw, numbers as written, objects
 *                               and arrays as compact JSON; exit 1 if absent
 *   ptjson keys FILE PATH       the member names of an object, one per line
 *   ptjson len FILE PATH        the length of an array or object
 *   ptjson csv FILE             a result document as CSV on stdout
 */
#include "config.h"

#include "json.h"
#include "results.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct json *load(const char *path)
{
	char err[512];
	struct json *j = json_parse_file(path, err, sizeof(err));

	if (!j) {
		fprintf(stderr, "ptjson: %s: %s\n", path, err);
		exit(EXIT_FAIL);
	}
	return j;
}

static void usage(void)
{
	fprintf(stderr, "usage: ptjson check FILE... | get FILE PATH | keys FILE PATH | len FILE PATH | csv FILE\n");
	exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	struct json *doc, *v;

	progname = "ptjson";
	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "check")) {
		for (int i = 2; i < argc; i++)
			json_free(load(argv[i]));
		return 0;
	}
	if (!strcmp(argv[1], "csv")) {
		if (argc != 3)
			usage();
		doc = load(argv[2]);
		return results_write_csv(doc, "-") < 0 ? EXIT_FAIL : 0;
	}
	if (argc != 4)
		usage();
	doc = load(argv[2]);
	v = *argv[3] ? json_get_path(doc, argv[3]) : doc;
	if (!v) {
		fprintf(stderr, "ptjson: %s: no value at '%s'\n", argv[2], argv[3]);
		return EXIT_FAIL;
	}
	if (!strcmp(argv[1], "get")) {
		if (v->type == JSON_STRING)
			puts(v->s);
		else
			json_write(stdout, v, 0), putchar('\n');
	} else if (!strcmp(argv[1], "keys")) {
		if (v->type != JSON_OBJECT) {
			fprintf(stderr, "ptjson: '%s' is not an object\n", argv[3]);
			return EXIT_FAIL;
		}
		for (size_t i = 0; i < v->n; i++)
			puts(v->keys[i]);
	} else if (!strcmp(argv[1], "len")) {
		printf("%zu\n", json_len(v));
	} else {
		usage();
	}
	json_free(doc);
	return 0;
}
