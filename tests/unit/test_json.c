// SPDX-License-Identifier: GPL-2.0-only
/* JSON writer and parser; result documents written and read back; CSV. */
#include "config.h"

#include "json.h"
#include "results.h"
#include "tap.h"
#include "util.h"

#include <unistd.h>

int main(void)
{
	char err[256], path[] = "/tmp/ptshare-jsontest.XXXXXX", csvp[4200];
	struct json *o, *p, *back;
	char *s;

	plan(33);
	o = json_obj();
	json_set(o, "str", json_str("tab\there \"quoted\" \\ back\nline \x01 ü"));
	json_set(o, "int", json_int(-9007199254740993LL));
	json_set(o, "big", json_int(INT64_MAX));
	json_set(o, "num", json_num(0.1));
	json_set(o, "nan", json_num(0.0 / 0.0));
	json_set(o, "t", json_bool(true));
	json_push(json_set(o, "arr", json_arr()), json_int(1));
	json_set(o, "int", json_int(42));	/* replaces */
	s = json_to_string(o, 2);
	p = json_parse(s, err, sizeof(err));
	ok(p != NULL, "pretty output parses back (%s)", p ? "ok" : err);
	is_str(json_get_string(p, "str"), "tab\there \"quoted\" \\ back\nline \x01 ü", "escapes round-trip");
	{
		int64_t i;

		is_int(json_get_int(p, "int", &i), 0, "int read");
		is_int(i, 42, "json_set replaced the earlier value");
		is_int(json_get_int(p, "big", &i), 0, "INT64_MAX read");
		ok(i == INT64_MAX, "INT64_MAX exact");
	}
	{
		double d;

		is_int(json_get_number(p, "num", &d), 0, "double read");
		ok(d == 0.1, "0.1 round-trips exactly");
	}
	ok(json_get(p, "nan") && json_get(p, "nan")->type == JSON_NULL, "NaN is written as null");
	is_int(json_len(json_get(p, "arr")), 1, "array length");
	is_int(json_len(p), 7, "object keeps 7 members");
	is_str(p->keys[0], "str", "insertion order kept");
	free(s);
	s = json_to_string(o, 0);
	ok(strchr(s, '\n') == NULL, "compact output is one line");
	free(s);
	json_free(p);
	json_free(o);

	ok(json_parse("{\"a\":1,}", err, sizeof(err)) == NULL, "trailing comma rejected");
	ok(strstr(err, "line 1 column 8") != NULL, "error has the position: %s", err);
	ok(json_parse("[1 2]", err, sizeof(err)) == NULL, "missing comma rejected");
	ok(json_parse("{\"a\":01}", err, sizeof(err)) == NULL, "leading zero rejected");
	ok(json_parse("\"\\ud800\"", err, sizeof(err)) == NULL, "unpaired surrogate rejected");
	ok(json_parse("{\"a\":1} x", err, sizeof(err)) == NULL, "trailing data rejected");
	ok(json_parse("", err, sizeof(err)) == NULL, "empty input rejected");
	ok(json_parse("\"\x01\"", err, sizeof(err)) == NULL, "raw control character rejected");
	p = json_parse(" {\"u\":\"\\u00e9\\ud83d\\ude00\", \"e\":1e3, \"n\":[true,false,null]} ", err, sizeof(err));
	ok(p != NULL, "valid document with escapes, exponent and literals parses");
	is_str(json_get_string(p, "u"), "\xc3\xa9\xf0\x9f\x98\x80", "\\u escapes become UTF-8");
	is_num(json_number(json_get(p, "e")), 1000, 0, "exponent");
	json_free(p);

	/* A result document, written, read back, and flattened to CSV. */
	{
		char *argv[] = { "ptshare", "pgtable", "--size", "it's 1G" };
		struct result_doc *rd = results_new("pgtable", 4, argv, 1234);
		struct result_case *c = results_case(rd, "procs=2");
		struct output_opts out = { .quiet = true };
		int fd = mkstemp(path);
		const struct json *m;
		char *csv;

		close(fd);
		json_set(results_root(rd), "backing", json_obj());
		json_set(json_get(results_root(rd), "backing"), "kind", json_str("tmpfs"));
		case_value(c, "pt_meminfo_bytes", 4096);
		case_value(c, "pt_meminfo_bytes", 8192);
		case_value(c, "pt_meminfo_bytes", 12288);
		case_value(c, "touch_median_ns", 1.5);
		out.json_path = path;
		snprintf(csvp, sizeof(csvp), "%s.csv", path);
		out.csv_path = csvp;
		is_int(results_finish(rd, &out), 0, "results written");
		results_free(rd);
		back = json_parse_file(path, err, sizeof(err));
		ok(back != NULL, "result document parses back (%s)", back ? "ok" : err);
		is_str(json_get_string(back, "schema"), "ptshare-result/1", "schema named");
		is_str(json_get_string(json_get(back, "run"), "command"), "ptshare pgtable --size 'it'\\''s 1G'",
		       "command is shell-quoted for reproduction");
		m = json_get_path(json_at(json_get(back, "cases"), 0), "metrics.pt_meminfo_bytes");
		is_num(json_number(json_get(m, "median")), 8192, 0, "median computed");
		is_str(json_get_string(m, "unit"), "bytes", "unit from the metric name");
		ok(json_get_path(back, "machine.kernel_release") != NULL, "machine metadata present");
		csv = read_file_alloc(csvp, NULL);
		ok(csv && strstr(csv, "run_id,benchmark,backing,kernel_release,case,metric,unit,repetition,value\n"),
		   "CSV header");
		ok(csv && strstr(csv, ",tmpfs,") && strstr(csv, "procs=2,pt_meminfo_bytes,bytes,2,12288\n"),
		   "CSV row per repetition");
		free(csv);
		json_free(back);
		unlink(path);
		unlink(csvp);
	}
	return done_testing();
}
