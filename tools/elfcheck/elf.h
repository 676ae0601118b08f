/* SPDX-License-Identifier: MIT */
/*
 * xsc-elfcheck: minimal bounds-checked ELF reader (ELF32/ELF64, little-endian).
 *
 * Every structure is copied out of the mapped file into a host-order,
 * class-independent struct; every offset is checked against the file size
 * before it is read.
 */
#ifndef XSC_ELFCHECK_ELF_H
#define XSC_ELFCHECK_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ET_REL		1
#define ET_EXEC		2
#define ET_DYN		3

#define EM_X86_64	62
#define EM_AARCH64	183

#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_GNU_STACK	0x6474e551
#define PT_GNU_RELRO	0x6474e552
#define PT_GNU_PROPERTY	0x6474e553

#define PF_X		1
#define PF_W		2

#define SHT_SYMTAB	2
#define SHT_STRTAB	3
#define SHT_DYNAMIC	6
#define SHT_NOTE	7
#define SHT_NOBITS	8
#define SHT_DYNSYM	11
#define SHF_ALLOC	0x2
#define SHF_EXECINSTR	0x4

#define SHN_UNDEF	0
#define SHN_LORESERVE	0xff00
#define SHN_XINDEX	0xffff

#define STT_FUNC	2
#define STT_GNU_IFUNC	10
#define STB_LOCAL	0
#define STB_GLOBAL	1
#define STB_WEAK	2

#define DT_NULL		0
#define DT_NEEDED	1
#define DT_STRTAB	5
#define DT_STRSZ	10
#define DT_SONAME	14
#define DT_RPATH	15
#define DT_TEXTREL	22
#define DT_BIND_NOW	24
#define DT_FLAGS	30
#define DT_RUNPATH	29
#define DT_FLAGS_1	0x6ffffffb

#define DF_TEXTREL	0x4
#define DF_BIND_NOW	0x8
#define DF_1_NOW	0x1
#define DF_1_PIE	0x08000000

#define NT_GNU_PROPERTY_TYPE_0		5
#define GNU_PROPERTY_AARCH64_FEATURE_1_AND 0xc0000000u
#define GNU_PROPERTY_X86_FEATURE_1_AND	0xc0000002u
#define FEATURE_X86_IBT		0x1u
#define FEATURE_X86_SHSTK	0x2u
#define FEATURE_AARCH64_BTI	0x1u
#define FEATURE_AARCH64_PAC	0x2u

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

struct elf_shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t align, entsize;
};

struct elf_sym {
	const char *name;	/* never NULL; "" when unnamed or invalid */
	uint64_t value, size;
	uint8_t type, bind;
	uint16_t shndx;
};

struct elf_dyn {
	int64_t tag;
	uint64_t val;
};

struct elf {
	const uint8_t *data;
	size_t size;
	int is64;
	uint16_t type, machine;
	uint64_t entry;
	size_t phnum, shnum;
	struct elf_phdr *ph;
	struct elf_shdr *sh;
	const char *shstr;	/* section name string table, may be NULL */
	size_t shstr_size;
	struct elf_dyn *dyn;	/* up to and excluding DT_NULL */
	size_t ndyn;
	const char *dynstr;
	size_t dynstr_size;
	int prop_found;		/* a FEATURE_1_AND property was seen */
	uint32_t prop_bits;
};

/* Status of elf_map / elf_parse. */
enum elf_status {
	ELF_OK = 0,
	ELF_NOT_ELF,		/* no ELF magic: silently skipped */
	ELF_UNSUPPORTED,	/* ELF, but big-endian or unknown class */
	ELF_MALFORMED,		/* ELF magic, but structures out of bounds */
	ELF_IOERR,
};

/* Map a file read-only; *err receives a static or errno string. */
enum elf_status elf_map(const char *path, const uint8_t **data, size_t *size,
			const char **err);
void elf_unmap(const uint8_t *data, size_t size);

/* Parse headers, dynamic section and GNU property note. */
enum elf_status elf_parse(struct elf *e, const uint8_t *data, size_t size,
			  const char **err);
void elf_free(struct elf *e);

int elf_range_ok(const struct elf *e, uint64_t off, uint64_t len);
/* Translate a virtual address range to a file offset. 0 on success. */
int elf_vaddr_to_off(const struct elf *e, uint64_t vaddr, uint64_t len,
		     uint64_t *off);
/* Is vaddr inside an executable PT_LOAD (or SHF_EXECINSTR section)? */
int elf_vaddr_exec(const struct elf *e, uint64_t vaddr);
const char *elf_section_name(const struct elf *e, size_t idx);
/* Find a dynamic entry; returns 1 and sets *val if present. */
int elf_dyn_get(const struct elf *e, int64_t tag, uint64_t *val);
const char *elf_dynstr(const struct elf *e, uint64_t idx);
const struct elf_phdr *elf_phdr_find(const struct elf *e, uint32_t type);
/* Index of the first section of this type, or -1. */
long elf_section_find(const struct elf *e, uint32_t type);

typedef int (*elf_sym_cb)(const struct elf *e, const struct elf_sym *s,
			  void *ctx);
/*
 * Iterate the symbols of the first section of type sht (SHT_SYMTAB or
 * SHT_DYNSYM). Returns -1 if there is no such (valid) table, otherwise the
 * number of symbols visited. The callback may return non-zero to stop.
 */
long elf_for_each_sym(const struct elf *e, uint32_t sht, elf_sym_cb cb,
		      void *ctx);

const char *elf_machine_name(uint16_t m);
const char *elf_type_name(uint16_t t);

#endif
