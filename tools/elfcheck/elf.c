// SPDX-License-Identifier: MIT
/*
 * xsc-elfcheck: minimal bounds-checked ELF reader.
 */
#include "elf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Read a class-sized word (4 bytes in ELF32, 8 in ELF64). */
static uint64_t rdw(const struct elf *e, const uint8_t *p)
{
	return e->is64 ? rd64(p) : rd32(p);
}

enum elf_status elf_map(const char *path, const uint8_t **data, size_t *size,
			const char **err)
{
	struct stat st;
	void *p;
	int fd;

	*data = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = strerror(errno);
		return ELF_IOERR;
	}
	if (fstat(fd, &st) < 0) {
		*err = strerror(errno);
		close(fd);
		return ELF_IOERR;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		*err = "not a regular file";
		return ELF_NOT_ELF;
	}
	if (st.st_size < 4) {
		close(fd);
		return ELF_NOT_ELF;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		*err = "file too large";
		return ELF_IOERR;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		*err = strerror(errno);
		return ELF_IOERR;
	}
	*data = p;
	*size = (size_t)st.st_size;
	return ELF_OK;
}

void elf_unmap(const uint8_t *data, size_t size)
{
	if (data)
		munmap((void *)data, size);
}

int elf_range_ok(const struct elf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

int elf_vaddr_to_off(const struct elf *e, uint64_t vaddr, uint64_t len,
		     uint64_t *off)
{
	size_t i;

	for (i = 0; i < e->phnum; i++) {
		const struct elf_phdr *p = &e->ph[i];

		if (p->type != PT_LOAD || vaddr < p->vaddr)
			continue;
		if (vaddr - p->vaddr >= p->filesz ||
		    len > p->filesz - (vaddr - p->vaddr))
			continue;
		*off = p->offset + (vaddr - p->vaddr);
		if (*off < p->offset || !elf_range_ok(e, *off, len))
			return -1;
		return 0;
	}
	/* No program headers (or no match): try allocated sections. */
	for (i = 0; i < e->shnum; i++) {
		const struct elf_shdr *s = &e->sh[i];

		if (!(s->flags & SHF_ALLOC) || s->type == SHT_NOBITS ||
		    vaddr < s->addr)
			continue;
		if (vaddr - s->addr >= s->size ||
		    len > s->size - (vaddr - s->addr))
			continue;
		*off = s->offset + (vaddr - s->addr);
		if (*off < s->offset || !elf_range_ok(e, *off, len))
			return -1;
		return 0;
	}
	return -1;
}

int elf_vaddr_exec(const struct elf *e, uint64_t vaddr)
{
	size_t i;
	int have_load = 0;

	for (i = 0; i < e->phnum; i++) {
		const struct elf_phdr *p = &e->ph[i];

		if (p->type != PT_LOAD)
			continue;
		have_load = 1;
		if (vaddr >= p->vaddr && vaddr - p->vaddr < p->memsz)
			return !!(p->flags & PF_X);
	}
	if (have_load)
		return 0;
	for (i = 0; i < e->shnum; i++) {
		const struct elf_shdr *s = &e->sh[i];

		if ((s->flags & SHF_ALLOC) && vaddr >= s->addr &&
		    vaddr - s->addr < s->size)
			return !!(s->flags & SHF_EXECINSTR);
	}
	return 0;
}

static const char *str_at(const char *tab, size_t size, uint64_t idx)
{
	if (!tab || idx >= size)
		return NULL;
	if (!memchr(tab + idx, '\0', size - idx))
		return NULL;
	return tab + idx;
}

const char *elf_section_name(const struct elf *e, size_t idx)
{
	const char *s;

	if (idx >= e->shnum)
		return NULL;
	s = str_at(e->shstr, e->shstr_size, e->sh[idx].name);
	return s ? s : "";
}

int elf_dyn_get(const struct elf *e, int64_t tag, uint64_t *val)
{
	size_t i;

	for (i = 0; i < e->ndyn; i++) {
		if (e->dyn[i].tag == tag) {
			if (val)
				*val = e->dyn[i].val;
			return 1;
		}
	}
	return 0;
}

const char *elf_dynstr(const struct elf *e, uint64_t idx)
{
	return str_at(e->dynstr, e->dynstr_size, idx);
}

const struct elf_phdr *elf_phdr_find(const struct elf *e, uint32_t type)
{
	size_t i;

	for (i = 0; i < e->phnum; i++)
		if (e->ph[i].type == type)
			return &e->ph[i];
	return NULL;
}

long elf_section_find(const struct elf *e, uint32_t type)
{
	size_t i;

	for (i = 0; i < e->shnum; i++)
		if (e->sh[i].type == type)
			return (long)i;
	return -1;
}

long elf_for_each_sym(const struct elf *e, uint32_t sht, elf_sym_cb cb,
		      void *ctx)
{
	const struct elf_shdr *s, *strs;
	size_t entsz = e->is64 ? 24 : 16, n, i;
	const char *strtab;
	long idx = elf_section_find(e, sht);

	if (idx < 0)
		return -1;
	s = &e->sh[idx];
	if (!elf_range_ok(e, s->offset, s->size) || s->link >= e->shnum)
		return -1;
	strs = &e->sh[s->link];
	if (strs->type != SHT_STRTAB || !elf_range_ok(e, strs->offset, strs->size))
		return -1;
	strtab = (const char *)e->data + strs->offset;
	n = s->size / entsz;
	for (i = 0; i < n; i++) {
		const uint8_t *p = e->data + s->offset + i * entsz;
		struct elf_sym sym;
		uint8_t info;
		const char *name;

		if (e->is64) {
			name = str_at(strtab, strs->size, rd32(p));
			info = p[4];
			sym.shndx = rd16(p + 6);
			sym.value = rd64(p + 8);
			sym.size = rd64(p + 16);
		} else {
			name = str_at(strtab, strs->size, rd32(p));
			sym.value = rd32(p + 4);
			sym.size = rd32(p + 8);
			info = p[12];
			sym.shndx = rd16(p + 14);
		}
		sym.name = name ? name : "";
		sym.type = info & 0xf;
		sym.bind = info >> 4;
		if (cb(e, &sym, ctx))
			return (long)i + 1;
	}
	return (long)n;
}

/* Parse one NT_GNU_PROPERTY_TYPE_0 descriptor. */
static void parse_props(struct elf *e, const uint8_t *d, uint64_t len)
{
	uint64_t align = e->is64 ? 8 : 4, pos = 0;
	uint32_t want = e->machine == EM_AARCH64 ?
			GNU_PROPERTY_AARCH64_FEATURE_1_AND :
			GNU_PROPERTY_X86_FEATURE_1_AND;

	while (len - pos >= 8) {
		uint32_t type = rd32(d + pos), sz = rd32(d + pos + 4);
		uint64_t step;

		pos += 8;
		if (sz > len - pos)
			return;		/* truncated property: ignore rest */
		if (type == want && sz == 4) {
			e->prop_found = 1;
			e->prop_bits = rd32(d + pos);
		}
		step = ((uint64_t)sz + align - 1) & ~(align - 1);
		if (step > len - pos)
			return;
		pos += step;
	}
}

/*
 * Walk the notes in [off, off+size) looking for GNU property notes. The
 * descriptor starts at the note-relative offset 12 + namesz rounded up to
 * the note alignment (4, or 8 for ELF64 property notes); the next note
 * starts after the descriptor, rounded up the same way.
 */
static void parse_notes(struct elf *e, uint64_t off, uint64_t size,
			uint64_t align)
{
	uint64_t pos = 0;

	if (!elf_range_ok(e, off, size))
		return;
	align = align == 8 ? 8 : 4;
	while (size - pos >= 12) {
		const uint8_t *n = e->data + off + pos;
		uint64_t avail = size - pos;
		uint64_t namesz = rd32(n), descsz = rd32(n + 4);
		uint32_t type = rd32(n + 8);
		uint64_t descoff = (12 + namesz + align - 1) & ~(align - 1);
		uint64_t next;

		if (descoff > avail || descsz > avail - descoff)
			return;
		if (type == NT_GNU_PROPERTY_TYPE_0 && namesz == 4 &&
		    !memcmp(n + 12, "GNU", 4))
			parse_props(e, n + descoff, descsz);
		next = (descoff + descsz + align - 1) & ~(align - 1);
		if (next > avail)
			return;
		pos += next;
	}
}

static void find_properties(struct elf *e)
{
	const struct elf_phdr *p = elf_phdr_find(e, PT_GNU_PROPERTY);
	size_t i;

	if (p) {
		parse_notes(e, p->offset, p->filesz, p->align);
		return;
	}
	for (i = 0; i < e->shnum; i++) {
		const char *name = elf_section_name(e, i);

		if (e->sh[i].type == SHT_NOTE && name &&
		    !strcmp(name, ".note.gnu.property"))
			parse_notes(e, e->sh[i].offset, e->sh[i].size,
				    e->sh[i].align);
	}
	if (e->prop_found)
		return;
	for (i = 0; i < e->phnum; i++)
		if (e->ph[i].type == PT_NOTE)
			parse_notes(e, e->ph[i].offset, e->ph[i].filesz,
				    e->ph[i].align);
}

static int parse_dynamic(struct elf *e, const char **err)
{
	const struct elf_phdr *p = elf_phdr_find(e, PT_DYNAMIC);
	size_t entsz = e->is64 ? 16 : 8, n, i;
	uint64_t off, size, strtab, strsz;

	if (p) {
		off = p->offset;
		size = p->filesz;
	} else {
		long s = elf_section_find(e, SHT_DYNAMIC);

		if (s < 0)
			return 0;
		off = e->sh[s].offset;
		size = e->sh[s].size;
	}
	if (!elf_range_ok(e, off, size)) {
		*err = "dynamic section out of bounds";
		return -1;
	}
	n = size / entsz;
	e->dyn = calloc(n ? n : 1, sizeof(*e->dyn));
	if (!e->dyn) {
		*err = "out of memory";
		return -1;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *d = e->data + off + i * entsz;
		int64_t tag = e->is64 ? (int64_t)rd64(d) : (int32_t)rd32(d);

		if (tag == DT_NULL)
			break;
		e->dyn[e->ndyn].tag = tag;
		e->dyn[e->ndyn].val = rdw(e, d + entsz / 2);
		e->ndyn++;
	}
	if (elf_dyn_get(e, DT_STRTAB, &strtab) &&
	    elf_dyn_get(e, DT_STRSZ, &strsz) &&
	    !elf_vaddr_to_off(e, strtab, strsz, &off)) {
		e->dynstr = (const char *)e->data + off;
		e->dynstr_size = strsz;
	} else if (e->ndyn) {
		/* Fall back to the section header's link. */
		long s = elf_section_find(e, SHT_DYNAMIC);

		if (s >= 0 && e->sh[s].link < e->shnum &&
		    elf_range_ok(e, e->sh[e->sh[s].link].offset,
				 e->sh[e->sh[s].link].size)) {
			e->dynstr = (const char *)e->data +
				    e->sh[e->sh[s].link].offset;
			e->dynstr_size = e->sh[e->sh[s].link].size;
		}
	}
	return 0;
}

enum elf_status elf_parse(struct elf *e, const uint8_t *data, size_t size,
			  const char **err)
{
	uint64_t phoff, shoff;
	uint16_t phentsize, shentsize, shstrndx;
	size_t phnum, shnum, i;

	memset(e, 0, sizeof(*e));
	e->data = data;
	e->size = size;
	if (size < 4 || memcmp(data, "\177ELF", 4))
		return ELF_NOT_ELF;
	if (size < 16) {
		*err = "truncated ELF identification";
		return ELF_MALFORMED;
	}
	if (data[5] != 1) {
		*err = data[5] == 2 ? "big-endian ELF not supported" :
				      "unknown ELF data encoding";
		return ELF_UNSUPPORTED;
	}
	if (data[4] != 1 && data[4] != 2) {
		*err = "unknown ELF class";
		return ELF_UNSUPPORTED;
	}
	e->is64 = data[4] == 2;
	if (size < (e->is64 ? 64u : 52u)) {
		*err = "truncated ELF header";
		return ELF_MALFORMED;
	}
	e->type = rd16(data + 16);
	e->machine = rd16(data + 18);
	if (e->is64) {
		e->entry = rd64(data + 24);
		phoff = rd64(data + 32);
		shoff = rd64(data + 40);
		phentsize = rd16(data + 54);
		phnum = rd16(data + 56);
		shentsize = rd16(data + 58);
		shnum = rd16(data + 60);
		shstrndx = rd16(data + 62);
	} else {
		e->entry = rd32(data + 24);
		phoff = rd32(data + 28);
		shoff = rd32(data + 32);
		phentsize = rd16(data + 42);
		phnum = rd16(data + 44);
		shentsize = rd16(data + 46);
		shnum = rd16(data + 48);
		shstrndx = rd16(data + 50);
	}

	/* Extended section numbering: real values live in section 0. */
	if (shoff && (shnum == 0 || shstrndx == SHN_XINDEX)) {
		if (shentsize < (e->is64 ? 64 : 40) ||
		    !elf_range_ok(e, shoff, shentsize)) {
			*err = "section header table out of bounds";
			return ELF_MALFORMED;
		}
		if (shnum == 0)
			shnum = (size_t)rdw(e, data + shoff + (e->is64 ? 32 : 20));
		if (shstrndx == SHN_XINDEX)
			shstrndx = (uint16_t)rd32(data + shoff + (e->is64 ? 40 : 24));
	}

	if (phnum) {
		if (phentsize < (e->is64 ? 56 : 32) ||
		    !elf_range_ok(e, phoff, (uint64_t)phnum * phentsize)) {
			*err = "program header table out of bounds";
			return ELF_MALFORMED;
		}
		e->ph = calloc(phnum, sizeof(*e->ph));
		if (!e->ph) {
			*err = "out of memory";
			return ELF_MALFORMED;
		}
		e->phnum = phnum;
		for (i = 0; i < phnum; i++) {
			const uint8_t *p = data + phoff + i * phentsize;
			struct elf_phdr *h = &e->ph[i];

			h->type = rd32(p);
			if (e->is64) {
				h->flags = rd32(p + 4);
				h->offset = rd64(p + 8);
				h->vaddr = rd64(p + 16);
				h->filesz = rd64(p + 32);
				h->memsz = rd64(p + 40);
				h->align = rd64(p + 48);
			} else {
				h->offset = rd32(p + 4);
				h->vaddr = rd32(p + 8);
				h->filesz = rd32(p + 16);
				h->memsz = rd32(p + 20);
				h->flags = rd32(p + 24);
				h->align = rd32(p + 28);
			}
		}
	}

	if (shoff && shnum) {
		if (shentsize < (e->is64 ? 64 : 40) ||
		    shnum > size / shentsize ||
		    !elf_range_ok(e, shoff, (uint64_t)shnum * shentsize)) {
			*err = "section header table out of bounds";
			elf_free(e);
			return ELF_MALFORMED;
		}
		e->sh = calloc(shnum, sizeof(*e->sh));
		if (!e->sh) {
			*err = "out of memory";
			elf_free(e);
			return ELF_MALFORMED;
		}
		e->shnum = shnum;
		for (i = 0; i < shnum; i++) {
			const uint8_t *p = data + shoff + i * shentsize;
			struct elf_shdr *s = &e->sh[i];

			s->name = rd32(p);
			s->type = rd32(p + 4);
			if (e->is64) {
				s->flags = rd64(p + 8);
				s->addr = rd64(p + 16);
				s->offset = rd64(p + 24);
				s->size = rd64(p + 32);
				s->link = rd32(p + 40);
				s->info = rd32(p + 44);
				s->align = rd64(p + 48);
				s->entsize = rd64(p + 56);
			} else {
				s->flags = rd32(p + 8);
				s->addr = rd32(p + 12);
				s->offset = rd32(p + 16);
				s->size = rd32(p + 20);
				s->link = rd32(p + 24);
				s->info = rd32(p + 28);
				s->align = rd32(p + 32);
				s->entsize = rd32(p + 36);
			}
		}
		if (shstrndx < shnum &&
		    elf_range_ok(e, e->sh[shstrndx].offset,
				 e->sh[shstrndx].size) &&
		    e->sh[shstrndx].type == SHT_STRTAB) {
			e->shstr = (const char *)data + e->sh[shstrndx].offset;
			e->shstr_size = e->sh[shstrndx].size;
		}
	}

	if (parse_dynamic(e, err)) {
		elf_free(e);
		return ELF_MALFORMED;
	}
	find_properties(e);
	return ELF_OK;
}

void elf_free(struct elf *e)
{
	free(e->ph);
	free(e->sh);
	free(e->dyn);
	e->ph = NULL;
	e->sh = NULL;
	e->dyn = NULL;
	e->phnum = e->shnum = e->ndyn = 0;
}

const char *elf_machine_name(uint16_t m)
{
	switch (m) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case 3:
		return "i386";
	case 40:
		return "arm";
	case 243:
		return "riscv";
	default:
		return "other";
	}
}

const char *elf_type_name(uint16_t t)
{
	switch (t) {
	case ET_REL:
		return "REL";
	case ET_EXEC:
		return "EXEC";
	case ET_DYN:
		return "DYN";
	case 4:
		return "CORE";
	default:
		return "other";
	}
}
