#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level level = LV_INFO;
static const char *request_id;
static char log_path[4096];  /* the file stderr goes to; "" for stderr as it came */

static const char *const names[LV__MAX] = {
	[LV_ERR] = "error",
	[LV_WARN] = "warn",
	[LV_INFO] = "info",
	[LV_DEBUG] = "debug",
};

const char *
log_level_name(enum log_level l)
{
	return (unsigned)l < LV__MAX ? names[l] : "";
}

int
log_level_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < LV__MAX; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

void
log_set_level(enum log_level l)
{
	level = l;
}

void
log_set_request(const char *id)
{
	request_id = id;
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	char when[32], msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (l > level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s.%03ldZ %s [%ld] %s%s%s\n", when, ts.tv_nsec / 1000000,
	    names[l], (long)getpid(), request_id && *request_id ? request_id : "",
	    request_id && *request_id ? " " : "", msg);
}

/* Point stderr at path, appending; 0, or -1 with errno set (stderr unchanged). */
static int
point_stderr(const char *path)
{
	int fd, saved;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0)
		return -1;
	fflush(stderr);
	if (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (fd != STDERR_FILENO)
		close(fd);
	return 0;
}

int
log_open(const char *path)
{
	if (strlen(path) >= sizeof(log_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (point_stderr(path) != 0)
		return -1;
	snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

int
log_reopen(void)
{
	if (log_path[0] == '\0')
		return 0;
	if (point_stderr(log_path) != 0) {
		log_msg(LV_ERR, "cannot reopen the log file %s: %s (still writing to the old one)",
		    log_path, strerror(errno));
		return -1;
	}
	return 0;
}
