#include <string.h>

#include "lcm.h"

static const char *const role_names[ROLE__MAX] = {
	[ROLE_OLCM] = "olcm",
	[ROLE_ILCM] = "ilcm",
};

const char *
lcm_role_name(enum lcm_role r)
{
	return (unsigned)r < ROLE__MAX ? role_names[r] : "";
}

int
lcm_role_parse(const char *s)
{
	int r;

	for (r = 0; s != NULL && r < ROLE__MAX; r++)
		if (strcmp(s, role_names[r]) == 0)
			return r;
	return -1;
}

long
lcm_like_pattern(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz < 3)
		return -1;
	out[o++] = '%';
	for (; *s != '\0'; s++) {
		/* This character (escaped or not), the closing '%' and the NUL. */
		if (o + (*s == '%' || *s == '_' || *s == '!' ? 2 : 1) + 2 > outsz)
			return -1;
		if (*s == '%' || *s == '_' || *s == '!')
			out[o++] = '!';
		out[o++] = *s;
	}
	out[o++] = '%';
	out[o] = '\0';
	return (long)o;
}
