/* cpio_next(): archives read back; every truncation and bad field refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpio.h"
#include "unit.h"

/* A tiny newc writer of its own, so the reader is not checked against
 * kiln's writer only. Entries are appended to a growing buffer. */
struct ar {
	unsigned char *b;
	size_t len;
};

static void put(struct ar *a, const void *p, size_t n)
{
	a->b = realloc(a->b, a->len + n + 4);
	if (n)
		memcpy(a->b + a->len, p, n);
	a->len += n;
}

static void pad(struct ar *a)
{
	static const char zero[4];
	put(a, zero, (4 - a->len % 4) % 4);
}

/* Append an entry; namesize 0 means strlen(name) + 1. */
static void add_raw(struct ar *a, const char *name, size_t namesize,
		    unsigned mode, const void *data, size_t size)
{
	char h[160];

	if (!namesize)
		namesize = strlen(name) + 1;
	snprintf(h, sizeof(h),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 7u, mode, 0u, 0u, 1u, 1234u, (unsigned)size, 0u, 0u, 0u, 0u,
		 (unsigned)namesize, 0u);
	put(a, h, CPIO_NEWC_HDR_SIZE);
	put(a, name, namesize);
	pad(a);
	put(a, data, size);
	pad(a);
}

static void add(struct ar *a, const char *name, unsigned mode, const char *data)
{
	add_raw(a, name, 0, mode, data, data ? strlen(data) : 0);
}

static void end(struct ar *a)
{
	add(a, "TRAILER!!!", 0, NULL);
}

/* A copy in a buffer of exactly n bytes, so ASan sees any overread. */
static unsigned char *exact(const struct ar *a, size_t n)
{
	unsigned char *b = malloc(n ? n : 1);
	if (n)
		memcpy(b, a->b, n);
	return b;
}

/* Read the whole of buf; the result of the first call that is not 1. */
static int read_all(const void *buf, size_t size, int *count, const char **why)
{
	struct cpio_entry e;
	size_t pos = 0;
	int r, n = 0;

	while ((r = cpio_next(buf, size, &pos, &e, why)) == 1)
		n++;
	if (count)
		*count = n;
	return r;
}

/* 0 when the archive with one entry (name, mode, data) reads fully, else
 * the failing result, with the reason in *why. */
static int one(const char *name, unsigned mode, const char *data,
	       const char **why)
{
	struct ar a = {0};
	add(&a, name, mode, data);
	end(&a);
	unsigned char *b = exact(&a, a.len);
	int r = read_all(b, a.len, NULL, why);
	free(b);
	free(a.b);
	return r;
}

static int name_is(const struct cpio_entry *e, const char *s)
{
	return e->namelen == strlen(s) && !memcmp(e->name, s, e->namelen);
}

static struct ar sample(void)
{
	struct ar a = {0};

	add(&a, ".", 040755, NULL);
	add(&a, "./etc", 040755, NULL);
	add(&a, "./etc/site.conf", 0100644, "port=8080\n");
	add(&a, "etc/link", 0120777, "site.conf");
	add(&a, "empty", 0100600, NULL);
	end(&a);
	return a;
}

TEST(cpio_reads_dirs_files_and_symlinks)
{
	struct ar a = sample();
	unsigned char *b = exact(&a, a.len);
	struct cpio_entry e[4];
	const char *why = NULL;
	size_t pos = 0;
	int r[5];

	for (int i = 0; i < 4; i++)
		r[i] = cpio_next(b, a.len, &pos, &e[i], &why);
	r[4] = cpio_next(b, a.len, &pos, &e[3], &why);
	int ok = r[0] == 1 && r[1] == 1 && r[2] == 1 && r[3] == 1 &&
		 r[4] == 0 && pos == a.len;
	ok = ok && name_is(&e[0], "etc") && e[0].mode == 040755 &&
	     e[0].size == 0;
	ok = ok && name_is(&e[1], "etc/site.conf") && e[1].mode == 0100644 &&
	     e[1].size == 10 && !memcmp(e[1].data, "port=8080\n", 10) &&
	     e[1].mtime == 1234 && e[1].ino == 7 && e[1].nlink == 1;
	ok = ok && name_is(&e[2], "etc/link") && e[2].size == 9 &&
	     !memcmp(e[2].data, "site.conf", 9);
	ok = ok && name_is(&e[3], "empty") && e[3].size == 0;
	free(b);
	free(a.b);
	CHECK(ok);
}

TEST(cpio_trailer_only_is_empty_archive)
{
	struct ar a = {0};
	const char *why;
	int n;

	end(&a);
	int r = read_all(a.b, a.len, &n, &why);
	free(a.b);
	CHECK(r == 0 && n == 0);
}

TEST(cpio_ignores_bytes_after_trailer_and_accepts_upper_hex)
{
	struct ar a = sample();
	const char *why;
	int n;

	put(&a, "\0\0\0\0garbage", 11);
	int r = read_all(a.b, a.len, &n, &why);
	free(a.b);
	CHECK(r == 0 && n == 4);
}

TEST(cpio_refuses_every_truncation)
{
	struct ar a = sample();
	const char *why;
	int bad = 0;

	for (size_t n = 0; n < a.len; n++) {
		unsigned char *b = exact(&a, n);
		why = NULL;
		if (read_all(b, n, NULL, &why) != -1 || !why || !*why) {
			fprintf(stderr, "  cut at %zu not refused\n", n);
			bad = 1;
		}
		free(b);
	}
	free(a.b);
	CHECK(!bad);
}

TEST(cpio_refuses_missing_trailer)
{
	struct ar a = {0};
	const char *why = NULL;

	add(&a, "file", 0100644, "x");
	int r = read_all(a.b, a.len, NULL, &why);
	free(a.b);
	CHECK(r == -1 && strstr(why, "TRAILER"));
}

TEST(cpio_refuses_bad_magic)
{
	struct ar a = sample();
	const char *why = NULL;

	a.b[5] = '2'; /* 070702 is the CRC variant, not accepted either */
	int r = read_all(a.b, a.len, NULL, &why);
	free(a.b);
	CHECK(r == -1 && strstr(why, "magic"));
}

TEST(cpio_refuses_non_hex_in_each_field)
{
	int bad = 0;

	for (int field = 0; field < 13; field++) {
		struct ar a = sample();
		const char *why = NULL;
		/* The third entry (etc/site.conf): skip two headers. */
		size_t pos = 0;
		struct cpio_entry e;
		cpio_next(a.b, a.len, &pos, &e, &why);
		a.b[pos + 6 + 8 * field + 3] = 'g';
		if (read_all(a.b, a.len, NULL, &why) != -1 ||
		    !strstr(why, "hex"))
			bad = 1;
		memset(a.b + pos + 6 + 8 * field, ' ', 8);
		if (read_all(a.b, a.len, NULL, &why) != -1)
			bad = 1;
		free(a.b);
	}
	CHECK(!bad);
}

TEST(cpio_refuses_namesize_zero)
{
	struct ar a = {0};
	const char *why = NULL;

	add_raw(&a, "", 0, 0100644, NULL, 0);
	/* add_raw took strlen+1 = 1; write namesize 0 over it. */
	memcpy(a.b + 6 + 8 * 11, "00000000", 8);
	end(&a);
	int r = read_all(a.b, a.len, NULL, &why);
	free(a.b);
	CHECK(r == -1 && strstr(why, "name size 0"));
}

TEST(cpio_refuses_name_not_nul_terminated_or_with_inner_nul)
{
	struct ar a = {0}, c = {0};
	const char *why1 = NULL, *why2 = NULL;

	add_raw(&a, "abcd", 4, 0100644, NULL, 0); /* no NUL in namesize */
	end(&a);
	add_raw(&c, "ab\0cd", 6, 0100644, NULL, 0);
	end(&c);
	int r1 = read_all(a.b, a.len, NULL, &why1);
	int r2 = read_all(c.b, c.len, NULL, &why2);
	free(a.b);
	free(c.b);
	CHECK(r1 == -1 && strstr(why1, "NUL"));
	CHECK(r2 == -1 && strstr(why2, "NUL"));
}

TEST(cpio_refuses_name_or_data_past_end_without_overflow)
{
	static const char *sizes[] = {"7FFFFFF0", "FFFFFFFF", "00001000"};
	int bad = 0;

	for (int field = 6; field <= 11; field += 5) { /* filesize, namesize */
		for (int i = 0; i < 3; i++) {
			struct ar a = {0};
			const char *why = NULL;
			add(&a, "f", 0100644, "data");
			end(&a);
			memcpy(a.b + 6 + 8 * field, sizes[i], 8);
			unsigned char *b = exact(&a, a.len);
			if (read_all(b, a.len, NULL, &why) != -1 ||
			    !strstr(why, "past the end"))
				bad = 1;
			free(b);
			free(a.b);
		}
	}
	CHECK(!bad);
}

TEST(cpio_leaves_position_at_the_bad_entry)
{
	struct ar a = {0};
	struct cpio_entry e;
	const char *why = NULL;
	size_t pos = 0;

	add(&a, "ok", 0100644, "fine");
	add(&a, "fifo", 010644, NULL);
	end(&a);
	int r1 = cpio_next(a.b, a.len, &pos, &e, &why);
	size_t second = pos;
	int r2 = cpio_next(a.b, a.len, &pos, &e, &why);
	free(a.b);
	CHECK(r1 == 1 && second == 120);
	CHECK(r2 == -1 && pos == second);
}

TEST(cpio_refuses_position_past_end)
{
	struct ar a = sample();
	struct cpio_entry e;
	const char *why = NULL;
	size_t pos = a.len + 4;

	int r = cpio_next(a.b, a.len, &pos, &e, &why);
	pos = (size_t)-4;
	int r2 = cpio_next(a.b, a.len, &pos, &e, &why);
	free(a.b);
	CHECK(r == -1 && r2 == -1);
}

TEST(cpio_refuses_dotdot_absolute_and_empty_names)
{
	static const char *names[] = {
		"..",	"../etc", "a/../b", "a/..",  "/etc/passwd", "./",
		".//x", "a//b",	  "a/",	    "a/./b", "./.",	    "./..",
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *why = NULL;
		if (one(names[i], 0100644, "x", &why) != -1) {
			fprintf(stderr, "  '%s' accepted\n", names[i]);
			bad = 1;
		}
	}
	CHECK(!bad);
}

TEST(cpio_accepts_dotted_names_that_are_not_dot_components)
{
	static const char *names[] = {"...", ".a", "a..", "a/.b/..c", "./.x"};
	int bad = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *why = NULL;
		if (one(names[i], 0100644, "x", &why) != 0) {
			fprintf(stderr, "  '%s' refused: %s\n", names[i], why);
			bad = 1;
		}
	}
	CHECK(!bad);
}

TEST(cpio_refuses_long_components_and_paths)
{
	char comp[300], path[4200];
	const char *why1 = NULL, *why2 = NULL, *why3 = NULL, *why4 = NULL;

	memset(comp, 'a', 256);
	comp[256] = '\0';
	int r1 = one(comp, 0100644, "x", &why1);
	comp[255] = '\0';
	int r2 = one(comp, 0100644, "x", &why2);
	/* 4095 bytes of a/a/a... is fine, 4096 is not. */
	for (int i = 0; i < 4096; i++)
		path[i] = i % 2 ? '/' : 'a';
	path[4095] = '\0';
	int r3 = one(path, 0100644, "x", &why3);
	path[4095] = 'a';
	path[4096] = '\0';
	int r4 = one(path, 0100644, "x", &why4);
	CHECK(r1 == -1 && strstr(why1, "255"));
	CHECK(r2 == 0);
	CHECK(r3 == 0);
	CHECK(r4 == -1 && strstr(why4, "4095"));
}

TEST(cpio_refuses_devices_fifos_sockets_and_high_mode_bits)
{
	static const unsigned modes[] = {020644,  060644, 010644,
					 0140644, 0,	  0110644};
	int bad = 0;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *why = NULL;
		if (one("node", modes[i], NULL, &why) != -1 ||
		    !strstr(why, "not a directory"))
			bad = 1;
	}
	const char *why = NULL;
	if (one("f", 01100644, NULL, &why) != -1 || !strstr(why, "mode"))
		bad = 1;
	CHECK(!bad);
}

TEST(cpio_refuses_bad_directories_and_symlinks)
{
	const char *w1 = NULL, *w2 = NULL, *w3 = NULL, *w4 = NULL;
	struct ar a = {0};

	int r1 = one("d", 040755, "data", &w1);
	int r2 = one("l", 0120777, NULL, &w2);
	add_raw(&a, "l", 0, 0120777, "a\0b", 3);
	end(&a);
	int r3 = read_all(a.b, a.len, NULL, &w3);
	free(a.b);
	/* A root entry with data is no directory to skip: refused. */
	int r4 = one(".", 040755, "x", &w4);
	CHECK(r1 == -1 && strstr(w1, "directory with data"));
	CHECK(r2 == -1 && strstr(w2, "empty target"));
	CHECK(r3 == -1 && strstr(w3, "NUL"));
	CHECK(r4 == -1);
}

TEST(cpio_refuses_a_regular_file_named_dot)
{
	const char *why = NULL;

	CHECK(one(".", 0100644, "x", &why) == -1);
}
