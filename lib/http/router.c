#include <string.h>

#include "check.h"
#include "router.h"

/* Does path match pattern? Sets *id for a ":id" segment. */
static int
path_match(const char *pattern, const char *path, int64_t *id)
{
	const char *pe, *se;
	size_t pn, sn;

	*id = 0;
	for (;;) {
		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++;
		path++;
		pe = strchr(pattern, '/');
		se = strchr(path, '/');
		pn = pe ? (size_t)(pe - pattern) : strlen(pattern);
		sn = se ? (size_t)(se - path) : strlen(path);
		if (pn == 3 && memcmp(pattern, ":id", 3) == 0) {
			if (!check_path_id(path, sn, id))
				return 0;
		} else if (pn != sn || memcmp(pattern, path, pn) != 0)
			return 0;
		pattern += pn;
		path += sn;
		if (*pattern == '\0' || *path == '\0')
			return *pattern == *path;
	}
}

/* Append name to the comma-separated list in allow (used bytes so far). */
static void
allow_add(char *allow, size_t allowsz, size_t *used, const char *name)
{
	size_t n = strlen(name);

	if (*used + n + 3 >= allowsz)
		return;
	if (*used > 0) {
		memcpy(allow + *used, ", ", 2);
		*used += 2;
	}
	memcpy(allow + *used, name, n + 1);
	*used += n;
}

const struct route *
router_match(const struct route *routes, size_t n, enum http_method method,
    const char *path, int64_t *id, char *allow, size_t allowsz)
{
	size_t i, used = 0;
	int64_t pid;

	*id = 0;
	if (allowsz > 0)
		allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!path_match(routes[i].pattern, path, &pid))
			continue;
		if (routes[i].method == method ||
		    (routes[i].method == M_GET && method == M_HEAD)) {
			*id = pid;
			if (allowsz > 0)
				allow[0] = '\0';
			return &routes[i];
		}
		allow_add(allow, allowsz, &used, http_method_name(routes[i].method));
		if (routes[i].method == M_GET)
			allow_add(allow, allowsz, &used, http_method_name(M_HEAD));
	}
	return NULL;
}
