/* SPDX-License-Identifier: GPL-2.0-only */
/* meta: the machine and build facts stored with every result. */
#ifndef PTSHARE_META_H
#define PTSHARE_META_H

struct json;

/* Kernel, command line, CPU, memory, NUMA, THP, hugetlb pools, sysctls. */
struct json *meta_machine(void);
/* Suite name, version, git revision, compiler, optional features. */
struct json *meta_suite(void);
/* The name of the PMD-sharing sysctl when this kernel has one, else NULL. */
const char *meta_share_sysctl(void);

#endif
