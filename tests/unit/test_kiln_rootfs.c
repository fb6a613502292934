/* kiln's root file system writer: trees and --file read back via cpio_next. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cpio.h"
#include "kiln.h"
#include "unit.h"

/* ---- a scratch directory per test ---- */

static char scratch[64];
static char *pool[256]; /* the paths S() made, freed by rm_scratch() */
static int npool;

static const char *mk_scratch(void)
{
	strcpy(scratch, "/tmp/kiln-rootfs.XXXXXX");
	return mkdtemp(scratch);
}

static void rm_scratch(void)
{
	char *cmd = xasprintf("rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", scratch);
	free(cmd);
	while (npool)
		free(pool[--npool]);
}

/* S(fmt, ...): a path under the scratch directory, valid until
 * rm_scratch(). */
#define S(...) in_scratch(xasprintf(__VA_ARGS__))
static char *in_scratch(char *rel)
{
	char *p = xasprintf("%s/%s", scratch, rel);

	free(rel);
	if (npool == 256)
		abort();
	return pool[npool++] = p;
}

static int put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t n = strlen(text);
	int ok = fd >= 0 && write(fd, text, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok && chmod(path, mode) == 0;
}

/* The sample tree under the scratch directory's name: nested dirs, a
 * symlink, a dangling one, files of several modes. */
static int make_tree(const char *name)
{
	return mkdir(S("%s", name), 0755) == 0 &&
	       mkdir(S("%s/etc", name), 0755) == 0 &&
	       mkdir(S("%s/a", name), 0700) == 0 &&
	       mkdir(S("%s/a/b", name), 0755) == 0 &&
	       put(S("%s/etc/site.conf", name), "port=1\n", 0644) &&
	       put(S("%s/a/b/run.sh", name), "#!/bin/sh\n", 04755) &&
	       put(S("%s/empty", name), "", 0600) &&
	       symlink("../etc/site.conf", S("%s/a/conf", name)) == 0 &&
	       symlink("/nowhere", S("%s/dangling", name)) == 0;
}

/* ---- reading an archive back ---- */

/* What an archive held; names and data are copied, so the archive can
 * be freed before the checks. */
struct got {
	int n;
	char names[32][128];
	char data[32][64];
	struct cpio_entry e[32];
	int result; /* of the last cpio_next */
};

static void read_back(const unsigned char *b, size_t size, struct got *g)
{
	size_t pos = 0;
	const char *why;

	memset(g, 0, sizeof(*g));
	while (g->n < 32 &&
	       (g->result = cpio_next(b, size, &pos, &g->e[g->n], &why)) == 1) {
		struct cpio_entry *e = &g->e[g->n];

		snprintf(g->names[g->n], sizeof(g->names[0]), "%.*s",
			 (int)e->namelen, e->name);
		memcpy(g->data[g->n], e->data,
		       e->size < sizeof(g->data[0]) ? e->size
						    : sizeof(g->data[0]));
		e->data = g->data[g->n];
		e->name = g->names[g->n];
		g->n++;
	}
	if (g->result < 0)
		fprintf(stderr, "  cpio_next: %s\n", why);
}

static int find(const struct got *g, const char *name)
{
	for (int i = 0; i < g->n; i++)
		if (!strcmp(g->names[i], name))
			return i;
	return -1;
}

static int data_is(const struct cpio_entry *e, const char *s)
{
	return e->size == strlen(s) && !memcmp(e->data, s, e->size);
}

static int build(const char *rootfs, const char **files, int nfiles,
		 const char *mtime, unsigned char **out, size_t *size)
{
	struct rootfs_spec spec = {rootfs, files, nfiles, mtime};

	*out = NULL;
	int r = rootfs_build(&spec, out, size);
	if (r < 0)
		fprintf(stderr, "  (kiln: %s)\n", kiln_errmsg());
	return r;
}

/* build() expecting failure with want in the message. */
static int fails(const char *rootfs, const char **files, int nfiles,
		 const char *want)
{
	struct rootfs_spec spec = {rootfs, files, nfiles, NULL};
	unsigned char *out = NULL;
	size_t size;

	int r = rootfs_build(&spec, &out, &size);
	free(out);
	if (r == 0 || !strstr(kiln_errmsg(), want)) {
		fprintf(stderr, "  got %d '%s', wanted '%s'\n", r,
			r ? kiln_errmsg() : "", want);
		return 0;
	}
	return 1;
}

static int write_bytes(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(b, 1, n, f) == n;

	if (f)
		fclose(f);
	return ok;
}

/* ---- directories ---- */

TEST(rootfs_none_when_no_option_given)
{
	unsigned char *out = (unsigned char *)"x";
	size_t size = 1;

	CHECK(build(NULL, NULL, 0, NULL, &out, &size) == 0);
	CHECK(out == NULL && size == 0);
}

TEST(rootfs_tree_round_trips_through_the_kernel_reader)
{
	unsigned char *out;
	size_t size;
	struct got g;

	CHECK(mk_scratch());
	int made = make_tree("root");
	int r = build(S("root"), NULL, 0, NULL, &out, &size);
	rm_scratch();
	CHECK(made && r == 0);
	read_back(out, size, &g);
	free(out);
	static const char *order[] = {"a",	"a/b",		"a/b/run.sh",
				      "a/conf", "dangling",	"empty",
				      "etc",	"etc/site.conf"};
	CHECK(g.result == 0 && g.n == 8);
	for (int i = 0; i < 8; i++)
		CHECK(!strcmp(g.names[i], order[i]));
	for (int i = 0; i < 8; i++) {
		CHECK(g.e[i].uid == 0 && g.e[i].gid == 0 && g.e[i].mtime == 0);
		CHECK(g.e[i].ino == (uint32_t)i + 1);
		CHECK(g.e[i].nlink == (S_ISDIR(g.e[i].mode) ? 2u : 1u));
	}
	CHECK(g.e[0].mode == (S_IFDIR | 0700));
	CHECK(g.e[2].mode == (S_IFREG | 04755) &&
	      data_is(&g.e[2], "#!/bin/sh\n"));
	CHECK(g.e[3].mode == (S_IFLNK | 0777) &&
	      data_is(&g.e[3], "../etc/site.conf"));
	CHECK(S_ISLNK(g.e[4].mode) && data_is(&g.e[4], "/nowhere"));
	CHECK(g.e[5].mode == (S_IFREG | 0600) && g.e[5].size == 0);
	CHECK(data_is(&g.e[7], "port=1\n"));
}

TEST(rootfs_same_tree_same_bytes_whatever_the_creation_order)
{
	unsigned char *a, *b;
	size_t na, nb;

	CHECK(mk_scratch());
	int made = make_tree("one");
	/* The same files, created in another order and at another time. */
	made = made && mkdir(S("two"), 0755) == 0 &&
	       put(S("two/empty"), "", 0600) && mkdir(S("two/a"), 0700) == 0 &&
	       mkdir(S("two/a/b"), 0755) == 0 &&
	       symlink("/nowhere", S("two/dangling")) == 0 &&
	       symlink("../etc/site.conf", S("two/a/conf")) == 0 &&
	       put(S("two/a/b/run.sh"), "#!/bin/sh\n", 04755) &&
	       mkdir(S("two/etc"), 0755) == 0 &&
	       put(S("two/etc/site.conf"), "port=1\n", 0644);
	int r1 = build(S("one"), NULL, 0, NULL, &a, &na);
	int r2 = build(S("two"), NULL, 0, NULL, &b, &nb);
	rm_scratch();
	int same = r1 == 0 && r2 == 0 && na == nb && !memcmp(a, b, na);
	free(a);
	free(b);
	CHECK(made);
	CHECK(same);
}

TEST(rootfs_mtime_is_source_date_epoch)
{
	unsigned char *out;
	size_t size;
	struct got g;

	CHECK(mk_scratch());
	int made = make_tree("root");
	int r = build(S("root"), NULL, 0, "1700000000", &out, &size);
	struct rootfs_spec spec = {S("root"), NULL, 0, "yesterday"};
	unsigned char *x = NULL;
	size_t nx;
	int r_bad = rootfs_build(&spec, &x, &nx);
	rm_scratch();
	free(x);
	CHECK(made && r == 0);
	read_back(out, size, &g);
	free(out);
	CHECK(g.n == 8 && g.e[0].mtime == 1700000000 &&
	      g.e[7].mtime == 1700000000);
	CHECK(r_bad < 0 && strstr(kiln_errmsg(), "SOURCE_DATE_EPOCH"));
}

TEST(rootfs_empty_directory_is_trailer_only)
{
	unsigned char *out;
	size_t size;
	struct got g;

	CHECK(mk_scratch());
	int r = build(scratch, NULL, 0, NULL, &out, &size);
	rm_scratch();
	CHECK(r == 0 && out);
	read_back(out, size, &g);
	free(out);
	CHECK(g.result == 0 && g.n == 0 && size == 124);
}

TEST(rootfs_refuses_fifos_and_sockets)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	CHECK(mk_scratch());
	int ok = mkdir(S("f"), 0755) == 0 && mkfifo(S("f/pipe"), 0644) == 0;
	ok = ok && fails(S("f"), NULL, 0, "f/pipe: a fifo");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s/sock", scratch);
	ok = ok && mkdir(S("s"), 0755) == 0 && s >= 0 &&
	     bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	ok = ok && fails(S("s"), NULL, 0, "s/sock: a socket");
	if (s >= 0)
		close(s);
	rm_scratch();
	CHECK(ok);
}

TEST(rootfs_refuses_missing_and_foreign_roots)
{
	CHECK(mk_scratch());
	int ok = fails(S("nothere"), NULL, 0,
		       "nothere: No such file or directory");
	ok = ok && put(S("text"), "hello\n", 0644) &&
	     fails(S("text"), NULL, 0, "not a directory or a newc cpio");
	ok = ok && fails("/dev/null", NULL, 0, "not a directory or a newc");
	rm_scratch();
	CHECK(ok);
}

TEST(rootfs_refuses_guest_paths_over_4095_bytes)
{
	char name[201];
	int ok;

	memset(name, 'd', 200);
	name[200] = '\0';
	CHECK(mk_scratch());
	/* 20 levels of 200-byte names (4020 bytes with slashes) fit; the
	 * 21st does not. Built relative to a descriptor: the host path
	 * is longer than the host's PATH_MAX too. */
	int fd = open(scratch, O_RDONLY | O_DIRECTORY);
	ok = fd >= 0 && mkdirat(fd, "root", 0755) == 0;
	int d = openat(fd, "root", O_RDONLY | O_DIRECTORY);
	for (int i = 0; ok && i < 21; i++) {
		ok = mkdirat(d, name, 0755) == 0;
		int next = openat(d, name, O_RDONLY | O_DIRECTORY);
		close(d);
		d = next;
	}
	if (d >= 0)
		close(d);
	if (fd >= 0)
		close(fd);
	ok = ok &&
	     fails(S("root"), NULL, 0, "path in the guest is longer than 4095");
	rm_scratch();
	CHECK(ok);
}

/* ---- --file ---- */

TEST(rootfs_file_overrides_tree_and_creates_parents)
{
	unsigned char *out;
	size_t size;
	struct got g;

	CHECK(mk_scratch());
	int made = make_tree("root") && put(S("new.conf"), "port=2\n", 0640);
	const char *files[] = {
		S("new.conf:/etc/site.conf"),	    /* replaces the tree's */
		S("new.conf:/srv/www//./x/y.conf"), /* parents made, path
						       cleaned */
		S("new.conf:/opt/"),		    /* into a directory */
		S("root/a/b:/bin"),		    /* a tree of its own */
	};
	int r = build(S("root"), files, 4, NULL, &out, &size);
	rm_scratch();
	CHECK(made && r == 0);
	read_back(out, size, &g);
	free(out);
	CHECK(g.result == 0);
	int i = find(&g, "etc/site.conf");
	CHECK(i >= 0 && data_is(&g.e[i], "port=2\n") &&
	      g.e[i].mode == (S_IFREG | 0640));
	CHECK(find(&g, "etc/site.conf.") < 0);
	int srv = find(&g, "srv"), www = find(&g, "srv/www"),
	    x = find(&g, "srv/www/x"), y = find(&g, "srv/www/x/y.conf");
	CHECK(srv >= 0 && www > srv && x > www && y > x);
	CHECK(g.e[srv].mode == (S_IFDIR | 0755));
	CHECK(find(&g, "opt/new.conf") > find(&g, "opt"));
	CHECK(find(&g, "bin/run.sh") > find(&g, "bin"));
	/* Each path once. */
	for (int a = 0; a < g.n; a++)
		for (int b = a + 1; b < g.n; b++)
			CHECK(strcmp(g.names[a], g.names[b]) != 0);
}

TEST(rootfs_file_alone_makes_a_rootfs)
{
	unsigned char *out;
	size_t size;
	struct got g;

	CHECK(mk_scratch());
	int made = put(S("x"), "x", 0644);
	const char *files[] = {S("x:/etc/x"), S("x:/etc/x")};
	int r = build(NULL, files, 2, NULL, &out, &size);
	rm_scratch();
	CHECK(made && r == 0);
	read_back(out, size, &g);
	free(out);
	CHECK(g.result == 0 && g.n == 2 && !strcmp(g.names[0], "etc") &&
	      !strcmp(g.names[1], "etc/x"));
}

TEST(rootfs_file_follows_a_symlink_source)
{
	unsigned char *out;
	size_t size;
	struct got g;

	CHECK(mk_scratch());
	int made = put(S("real"), "data", 0644) &&
		   symlink(S("real"), S("link")) == 0;
	const char *files[] = {S("link:/f")};
	int r = build(NULL, files, 1, NULL, &out, &size);
	rm_scratch();
	CHECK(made && r == 0);
	read_back(out, size, &g);
	free(out);
	CHECK(g.n == 1 && S_ISREG(g.e[0].mode) && data_is(&g.e[0], "data"));
}

TEST(rootfs_file_refuses_bad_arguments)
{
	char long_dest[300] = "x:/";

	memset(long_dest + 3, 'n', 256);
	CHECK(mk_scratch());
	int ok = put(S("x"), "x", 0644) && chdir(scratch) == 0;
	const char *no_colon[] = {"x"}, *relative[] = {"x:etc/x"},
		   *dotdot[] = {"x:/etc/../x"},
		   *root[] = {"x:/"
			      "."},
		   *empty_src[] = {":/etc/x"}, *missing[] = {"nothere:/x"},
		   *too_long[] = {long_dest};
	ok = ok && fails(NULL, no_colon, 1, "not SRC:DEST");
	ok = ok && fails(NULL, empty_src, 1, "not SRC:DEST");
	ok = ok && fails(NULL, relative, 1, "DEST must be an absolute path");
	ok = ok && fails(NULL, dotdot, 1, "'..' in DEST");
	ok = ok && fails(NULL, root, 1, "DEST names the root directory");
	ok = ok &&
	     fails(NULL, missing, 1, "nothere: No such file or directory");
	ok = ok && fails(NULL, too_long, 1, "longer than 255 bytes");
	ok = ok && chdir("/") == 0;
	rm_scratch();
	CHECK(ok);
}

TEST(rootfs_file_cannot_turn_a_directory_into_a_file)
{
	CHECK(mk_scratch());
	int ok = make_tree("root") && put(S("x"), "x", 0644);
	const char *over_dir[] = {S("x:/etc")};
	const char *under_file[] = {S("x:/empty/x")};
	const char *under_link[] = {S("x:/a/conf/x")};
	ok = ok && fails(S("root"), over_dir, 1, "/etc: a directory (from ");
	ok = ok &&
	     fails(S("root"), under_file, 1, "/empty: not a directory (from ");
	ok = ok && fails(S("root"), under_link, 1, "/a/conf: not a directory");
	rm_scratch();
	CHECK(ok);
}

/* ---- FILE.cpio ---- */

/* A newc entry by hand, so these archives do not come from the writer. */
static void newc(struct sbuf *sb, const char *name, unsigned mode, unsigned ino,
		 unsigned nlink, const char *data)
{
	char h[160];
	size_t size = data ? strlen(data) : 0;

	snprintf(h, sizeof(h),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 1000u, 1000u, nlink, 99u, (unsigned)size, 0u, 0u,
		 0u, 0u, (unsigned)strlen(name) + 1, 0u);
	sbuf_add(sb, h, CPIO_NEWC_HDR_SIZE);
	sbuf_add(sb, name, strlen(name) + 1);
	while (sb->len % 4)
		sbuf_addc(sb, '\0');
	if (size)
		sbuf_add(sb, data, size);
	while (sb->len % 4)
		sbuf_addc(sb, '\0');
}

TEST(rootfs_cpio_in_order_is_copied_as_is)
{
	struct sbuf sb = {0};
	unsigned char *out;
	size_t size, end;

	newc(&sb, ".", 040755, 1, 2, NULL);
	newc(&sb, "./etc", 040700, 2, 2, NULL);
	newc(&sb, "./etc/hosts", 0100644, 3, 1, "127.0.0.1 localhost\n");
	newc(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	end = sb.len;
	for (int i = 0; i < 300; i++) /* writers pad to 512 bytes */
		sbuf_addc(&sb, '\0');
	CHECK(mk_scratch());
	int made = write_bytes(S("fs.cpio"), sb.s, sb.len);
	int r = build(S("fs.cpio"), NULL, 0, "5", &out, &size);
	rm_scratch();
	int same = r == 0 && size == end && !memcmp(out, sb.s, end);
	free(out);
	sbuf_free(&sb);
	CHECK(made);
	CHECK(same);
}

TEST(rootfs_cpio_out_of_order_or_with_file_is_rewritten)
{
	struct sbuf sb = {0};
	unsigned char *out;
	size_t size;
	struct got g;

	newc(&sb, "b/c/file", 0100600, 5, 1, "deep");
	newc(&sb, "a", 0100644, 6, 1, "first");
	newc(&sb, "a", 0100644, 7, 1, "second"); /* later wins */
	newc(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	CHECK(mk_scratch());
	int made = write_bytes(S("fs.cpio"), sb.s, sb.len) &&
		   put(S("x"), "x", 0644);
	const char *files[] = {S("x:/b/x")};
	int r = build(S("fs.cpio"), files, 1, NULL, &out, &size);
	rm_scratch();
	sbuf_free(&sb);
	CHECK(made && r == 0);
	read_back(out, size, &g);
	free(out);
	static const char *order[] = {"a", "b", "b/c", "b/c/file", "b/x"};
	CHECK(g.result == 0 && g.n == 5);
	for (int i = 0; i < 5; i++)
		CHECK(!strcmp(g.names[i], order[i]) && g.e[i].uid == 0 &&
		      g.e[i].ino == (uint32_t)i + 1);
	CHECK(data_is(&g.e[0], "second") && data_is(&g.e[3], "deep"));
}

TEST(rootfs_cpio_hard_links_become_files_with_the_data)
{
	struct sbuf sb = {0};
	unsigned char *out;
	size_t size;
	struct got g;

	/* cpio(5): the data goes with the last link only. */
	newc(&sb, "one", 0100644, 9, 2, NULL);
	newc(&sb, "two", 0100644, 9, 2, "shared");
	newc(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	CHECK(mk_scratch());
	int made = write_bytes(S("fs.cpio"), sb.s, sb.len);
	int r = build(S("fs.cpio"), NULL, 0, NULL, &out, &size);
	rm_scratch();
	sbuf_free(&sb);
	CHECK(made && r == 0);
	read_back(out, size, &g);
	free(out);
	CHECK(g.n == 2 && data_is(&g.e[0], "shared") &&
	      data_is(&g.e[1], "shared") && g.e[0].nlink == 1);
}

TEST(rootfs_cpio_malformed_is_refused_with_its_offset)
{
	struct sbuf sb = {0};

	newc(&sb, "ok", 0100644, 1, 1, "fine");
	newc(&sb, "dev", 020644, 2, 1, NULL);
	newc(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	CHECK(mk_scratch());
	int ok = write_bytes(S("dev.cpio"), sb.s, sb.len);
	ok = ok && fails(S("dev.cpio"), NULL, 0,
			 "dev.cpio: not a directory, regular file or symlink "
			 "(at byte 120)");
	sbuf_free(&sb);
	newc(&sb, "ok", 0100644, 1, 1, "fine");
	newc(&sb, "TRAILER!!!", 0, 0, 1, NULL);
	ok = ok && write_bytes(S("cut.cpio"), sb.s, sb.len - 10);
	ok = ok &&
	     fails(S("cut.cpio"), NULL, 0, "cut.cpio: file name past the end");
	rm_scratch();
	sbuf_free(&sb);
	CHECK(ok);
}
