/*
 * The manual pages describe what the code does, as test_openapi.c holds
 * nginx/openapi.json to the routes: lcm-admin(8)'s COMMANDS are
 * lib/admin/admin.c's table of commands, lcm.conf(5)'s KEYS are lib/db/config.c's
 * keys, each page's ENVIRONMENT names every variable that overrides a key
 * (and the key it overrides), a default the page gives is the default,
 * and the configuration examples parse. Both directions: a command, key or
 * variable the page leaves out, and a page entry the code does not have.
 * The unit tests run from the repository's root.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "admin.h"
#include "config.h"
#include "import.h"

#define ADMIN_PAGE "deploy/lcm-admin.8"
#define CONF_PAGE "deploy/lcm.conf.5"
#define MAX_ITEMS 64
#define MAX_NAMES 64

/* An entry of a page's list: its name ("user add") and the lines under it. */
struct item {
	char name[128];
	char body[4096];
};

/* The whole of a file, NUL-terminated; NULL when it cannot be read. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;

	if (f == NULL)
		return NULL;
	text = calloc(1, 256 * 1024 + 1);
	n = text != NULL ? fread(text, 1, 256 * 1024, f) : 0;
	fclose(f);
	if (text != NULL)
		text[n] = '\0';
	return text;
}

/* A macro's name: two or three letters, the first upper case ("Ar", "Oo"). */
static int
is_macro(const char *w, size_t n)
{
	return (n == 2 || n == 3) && w[0] >= 'A' && w[0] <= 'Z' && w[1] >= 'a' && w[1] <= 'z' &&
	    (n == 2 || (w[2] >= 'a' && w[2] <= 'z'));
}

/*
 * The name an item's head gives after macro: its words up to the next
 * macro or delimiter (".It Cm user add Ar id" is "user add"), or "" when
 * the head does not start with macro.
 */
static void
head_name(const char *head, const char *macro, char *out, size_t sz)
{
	const char *p = head, *w;
	size_t n, o = 0;
	int first = 1;

	out[0] = '\0';
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '\n')
			return;
		w = p;
		n = strcspn(w, " \t\n");
		p = w + n;
		if (first) {
			if (n != strlen(macro) || strncmp(w, macro, n) != 0)
				return;
			first = 0;
			continue;
		}
		if (is_macro(w, n) || strchr("|,.;:()[]", w[0]) != NULL)
			return;
		if (o + n + 2 > sz)
			return;
		o += (size_t)snprintf(out + o, sz - o, "%s%.*s", o ? " " : "", (int)n, w);
	}
}

/*
 * The entries of the first-level list of section sect of text whose heads
 * start with macro (Cm, Ic or Ev): their names, and each one's lines up to
 * the next entry of that list. An ".It Xo" head goes on on the next line.
 * Returns the number found.
 */
static size_t
page_items(const char *text, const char *sect, const char *macro, struct item *items,
    size_t max)
{
	const char *line, *end, *head;
	struct item *cur = NULL;
	size_t n = 0, len;
	int in = 0, depth = 0, xo = 0;

	for (line = text; *line != '\0'; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		len = (size_t)(end - line);
		if (len > 4 && strncmp(line, ".Sh ", 4) == 0) {
			in = len - 4 == strlen(sect) && strncmp(line + 4, sect, len - 4) == 0;
			cur = NULL;
			depth = 0;
			continue;
		}
		if (!in)
			continue;
		if (strncmp(line, ".Bl", 3) == 0 && (len == 3 || line[3] == ' ')) {
			depth++;
		} else if (strncmp(line, ".El", 3) == 0 && (len == 3 || line[3] == ' ')) {
			if (--depth == 0)
				cur = NULL;
		} else if (depth == 1 && (xo || (strncmp(line, ".It", 3) == 0 &&
		    (len == 3 || line[3] == ' ')))) {
			head = xo ? line + 1 : line + 3;
			if (!xo && strncmp(head, " Xo", 3) == 0 && (head[3] == '\n' ||
			    head[3] == '\0')) {
				xo = 1;   /* the head is on the next line */
				continue;
			}
			xo = 0;
			cur = NULL;
			if (n < max) {
				head_name(head, macro, items[n].name, sizeof(items[n].name));
				items[n].body[0] = '\0';
				if (items[n].name[0] != '\0')
					cur = &items[n++];
			}
			continue;
		}
		if (cur != NULL && strlen(cur->body) + len + 2 < sizeof(cur->body))
			snprintf(cur->body + strlen(cur->body), sizeof(cur->body) - strlen(cur->body),
			    "%.*s\n", (int)len, line);
	}
	return n;
}

/*
 * Compare a page's entries with the names the code has: each name must be
 * an entry, each entry a name, each once. Says what differs on out (when
 * not NULL); returns the number of differences.
 */
static int
compare(FILE *out, const char *page, const char *sect, const struct item *items,
    size_t nitems, const char *const *names, size_t nnames)
{
	size_t i, j, seen;
	int bad = 0;

	for (i = 0; i < nnames; i++) {
		for (seen = 0, j = 0; j < nitems; j++)
			seen += strcmp(names[i], items[j].name) == 0;
		if (seen != 1 && out != NULL)
			fprintf(out, "%s: %s: '%s' is %s\n", page, sect, names[i],
			    seen ? "documented more than once" : "not documented");
		bad += seen != 1;
	}
	for (j = 0; j < nitems; j++) {
		for (seen = 0, i = 0; i < nnames; i++)
			seen += strcmp(names[i], items[j].name) == 0;
		if (seen == 0 && out != NULL)
			fprintf(out, "%s: %s: '%s' is documented but the code has none\n", page,
			    sect, items[j].name);
		bad += seen == 0;
	}
	return bad;
}

/* The commands of admin_cmds as lcm-admin takes them: "migrate", "user add". */
static size_t
command_names(char buf[][64], const char **names)
{
	size_t c;

	for (c = 0; c < ADMIN_CMD__MAX; c++) {
		snprintf(buf[c], 64, "%s%s%s", admin_cmds[c].word, admin_cmds[c].sub ? " " : "",
		    admin_cmds[c].sub ? admin_cmds[c].sub : "");
		names[c] = buf[c];
	}
	return ADMIN_CMD__MAX;
}

/* The keys of lib/db/config.c; with envs, the variables overriding them too. */
static size_t
key_names(const char **names, const char **envs)
{
	const char *env;
	size_t i;

	for (i = 0; (names[i] = config_key(i, &env)) != NULL; i++) {
		cr_assert_lt(i, MAX_NAMES - 1);
		if (envs != NULL)
			envs[i] = env;
	}
	return i;
}

/* A page's text, or the test fails. */
static char *
page(const char *path)
{
	char *text = slurp(path);

	cr_assert_not_null(text, "cannot read %s", path);
	return text;
}

Test(man, lcm_admin_documents_every_command_and_no_other)
{
	struct item items[MAX_ITEMS];
	char buf[ADMIN_CMD__MAX][64];
	const char *names[ADMIN_CMD__MAX];
	char *text = page(ADMIN_PAGE);
	size_t n, nn = command_names(buf, names);

	n = page_items(text, "COMMANDS", "Cm", items, MAX_ITEMS);
	cr_assert_gt(n, 0, "no .It Cm entries in the COMMANDS of " ADMIN_PAGE);
	cr_expect_eq(compare(stderr, ADMIN_PAGE, "COMMANDS", items, n, names, nn), 0,
	    "lcm-admin(8) and lib/admin/admin.c's admin_cmds differ (above)");
	free(text);
}

/*
 * "import KIND" is a command for each kind import_kind_parse() knows, and
 * "import mif" (a MIF, mif_import()'s), and no other.
 */
Test(man, import_commands_are_the_import_kinds)
{
	size_t c, n = 0, mif = 0;

	for (c = 0; c < ADMIN_CMD__MAX; c++) {
		if (strcmp(admin_cmds[c].word, "import") != 0)
			continue;
		if (strcmp(admin_cmds[c].sub, "mif") == 0) {
			mif++;
			continue;
		}
		cr_expect_geq(import_kind_parse(admin_cmds[c].sub), 0, "import %s is no kind",
		    admin_cmds[c].sub);
		n++;
	}
	cr_expect_eq(n, (size_t)IMPORT__MAX);
	cr_expect_eq(mif, 1, "import mif is a command");
	cr_expect_lt(import_kind_parse("mif"), 0, "mif is not a CSV kind of import.c");
}

/* admin_cmd_find() finds each command by its words, and nothing else. */
Test(man, admin_cmd_find_takes_the_table)
{
	char *argv[3];
	size_t c;

	for (c = 0; c < ADMIN_CMD__MAX; c++) {
		argv[0] = (char *)(uintptr_t)admin_cmds[c].word;
		argv[1] = (char *)(uintptr_t)(admin_cmds[c].sub ? admin_cmds[c].sub : "x");
		argv[2] = NULL;
		cr_expect_eq(admin_cmd_find(2, argv), (int)c, "%s %s", argv[0], argv[1]);
	}
	argv[0] = "user";
	cr_expect_eq(admin_cmd_find(1, argv), -2, "user alone");
	argv[1] = "rename";
	cr_expect_eq(admin_cmd_find(2, argv), -2, "user rename");
	argv[0] = "users";
	cr_expect_eq(admin_cmd_find(2, argv), -1, "users");
	cr_expect_eq(admin_cmd_find(0, argv), -1, "no words");
}

Test(man, lcm_conf_documents_every_key_and_no_other)
{
	struct item items[MAX_ITEMS];
	const char *names[MAX_NAMES];
	char *text = page(CONF_PAGE);
	size_t n, nn = key_names(names, NULL);

	n = page_items(text, "KEYS", "Ic", items, MAX_ITEMS);
	cr_assert_gt(n, 0, "no .It Ic entries in the KEYS of " CONF_PAGE);
	cr_expect_eq(compare(stderr, CONF_PAGE, "KEYS", items, n, names, nn), 0,
	    "lcm.conf(5) and lib/db/config.c's keys differ (above)");
	free(text);
}

/*
 * Each page's ENVIRONMENT: LCM_CONFIG and each variable that overrides a
 * key, no other, each saying which key.
 */
static void
environment_of(const char *path)
{
	struct item items[MAX_ITEMS];
	const char *keys[MAX_NAMES], *envs[MAX_NAMES], *names[MAX_NAMES];
	char *text = page(path), want[128];
	size_t i, j, n, nn = 0, nkeys = key_names(keys, envs);

	names[nn++] = "LCM_CONFIG";
	for (i = 0; i < nkeys; i++)
		if (envs[i] != NULL)
			names[nn++] = envs[i];
	n = page_items(text, "ENVIRONMENT", "Ev", items, MAX_ITEMS);
	cr_assert_gt(n, 0, "no .It Ev entries in the ENVIRONMENT of %s", path);
	cr_expect_eq(compare(stderr, path, "ENVIRONMENT", items, n, names, nn), 0,
	    "%s's ENVIRONMENT and lib/db/config.c's variables differ (above)", path);
	for (i = 0; i < nkeys; i++) {
		if (envs[i] == NULL)
			continue;
		snprintf(want, sizeof(want), "Overrides\n.Ic %s ", keys[i]);
		for (j = 0; j < n; j++)
			if (strcmp(items[j].name, envs[i]) == 0)
				cr_expect(strncmp(items[j].body, want, strlen(want)) == 0,
				    "%s: %s does not say it overrides %s", path, envs[i], keys[i]);
	}
	free(text);
}

Test(man, environment_names_every_override_and_its_key)
{
	environment_of(ADMIN_PAGE);
	environment_of(CONF_PAGE);
}

/*
 * Every key's entry gives its default ("The default is"); where that is a
 * value (".Li lcm", ".Cm info", "4."), setting the key to it changes
 * nothing of the defaults.
 */
Test(man, lcm_conf_defaults_are_the_defaults)
{
	struct item items[MAX_ITEMS];
	struct config dflt, set;
	char *text = page(CONF_PAGE), value[256], line[512], err[600];
	const char *p, *rest;
	size_t i, n, checked = 0, len;

	config_defaults(&dflt);
	n = page_items(text, "KEYS", "Ic", items, MAX_ITEMS);
	cr_assert_gt(n, 0);
	for (i = 0; i < n; i++) {
		p = strstr(items[i].body, "The default is");
		cr_expect_not_null(p, "%s: %s gives no default", CONF_PAGE, items[i].name);
		if (p == NULL)
			continue;
		rest = p + strlen("The default is");
		value[0] = '\0';
		if (*rest == '\n' && (strncmp(rest + 1, ".Li ", 4) == 0 ||
		    strncmp(rest + 1, ".Pa ", 4) == 0 || strncmp(rest + 1, ".Cm ", 4) == 0)) {
			len = strcspn(rest + 5, " \n");
			snprintf(value, sizeof(value), "%.*s", (int)len, rest + 5);
		} else if (*rest == ' ' && (len = strspn(rest + 1, "0123456789")) > 0 &&
		    strncmp(rest + 1 + len, ".\n", 2) == 0) {
			snprintf(value, sizeof(value), "%.*s", (int)len, rest + 1);
		}
		if (value[0] == '\0')
			continue;  /* "none", "the client library's": an empty or zero default */
		snprintf(line, sizeof(line), "%.128s = %.255s\n", items[i].name, value);
		config_defaults(&set);
		cr_expect_eq(config_parse(&set, line, CONF_PAGE, err, sizeof(err)), 0, "%s", err);
		cr_expect(memcmp(&set, &dflt, sizeof(set)) == 0,
		    "%s: %s's default is not %s", CONF_PAGE, items[i].name, value);
		checked++;
	}
	cr_expect_geq(checked, 7, "only %zu defaults were values", checked);
	free(text);
}

/* The EXAMPLES' configurations are configurations. */
Test(man, lcm_conf_examples_parse)
{
	struct config c;
	char *text = page(CONF_PAGE), *p, *start, *end, err[600];
	size_t n = 0;

	cr_assert_not_null(p = strstr(text, "\n.Sh EXAMPLES\n"));
	while ((start = strstr(p, "\n.Bd -literal")) != NULL &&
	    (end = strstr(start, "\n.Ed\n")) != NULL) {
		start = strchr(start + 1, '\n') + 1;
		*end = '\0';
		config_defaults(&c);
		cr_expect_eq(config_parse(&c, start, "EXAMPLES", err, sizeof(err)), 0, "%s", err);
		n++;
		p = end + 1;
	}
	cr_expect_geq(n, 1, "no examples");
	free(text);
}

/* The checks fail on a page that leaves a command out or has one too many. */
Test(man, bad_page_missing_and_extra_entries_are_reported)
{
	static const char bad[] =
	    ".Sh COMMANDS\n"
	    ".Bl -tag -width Ds\n"
	    ".It Cm migrate Op Fl -to Ar version\n"
	    "text\n"
	    ".Bl -tag -width Ds\n"
	    ".It Cm nested Ar option\n"
	    ".El\n"
	    ".It Xo\n"
	    ".Cm user add\n"
	    ".Fl -name Ar name\n"
	    ".Xc\n"
	    ".It Cm user rename Ar id\n"
	    ".El\n"
	    ".Sh SEE ALSO\n"
	    ".Bl -tag -width Ds\n"
	    ".It Cm check\n"
	    ".El\n";
	static const char *const names[] = {"migrate", "check", "user add"};
	struct item items[MAX_ITEMS];
	size_t n;

	n = page_items(bad, "COMMANDS", "Cm", items, MAX_ITEMS);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(items[0].name, "migrate");
	cr_expect_str_eq(items[1].name, "user add");
	cr_expect_str_eq(items[2].name, "user rename");
	/* check is missing (SEE ALSO is not COMMANDS), user rename is extra. */
	cr_expect_eq(compare(NULL, "bad.8", "COMMANDS", items, n, names, 3), 2);
}
