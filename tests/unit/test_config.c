/*
 * Unit tests for lib/db/config.c: the "key = value" file of the worker and
 * lcm-admin, its errors (file and line), the environment's overrides and
 * password files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"

static char err[600];

/* Parse text over the defaults; the return code. */
static int
parse(struct config *c, const char *text)
{
	config_defaults(c);
	err[0] = '\0';
	return config_parse(c, text, "lcm.conf", err, sizeof(err));
}

/* A temporary file holding text; the caller unlinks it. */
static char *
temp_file(const char *text)
{
	char *path = strdup("/tmp/lcm-config-test.XXXXXX");
	int fd;

	cr_assert_not_null(path);
	cr_assert_geq(fd = mkstemp(path), 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(config, defaults)
{
	struct config c;

	config_defaults(&c);
	cr_assert_str_eq(c.db_name, "lcm");
	cr_assert_str_eq(c.db_user, "lcm_app");
	cr_assert_str_eq(c.db_socket, "");
	cr_assert_str_eq(c.listen, "/run/lcm/fcgi.sock");
	cr_assert_eq(c.workers, 4);
	cr_assert_eq(c.socket_mode, 0660);
	cr_assert_eq(c.log_level, LV_INFO);
	cr_assert_eq(c.db_port, 0);
	cr_assert_eq(c.auth_cache_seconds, 2);
}

Test(config, auth_cache_seconds_0_to_60)
{
	struct config c;

	cr_assert_eq(parse(&c, "auth_cache_seconds = 0"), 0, "%s", err);
	cr_assert_eq(c.auth_cache_seconds, 0);
	cr_assert_eq(parse(&c, "auth_cache_seconds = 60"), 0, "%s", err);
	cr_assert_eq(c.auth_cache_seconds, 60);
}

Test(config, reads_every_key_with_comments_blanks_and_spaces)
{
	struct config c;

	cr_assert_eq(parse(&c,
	    "# a comment\n"
	    "\n"
	    "   # an indented comment\n"
	    "db_socket = /run/mysqld/mysqld.sock\n"
	    "db_host=10.0.0.10\n"
	    "db_port   =   3307   \n"
	    "\tdb_name\t=\tclinic\t\n"
	    "db_user = app user\r\n"
	    "db_password_file = /etc/lcm/db_password\n"
	    "migrate_user = lcm_migrate\n"
	    "migrate_password_file = /etc/lcm/migrate_password\n"
	    "log_level = debug\n"
	    "log_file = /var/log/lcm/workers.log\n"
	    "schema_dir = /usr/share/lcm/db-schema\n"
	    "listen = 127.0.0.1:9000\n"
	    "socket_mode = 0600\n"
	    "workers = 16"), 0, "%s", err);
	cr_assert_str_eq(c.db_socket, "/run/mysqld/mysqld.sock");
	cr_assert_str_eq(c.db_host, "10.0.0.10");
	cr_assert_eq(c.db_port, 3307);
	cr_assert_str_eq(c.db_name, "clinic");
	cr_assert_str_eq(c.db_user, "app user");
	cr_assert_str_eq(c.db_password_file, "/etc/lcm/db_password");
	cr_assert_str_eq(c.migrate_user, "lcm_migrate");
	cr_assert_str_eq(c.migrate_password_file, "/etc/lcm/migrate_password");
	cr_assert_eq(c.log_level, LV_DEBUG);
	cr_assert_str_eq(c.log_file, "/var/log/lcm/workers.log");
	cr_assert_str_eq(c.schema_dir, "/usr/share/lcm/db-schema");
	cr_assert_str_eq(c.listen, "127.0.0.1:9000");
	cr_assert_eq(c.socket_mode, 0600);
	cr_assert_eq(c.workers, 16);
}

Test(config, empty_value_clears_a_default)
{
	struct config c;

	cr_assert_eq(parse(&c, "db_name =\n"), 0, "%s", err);
	cr_assert_str_eq(c.db_name, "");
}

Test(config, bad_unknown_key_names_file_and_line)
{
	struct config c;

	cr_assert_eq(parse(&c, "db_name = lcm\n\n# x\ndb_pasword_file = /x\n"), -1);
	cr_assert_str_eq(err, "lcm.conf:4: unknown key 'db_pasword_file'");
}

Test(config, bad_key_set_twice)
{
	struct config c;

	cr_assert_eq(parse(&c, "workers = 2\nworkers = 3\n"), -1);
	cr_assert_str_eq(err, "lcm.conf:2: workers is set twice");
}

Test(config, bad_line_without_equals)
{
	struct config c;

	cr_assert_eq(parse(&c, "db_name lcm\n"), -1);
	cr_assert_str_eq(err, "lcm.conf:1: expected \"key = value\"");
}

Test(config, bad_values_say_what_is_wrong)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"db_port = 0", "lcm.conf:1: db_port must be a port number, 1 to 65535"},
		{"db_port = 65536", "lcm.conf:1: db_port must be a port number, 1 to 65535"},
		{"db_port = 33o6", "lcm.conf:1: db_port must be a port number, 1 to 65535"},
		{"db_port = -1", "lcm.conf:1: db_port must be a port number, 1 to 65535"},
		{"workers = 0", "lcm.conf:1: workers must be a number of workers, 1 to 256"},
		{"workers = 257", "lcm.conf:1: workers must be a number of workers, 1 to 256"},
		{"workers = four", "lcm.conf:1: workers must be a number of workers, 1 to 256"},
		{"auth_cache_seconds = 61", "lcm.conf:1: auth_cache_seconds must be a number of seconds, 0 to 60"},
		{"auth_cache_seconds = -1", "lcm.conf:1: auth_cache_seconds must be a number of seconds, 0 to 60"},
		{"auth_cache_seconds = 2s", "lcm.conf:1: auth_cache_seconds must be a number of seconds, 0 to 60"},
		{"log_level = verbose", "lcm.conf:1: log_level must be error, warn, info or debug"},
		{"socket_mode = 0666", "lcm.conf:1: socket_mode must give the owner read and write "
		    "and others nothing (0600 or 0660)"},
		{"socket_mode = 0400", "lcm.conf:1: socket_mode must give the owner read and write "
		    "and others nothing (0600 or 0660)"},
		{"socket_mode = 660x", "lcm.conf:1: socket_mode must be an octal mode such as 0660"},
		{"socket_mode = 0689", "lcm.conf:1: socket_mode must be an octal mode such as 0660"},
	};
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(parse(&c, cases[i].text), -1, "%s", cases[i].text);
		cr_expect_str_eq(err, cases[i].msg, "%s", cases[i].text);
	}
}

Test(config, bad_value_too_long)
{
	struct config c;
	char *text = malloc(CONFIG_VALUE_MAX + 64);

	cr_assert_not_null(text);
	strcpy(text, "log_file = ");
	memset(text + strlen(text), 'a', CONFIG_VALUE_MAX);
	text[11 + CONFIG_VALUE_MAX] = '\0';
	cr_assert_eq(parse(&c, text), -1);
	cr_assert_str_eq(err, "lcm.conf:1: log_file is too long (at most 511 bytes)");
	free(text);
}

Test(config, environment_overrides_the_file)
{
	struct config c;
	char *path = temp_file("db_socket = /from/file\ndb_user = file_user\nlog_level = warn\n");

	setenv("LCM_DB_SOCKET", "/from/env", 1);
	setenv("LCM_LOG_LEVEL", "debug", 1);
	unsetenv("LCM_DB_USER");
	cr_assert_eq(config_load(&c, path, err, sizeof(err)), 0, "%s", err);
	unsetenv("LCM_DB_SOCKET");
	unsetenv("LCM_LOG_LEVEL");
	cr_assert_str_eq(c.db_socket, "/from/env");
	cr_assert_str_eq(c.db_user, "file_user");
	cr_assert_eq(c.log_level, LV_DEBUG);
	cr_assert_str_eq(c.path, path);
	unlink(path);
	free(path);
}

Test(config, bad_environment_value_is_refused)
{
	struct config c;

	config_defaults(&c);
	setenv("LCM_DB_PORT", "http", 1);
	cr_assert_eq(config_apply_env(&c, err, sizeof(err)), -1);
	unsetenv("LCM_DB_PORT");
	cr_assert_str_eq(err, "LCM_DB_PORT: must be a port number, 1 to 65535");
}

Test(config, bad_missing_file_is_an_error)
{
	struct config c;

	cr_assert_eq(config_load(&c, "/nonexistent/lcm.conf", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "cannot read configuration /nonexistent/lcm.conf: No such file or directory");
}

Test(config, path_precedence)
{
	setenv("LCM_CONFIG", "/from/env.conf", 1);
	cr_assert_str_eq(config_path("/explicit.conf"), "/explicit.conf");
	cr_assert_str_eq(config_path(NULL), "/from/env.conf");
	unsetenv("LCM_CONFIG");
	cr_assert_str_eq(config_path(NULL), CONFIG_DEFAULT_PATH);
}

Test(config, secret_is_the_first_line)
{
	char buf[64], *path = temp_file("s3cret\r\nsecond line\n");

	cr_assert_eq(config_read_secret(path, buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(buf, "s3cret");
	unlink(path);
	free(path);
}

Test(config, secret_without_a_file_is_none)
{
	char buf[16] = "junk";

	cr_assert_eq(config_read_secret("", buf, sizeof(buf), err, sizeof(err)), 0);
	cr_assert_str_eq(buf, "");
}

Test(config, bad_secret_files)
{
	char buf[8], *empty = temp_file(""), *longer = temp_file("0123456789abcdef\n");

	cr_expect_eq(config_read_secret("/nonexistent/pw", buf, sizeof(buf), err, sizeof(err)), -1);
	cr_expect_str_eq(err, "cannot read password file /nonexistent/pw: No such file or directory");
	cr_expect_eq(config_read_secret(empty, buf, sizeof(buf), err, sizeof(err)), -1);
	cr_expect(strstr(err, "is empty") != NULL, "%s", err);
	cr_expect_eq(config_read_secret(longer, buf, sizeof(buf), err, sizeof(err)), -1);
	cr_expect(strstr(err, "first line too long") != NULL, "%s", err);
	cr_expect_str_eq(buf, "");
	unlink(empty);
	unlink(longer);
	free(empty);
	free(longer);
}

Test(config, db_host_may_list_the_nodes_of_a_cluster)
{
	struct config c;

	cr_assert_eq(parse(&c, "db_host = 10.0.0.1, 10.0.0.2:3307,[fd00::3]:3308\n"), 0, "%s", err);
	cr_assert_str_eq(c.db_host, "10.0.0.1, 10.0.0.2:3307,[fd00::3]:3308");
	cr_assert_eq(parse(&c, "db_host =\n"), 0, "%s", err);
	cr_assert_str_eq(c.db_host, "");
	cr_assert_neq(parse(&c, "db_host = a,,b\n"), 0);
	cr_assert(strstr(err, "db_host") != NULL && strstr(err, "host[:port]") != NULL, "%s", err);
	cr_assert_neq(parse(&c, "db_host = a:0\n"), 0);
	cr_assert_neq(parse(&c, "db_host = a:65536\n"), 0);
	cr_assert_neq(parse(&c, "db_host = [fd00::3\n"), 0);
	cr_assert_neq(parse(&c, "db_host = a b\n"), 0);
	cr_assert_neq(parse(&c, "db_host = a,b,c,d,e,f,g,h,i\n"), 0);
}
