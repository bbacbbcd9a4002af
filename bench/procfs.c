// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "procfs.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Find @key at the start of a line, followed by @sep. */
static const char *line_value(const char *text, const char *key, char sep)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == sep)
			return p + klen + 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static int parse_line_number(const char *v, int64_t *out, bool allow_kb)
{
	char *end;
	long long n;

	while (*v == ' ' || *v == '\t')
		v++;
	if (!isdigit((unsigned char)*v) && *v != '-')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v)
		return -1;
	while (*end == ' ' || *end == '\t')
		end++;
	if (allow_kb && !strncmp(end, "kB", 2)) {
		n *= 1024;
		end += 2;
	}
	if (*end && *end != '\n')
		return -1;
	*out = n;
	return 0;
}

int kv_colon(const char *text, const char *key, int64_t *out)
{
	const char *v = line_value(text, key, ':');

	return v ? parse_line_number(v, out, true) : -1;
}

int kv_space(const char *text, const char *key, int64_t *out)
{
	const char *v = line_value(text, key, ' ');

	return v ? parse_line_number(v, out, false) : -1;
}

/* A VMA header: "start-end perms offset dev inode [path]". */
static bool parse_vma_header(const char *line, struct smaps_vma *v)
{
	unsigned long long s, e, off;
	char perms[8];
	int consumed = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &s, &e, perms, &off, &consumed) < 4 || !consumed)
		return false;
	if (strlen(perms) != 4)
		return false;
	memset(v, 0, sizeof(*v));
	v->start = s;
	v->end = e;
	v->offset = off;
	memcpy(v->perms, perms, 5);
	line += consumed;
	while (*line == ' ')
		line++;
	{
		size_t n = strcspn(line, "\n");

		if (n >= sizeof(v->path))
			n = sizeof(v->path) - 1;
		memcpy(v->path, line, n);
		v->path[n] = '\0';
	}
	v->size = v->rss = v->pss = v->kernel_page_size = v->mmu_page_size = -1;
	v->anon_huge = v->shmem_pmd = v->file_pmd = v->shared_hugetlb = v->private_hugetlb = -1;
	return true;
}

static void parse_vma_field(const char *line, struct smaps_vma *v)
{
	static const struct { const char *key; size_t off; } fields[] = {
		{ "Size", offsetof(struct smaps_vma, size) },
		{ "Rss", offsetof(struct smaps_vma, rss) },
		{ "Pss", offsetof(struct smaps_vma, pss) },
		{ "KernelPageSize", offsetof(struct smaps_vma, kernel_page_size) },
		{ "MMUPageSize", offsetof(struct smaps_vma, mmu_page_size) },
		{ "AnonHugePages", offsetof(struct smaps_vma, anon_huge) },
		{ "ShmemPmdMapped", offsetof(struct smaps_vma, shmem_pmd) },
		{ "FilePmdMapped", offsetof(struct smaps_vma, file_pmd) },
		{ "Shared_Hugetlb", offsetof(struct smaps_vma, shared_hugetlb) },
		{ "Private_Hugetlb", offsetof(struct smaps_vma, private_hugetlb) },
	};
	const char *colon = strchr(line, ':');
	size_t klen;

	if (!colon)
		return;
	klen = colon - line;
	if (klen == 7 && !strncmp(line, "VmFlags", 7)) {
		const char *s = colon + 1;
		size_t n;

		while (*s == ' ')
			s++;
		n = strcspn(s, "\n");
		if (n >= sizeof(v->vmflags))
			n = sizeof(v->vmflags) - 1;
		memcpy(v->vmflags, s, n);
		v->vmflags[n] = '\0';
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strlen(fields[i].key) == klen && !strncmp(line, fields[i].key, klen)) {
			int64_t val;

			if (!parse_line_number(colon + 1, &val, true))
				*(int64_t *)((char *)v + fields[i].off) = val;
			return;
		}
	}
}

static void add_field(int64_t *sum, int64_t v)
{
	if (v < 0)
		return;
	*sum = (*sum < 0 ? 0 : *sum) + v;
}

int smaps_range(const char *text, uint64_t start, uint64_t end,
		struct smaps_vma *first, struct smaps_vma *sum)
{
	struct smaps_vma cur;
	bool have = false, in_range = false;
	int found = 0;
	const char *p = text;

	memset(sum, 0, sizeof(*sum));
	sum->size = sum->rss = sum->pss = sum->kernel_page_size = sum->mmu_page_size = -1;
	sum->anon_huge = sum->shmem_pmd = sum->file_pmd = sum->shared_hugetlb = sum->private_hugetlb = -1;

	for (;;) {
		bool header = p && *p && isxdigit((unsigned char)*p) && parse_vma_header(p, &(struct smaps_vma){0});

		if ((header || !p || !*p) && have && in_range) {
			if (!found && first)
				*first = cur;
			found++;
			add_field(&sum->size, cur.size);
			add_field(&sum->rss, cur.rss);
			add_field(&sum->pss, cur.pss);
			add_field(&sum->anon_huge, cur.anon_huge);
			add_field(&sum->shmem_pmd, cur.shmem_pmd);
			add_field(&sum->file_pmd, cur.file_pmd);
			add_field(&sum->shared_hugetlb, cur.shared_hugetlb);
			add_field(&sum->private_hugetlb, cur.private_hugetlb);
			if (found == 1) {
				sum->start = cur.start;
				sum->kernel_page_size = cur.kernel_page_size;
				sum->mmu_page_size = cur.mmu_page_size;
				memcpy(sum->perms, cur.perms, sizeof(sum->perms));
				memcpy(sum->path, cur.path, sizeof(sum->path));
				memcpy(sum->vmflags, cur.vmflags, sizeof(sum->vmflags));
			} else if (sum->kernel_page_size != cur.kernel_page_size) {
				sum->kernel_page_size = -1;	/* mixed */
			}
			sum->end = cur.end;
		}
		if (!p || !*p)
			break;
		if (header) {
			parse_vma_header(p, &cur);
			have = true;
			in_range = cur.start < end && cur.end > start;
		} else if (have && in_range) {
			parse_vma_field(p, &cur);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return found;
}

bool maps_range_free(const char *maps, uint64_t start, uint64_t end)
{
	const char *p = maps;

	while (p && *p) {
		unsigned long long s, e;

		if (sscanf(p, "%llx-%llx", &s, &e) == 2 && s < end && e > start)
			return false;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return true;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

static bool path_under(const char *path, const char *mnt)
{
	size_t n = strlen(mnt);

	if (!strcmp(mnt, "/"))
		return path[0] == '/';
	return !strncmp(path, mnt, n) && (path[n] == '\0' || path[n] == '/');
}

static bool parse_mountinfo_line(const char *p, struct mount_info *out)
{
	char line[4096], *f[64], *save = NULL, *tok;
	size_t n = strcspn(p, "\n"), nf = 0, sep;

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	for (tok = strtok_r(line, " ", &save); tok && nf < 64; tok = strtok_r(NULL, " ", &save))
		f[nf++] = tok;
	/* id parent maj:min root mount-point opts [optional...] - fstype source superopts */
	for (sep = 6; sep < nf && strcmp(f[sep], "-"); sep++)
		;
	if (nf < 6 || sep + 2 >= nf)
		return false;
	unescape_octal(f[4]);
	snprintf(out->mount_point, sizeof(out->mount_point), "%s", f[4]);
	snprintf(out->mount_opts, sizeof(out->mount_opts), "%s", f[5]);
	snprintf(out->fstype, sizeof(out->fstype), "%s", f[sep + 1]);
	snprintf(out->source, sizeof(out->source), "%s", f[sep + 2]);
	snprintf(out->super_opts, sizeof(out->super_opts), "%s", sep + 3 < nf ? f[sep + 3] : "");
	return true;
}

bool mountinfo_next(const char **cursor, struct mount_info *out)
{
	while (*cursor && **cursor) {
		const char *line = *cursor;
		bool ok;

		*cursor = strchr(line, '\n');
		if (*cursor)
			(*cursor)++;
		ok = parse_mountinfo_line(line, out);
		if (ok)
			return true;
	}
	return false;
}

int mountinfo_find(const char *text, const char *path, struct mount_info *out)
{
	const char *cur = text;
	struct mount_info m;
	size_t best = 0;
	bool found = false;

	while (mountinfo_next(&cur, &m)) {
		if (path_under(path, m.mount_point) && strlen(m.mount_point) >= best) {
			best = strlen(m.mount_point);
			*out = m;
			found = true;
		}
	}
	return found ? 0 : -1;
}

bool opt_list_has(const char *list, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, opt, n) && (p[n] == ',' || p[n] == '=' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

int opt_list_value(const char *list, const char *opt, char *buf, size_t len)
{
	size_t n = strlen(opt);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, opt, n) && p[n] == '=') {
			size_t v = strcspn(p + n + 1, ",");

			if (v >= len)
				v = len - 1;
			memcpy(buf, p + n + 1, v);
			buf[v] = '\0';
			return 0;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return -1;
}

int sysfs_choice(const char *text, char *buf, size_t len)
{
	const char *l = strchr(text, '['), *r;

	if (!l || !(r = strchr(l, ']')) || (size_t)(r - l - 1) >= len)
		return -1;
	memcpy(buf, l + 1, r - l - 1);
	buf[r - l - 1] = '\0';
	return 0;
}
