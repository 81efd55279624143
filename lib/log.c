#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level level = LV_INFO;
static const char *request_id;

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
