#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "today.h"

#define ZONEINFO "/usr/share/zoneinfo/"

int
today_zone_ok(const char *name)
{
	char path[256];
	const char *s;

	if (strcmp(name, "UTC") == 0)
		return 1;
	/* A relative path of letters, digits and "/_+-", no "..": a file of the zone database. */
	if (*name == '\0' || *name == '/' || strlen(name) > 64 || strstr(name, "..") != NULL)
		return 0;
	for (s = name; *s != '\0'; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
		    strchr("/_+-", *s) != NULL))
			return 0;
	snprintf(path, sizeof(path), ZONEINFO "%s", name);
	return access(path, R_OK) == 0;
}

int
today_zone_set(const char *name)
{
	if (!today_zone_ok(name))
		return -1;
	/* UTC needs no file: ":UTC" would, on a machine without tzdata. */
	if (setenv("TZ", strcmp(name, "UTC") == 0 ? "UTC0" : name, 1) != 0)
		return -1;
	tzset();
	return 0;
}

void
today_at(time_t t, char out[TODAY_LEN])
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(out, TODAY_LEN, "%Y-%m-%d", &tm) != 10)
		snprintf(out, TODAY_LEN, "1970-01-01");
}

void
today(char out[TODAY_LEN])
{
	today_at(time(NULL), out);
}
