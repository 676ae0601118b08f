// SPDX-License-Identifier: MIT
/*
 * xsc-elfcheck: validate hardening markers of ELF files.
 *
 * Usage: xsc-elfcheck [--policy base|hardened] [--sysroot DIR] [--json FILE|-]
 *                     [--waivers FILE] [--kernel VMLINUX]... [-v] [-q] PATH...
 */
#include "checks.h"
#include "elf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct opts {
	enum policy policy;
	const char *sysroot;
	const char *json_path;
	int verbose, quiet;
};

/*
 * A waiver: a check that may fail on the files whose path matches a glob
 * (fnmatch, '*' also across '/'), for a stated reason. Such a failure is
 * reported as "waived" with the reason, never as a pass.
 */
struct waiver {
	int check;
	char *glob, *reason;
	long used;
};

static struct waiver *waivers;
static size_t nwaivers;

struct totals {
	long elf, pass, fail, malformed, unsupported, non_elf, ioerr, waived;
	long kernels, kernel_fail;
};

static struct opts opt;
static struct totals tot;
static FILE *json;
static FILE *out;	/* human-readable report */
static int json_first_file = 1;

static void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', json);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(json, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", json);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(json, "\\u%04x", *p);
		else
			fputc(*p, json);
	}
	fputc('"', json);
}

static void json_begin_file(const char *path)
{
	fputs(json_first_file ? "\n    {" : ",\n    {", json);
	json_first_file = 0;
	fputs("\"path\": ", json);
	json_str(path);
}

static void json_features(uint16_t machine, int found, uint32_t bits)
{
	const char *a = machine == EM_AARCH64 ? "BTI" : "IBT";
	const char *b = machine == EM_AARCH64 ? "PAC" : "SHSTK";
	int first = 1;

	fputc('[', json);
	if (found && (bits & 1)) {
		json_str(a);
		first = 0;
	}
	if (found && (bits & 2)) {
		if (!first)
			fputs(", ", json);
		json_str(b);
	}
	fputc(']', json);
}

static void json_report(const struct report *r)
{
	size_t i;

	json_begin_file(r->path);
	fprintf(json, ", \"class\": \"%s\", \"machine\": \"%s\", \"type\": \"%s\", \"kind\": \"%s\", \"result\": \"%s\",\n      \"checks\": {",
		r->is64 ? "ELF64" : "ELF32", elf_machine_name(r->machine),
		elf_type_name(r->type), r->kind, r->pass ? "pass" : "fail");
	for (i = 0; i < C_NCHECKS; i++) {
		fprintf(json, "%s\n        \"%s\": {\"status\": \"%s\", \"required\": %s, \"detail\": ",
			i ? "," : "", check_names[i], status_name(r->c[i].st),
			check_required(i, opt.policy) ? "true" : "false");
		json_str(r->c[i].detail);
		fputc('}', json);
	}
	fputs("\n      }", json);
	if (r->cl.done) {
		fputs(",\n      \"closure\": {\"modules\": [", json);
		for (i = 0; i < r->cl.nmods; i++) {
			fputs(i ? ", {\"path\": " : "{\"path\": ", json);
			json_str(r->cl.mods[i].path);
			fputs(", \"features\": ", json);
			json_features(r->machine, r->cl.mods[i].prop_found,
				      r->cl.mods[i].bits);
			fputc('}', json);
		}
		fputs("], \"unresolved\": [", json);
		for (i = 0; i < r->cl.nunresolved; i++) {
			if (i)
				fputs(", ", json);
			json_str(r->cl.unresolved[i]);
		}
		if (r->machine == EM_X86_64)
			fprintf(json, "], \"effective\": {\"IBT\": %s, \"SHSTK\": %s}}",
				r->cl.eff_a ? "true" : "false",
				r->cl.eff_b ? "true" : "false");
		else
			fprintf(json, "], \"all_modules\": {\"BTI\": %s, \"PAC\": %s}}",
				r->cl.eff_a ? "true" : "false",
				r->cl.eff_b ? "true" : "false");
	}
	fputc('}', json);
}

static void json_error(const char *path, const char *result, const char *err)
{
	json_begin_file(path);
	fprintf(json, ", \"result\": \"%s\", \"error\": ", result);
	json_str(err);
	fputc('}', json);
}

/* Read FILE: one waiver per line, "CHECK GLOB REASON...", '#' comments.
 * Returns 0, or -1 after naming the problem on stderr. */
static int load_waivers(const char *file)
{
	char line[1024];
	unsigned lineno = 0;
	FILE *f = fopen(file, "r");

	if (!f) {
		fprintf(stderr, "xsc-elfcheck: --waivers %s: %s\n", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[32], glob[512];
		int n = 0, i, check = -1;
		const char *reason;
		struct waiver *w;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, " %31s %511s %n", name, glob, &n) != 2 || name[0] == '#') {
			if (sscanf(line, " %31s", name) == 1 && name[0] != '#')
				goto bad;
			continue;
		}
		for (i = 0; i < C_NCHECKS; i++)
			if (!strcmp(name, check_names[i]))
				check = i;
		reason = line + n;
		if (check < 0 || !*reason)
			goto bad;
		w = realloc(waivers, (nwaivers + 1) * sizeof(*w));
		if (!w)
			goto bad;
		waivers = w;
		w = &waivers[nwaivers++];
		w->check = check;
		w->glob = strdup(glob);
		w->reason = strdup(reason);
		w->used = 0;
		if (!w->glob || !w->reason)
			goto bad;
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "xsc-elfcheck: %s:%u: not 'CHECK GLOB REASON' with a known check "
		"(pie relro bindnow nxstack textrel wx stackprot fortify property landing closure)\n",
		file, lineno);
	fclose(f);
	return -1;
}

/* Failed checks that a waiver names become ST_WAIVED. Returns how many. */
static int apply_waivers(struct report *r)
{
	int i, n = 0;
	size_t j;

	for (i = 0; i < C_NCHECKS; i++) {
		if (r->c[i].st != ST_FAIL)
			continue;
		for (j = 0; j < nwaivers; j++) {
			struct waiver *w = &waivers[j];
			size_t len = strlen(r->c[i].detail);

			if (w->check != i || fnmatch(w->glob, r->path, 0))
				continue;
			r->c[i].st = ST_WAIVED;
			snprintf(r->c[i].detail + len, sizeof(r->c[i].detail) - len,
				 " [waived: %s]", w->reason);
			w->used++;
			n++;
			break;
		}
	}
	return n;
}

static void print_report(const struct report *r)
{
	int i, n = 0;

	if (!opt.quiet || !r->pass) {
		fprintf(out, "%s: %s", r->path, r->pass ? "PASS" : "FAIL");
		for (i = 0; i < C_NCHECKS; i++) {
			if (!check_required(i, opt.policy) || r->c[i].st != ST_FAIL)
				continue;
			fprintf(out, "%s%s (%s)", n++ ? "; " : " ", check_names[i],
			       r->c[i].detail);
		}
		for (i = 0; i < C_NCHECKS; i++)
			if (check_required(i, opt.policy) && r->c[i].st == ST_WAIVED)
				fprintf(out, "%swaived %s", n++ ? "; " : " ", check_names[i]);
		fputc('\n', out);
	}
	if (opt.verbose) {
		fprintf(out, "  [%s %s %s %s]\n", r->is64 ? "ELF64" : "ELF32",
		       elf_machine_name(r->machine), elf_type_name(r->type),
		       r->kind);
		for (i = 0; i < C_NCHECKS; i++)
			fprintf(out, "  %-9s %-4s%s %s\n", check_names[i],
			       status_name(r->c[i].st),
			       check_required(i, opt.policy) ? " " : "*",
			       r->c[i].detail);
	}
}

static void check_file(const char *path)
{
	const uint8_t *data;
	size_t size;
	const char *err = "";
	struct elf e;
	struct report r;
	enum elf_status st;

	st = elf_map(path, &data, &size, &err);
	if (st == ELF_NOT_ELF) {
		tot.non_elf++;
		return;
	}
	if (st == ELF_IOERR) {
		fprintf(stderr, "xsc-elfcheck: %s: %s\n", path, err);
		tot.ioerr++;
		return;
	}
	st = elf_parse(&e, data, size, &err);
	if (st == ELF_NOT_ELF) {
		tot.non_elf++;
		elf_unmap(data, size);
		return;
	}
	if (st != ELF_OK) {
		int bad = st == ELF_MALFORMED;

		fprintf(out, "%s: %s (%s)\n", path, bad ? "FAIL malformed ELF" :
		       "SKIP unsupported ELF", err);
		if (bad)
			tot.malformed++;
		else
			tot.unsupported++;
		if (json)
			json_error(path, bad ? "malformed" : "unsupported", err);
		elf_unmap(data, size);
		return;
	}
	if (e.type != ET_EXEC && e.type != ET_DYN) {
		/* Relocatable objects, cores: not a linked artifact. */
		tot.unsupported++;
		if (opt.verbose)
			fprintf(out, "%s: SKIP ELF type %s\n", path,
			       elf_type_name(e.type));
		if (json)
			json_error(path, "unsupported", "not ET_EXEC/ET_DYN");
		elf_free(&e);
		elf_unmap(data, size);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.path = strdup(path);
	if (!r.path) {
		fprintf(stderr, "xsc-elfcheck: out of memory\n");
		exit(2);
	}
	run_checks(&e, &r);
	if (opt.sysroot)
		run_closure(&e, &r, opt.sysroot);
	else
		snprintf(r.c[C_CLOSURE].detail, sizeof(r.c[C_CLOSURE].detail),
			 "no --sysroot given");
	if (apply_waivers(&r))
		tot.waived++;
	apply_policy(&r, opt.policy);
	tot.elf++;
	if (r.pass)
		tot.pass++;
	else
		tot.fail++;
	print_report(&r);
	if (json)
		json_report(&r);
	report_free(&r);
	elf_free(&e);
	elf_unmap(data, size);
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void walk(const char *path, int top)
{
	struct stat st;
	struct dirent **ents;
	int n, i;

	if ((top ? stat(path, &st) : lstat(path, &st)) < 0) {
		fprintf(stderr, "xsc-elfcheck: %s: %s\n", path, strerror(errno));
		tot.ioerr++;
		return;
	}
	if (S_ISLNK(st.st_mode))
		return;		/* inside trees, links duplicate or escape */
	if (S_ISREG(st.st_mode)) {
		check_file(path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (top)
			tot.non_elf++;
		return;
	}
	n = scandir(path, &ents, NULL, name_cmp);
	if (n < 0) {
		fprintf(stderr, "xsc-elfcheck: %s: %s\n", path, strerror(errno));
		tot.ioerr++;
		return;
	}
	for (i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		char sub[PATH_MAX];

		if (strcmp(d, ".") && strcmp(d, "..")) {
			if (snprintf(sub, sizeof(sub), "%s%s%s", path,
				     path[strlen(path) - 1] == '/' ? "" : "/",
				     d) < (int)sizeof(sub))
				walk(sub, 0);
			else
				tot.ioerr++;
		}
		free(ents[i]);
	}
	free(ents);
}

static void check_kernel(const char *path, int *first)
{
	const uint8_t *data;
	size_t size;
	const char *err = "";
	struct elf e;
	struct kernel_report k;
	enum elf_status st;

	tot.kernels++;
	st = elf_map(path, &data, &size, &err);
	if (st == ELF_OK)
		st = elf_parse(&e, data, size, &err);
	else if (st == ELF_NOT_ELF)
		err = "not an ELF file";
	if (st == ELF_NOT_ELF && !err[0])
		err = "not an ELF file";
	if (st != ELF_OK || run_kernel(&e, &k, &err)) {
		fprintf(stderr, "xsc-elfcheck: --kernel %s: %s\n", path, err);
		if (st == ELF_OK)
			elf_free(&e);
		elf_unmap(data, size);
		tot.ioerr++;
		if (json) {
			fprintf(json, "%s\n    {\"path\": ", *first ? "" : ",");
			json_str(path);
			fputs(", \"result\": \"error\", \"error\": ", json);
			json_str(err);
			fputc('}', json);
			*first = 0;
		}
		return;
	}
	if (!k.pass)
		tot.kernel_fail++;
	fprintf(out, "%s: kernel %s %s: %s\n", path, elf_machine_name(k.machine),
	       k.pass ? "PASS" : "FAIL", k.detail);
	if (json) {
		fprintf(json, "%s\n    {\"path\": ", *first ? "" : ",");
		json_str(path);
		fprintf(json, ", \"machine\": \"%s\", \"functions\": %ld, \"with_pad\": %ld, \"with_pad_at_entry\": %ld, \"unreadable\": %ld, \"fraction\": %.4f, \"result\": \"%s\", \"detail\": ",
			elf_machine_name(k.machine), k.funcs, k.pads,
			k.direct_pads, k.unreadable, k.fraction,
			k.pass ? "pass" : "fail");
		json_str(k.detail);
		fputc('}', json);
		*first = 0;
	}
	elf_free(&e);
	elf_unmap(data, size);
}

static void usage(FILE *f)
{
	fputs("usage: xsc-elfcheck [--policy base|hardened] [--sysroot DIR] [--json FILE|-]\n"
	      "                    [--waivers FILE] [--kernel VMLINUX]... [-v|--verbose] [-q|--quiet] PATH...\n"
	      "Checks ELF files (x86_64, x32, aarch64) for hardening; directories recurse.\n"
	      "Exit: 0 all files meet the policy, 1 some file fails, 2 usage/IO error.\n",
	      f);
}

int main(int argc, char **argv)
{
	const char **paths, **kernels;
	int npaths = 0, nkernels = 0, i, first = 1;

	paths = calloc((size_t)argc, sizeof(*paths));
	kernels = calloc((size_t)argc, sizeof(*kernels));
	if (!paths || !kernels)
		return 2;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			opt.verbose = 1;
			continue;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			opt.quiet = 1;
			continue;
		}
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				paths[npaths++] = argv[i];
			break;
		}
		if (!strncmp(a, "--", 2)) {
			const char *eq = strchr(a, '=');
			size_t len = eq ? (size_t)(eq - a) : strlen(a);

			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, "xsc-elfcheck: %s needs a value\n", a);
				return 2;
			}
			if (len == 8 && !strncmp(a, "--policy", len)) {
				if (!strcmp(val, "base"))
					opt.policy = POLICY_BASE;
				else if (!strcmp(val, "hardened"))
					opt.policy = POLICY_HARDENED;
				else {
					fprintf(stderr, "xsc-elfcheck: unknown policy '%s'\n", val);
					return 2;
				}
			} else if (len == 9 && !strncmp(a, "--sysroot", len)) {
				opt.sysroot = val;
			} else if (len == 6 && !strncmp(a, "--json", len)) {
				opt.json_path = val;
			} else if (len == 8 && !strncmp(a, "--kernel", len)) {
				kernels[nkernels++] = val;
			} else if (len == 9 && !strncmp(a, "--waivers", len)) {
				if (load_waivers(val))
					return 2;
			} else {
				fprintf(stderr, "xsc-elfcheck: unknown option %s\n", a);
				usage(stderr);
				return 2;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "xsc-elfcheck: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
		paths[npaths++] = a;
	}
	out = stdout;
	if (!npaths && !nkernels) {
		usage(stderr);
		return 2;
	}
	if (opt.sysroot) {
		struct stat st;

		if (stat(opt.sysroot, &st) || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "xsc-elfcheck: --sysroot %s: not a directory\n",
				opt.sysroot);
			return 2;
		}
	}
	if (opt.json_path) {
		json = strcmp(opt.json_path, "-") ? fopen(opt.json_path, "w") : stdout;
		if (!json) {
			fprintf(stderr, "xsc-elfcheck: %s: %s\n", opt.json_path,
				strerror(errno));
			return 2;
		}
		if (json == stdout)
			out = stderr;	/* keep stdout machine-readable */
	}
	if (json) {
		fprintf(json, "{\n  \"tool\": \"xsc-elfcheck\",\n  \"schema\": 1,\n  \"policy\": \"%s\",\n  \"sysroot\": ",
			opt.policy == POLICY_HARDENED ? "hardened" : "base");
		if (opt.sysroot)
			json_str(opt.sysroot);
		else
			fputs("null", json);
		fputs(",\n  \"files\": [", json);
	}
	for (i = 0; i < npaths; i++)
		walk(paths[i], 1);
	if (json)
		fputs("\n  ],\n  \"kernels\": [", json);
	for (i = 0; i < nkernels; i++)
		check_kernel(kernels[i], &first);
	fprintf(out, "xsc-elfcheck: policy %s: %ld ELF files, %ld pass, %ld fail, %ld malformed, %ld unsupported, %ld non-ELF skipped, %ld I/O errors",
	       opt.policy == POLICY_HARDENED ? "hardened" : "base", tot.elf,
	       tot.pass, tot.fail, tot.malformed, tot.unsupported, tot.non_elf,
	       tot.ioerr);
	if (nkernels)
		fprintf(out, ", %ld kernels (%ld fail)", tot.kernels, tot.kernel_fail);
	if (nwaivers)
		fprintf(out, ", %ld with waived checks", tot.waived);
	fputc('\n', out);
	/* a waiver that matched nothing is stale: say so, it does not fail */
	for (size_t j = 0; j < nwaivers; j++)
		if (!waivers[j].used)
			fprintf(stderr, "xsc-elfcheck: waiver '%s %s' matched no failure\n",
				check_names[waivers[j].check], waivers[j].glob);
	if (json) {
		fprintf(json, "\n  ],\n  \"summary\": {\"elf\": %ld, \"pass\": %ld, \"fail\": %ld, \"malformed\": %ld, \"unsupported\": %ld, \"non_elf\": %ld, \"io_errors\": %ld, \"kernels\": %ld, \"kernel_fail\": %ld, \"waived\": %ld}\n}\n",
			tot.elf, tot.pass, tot.fail, tot.malformed,
			tot.unsupported, tot.non_elf, tot.ioerr, tot.kernels,
			tot.kernel_fail, tot.waived);
		if (fclose(json)) {
			fprintf(stderr, "xsc-elfcheck: writing JSON failed\n");
			return 2;
		}
	}
	free(paths);
	free(kernels);
	if (tot.ioerr)
		return 2;
	return tot.fail || tot.malformed || tot.kernel_fail ? 1 : 0;
}
