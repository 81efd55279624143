/*
 * libFuzzer target: the path router, on the worker's own route table. The
 * first byte picks the method, the rest is DOCUMENT_URI (a C string). A
 * match must be of the method asked (a GET route for HEAD) and carry a
 * positive :id when its pattern has one; Allow must fit its buffer,
 * whatever its size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "handlers.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t allowsz[] = {64, 8, 1, 0};
	const struct route *rt;
	enum http_method m;
	char *path, allow[64];
	int64_t id;
	size_t i;

	if (size < 1)
		return 0;
	m = (enum http_method)(data[0] % M__MAX);
	if ((path = malloc(size)) == NULL)
		return 0;
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';

	for (i = 0; i < sizeof(allowsz) / sizeof(allowsz[0]); i++) {
		memset(allow, 'x', sizeof(allow));
		rt = router_match(app_routes, app_nroutes, m, path, &id, allow, allowsz[i]);
		if (allowsz[i] > 0 && memchr(allow, '\0', allowsz[i]) == NULL)
			abort();
		if (rt != NULL && ((rt->method != m && !(m == M_HEAD && rt->method == M_GET)) ||
		    (allowsz[i] > 0 && allow[0] != '\0') ||
		    (strstr(rt->pattern, ":id") != NULL) != (id > 0)))
			abort();
		if (rt == NULL && id != 0)
			abort();
	}
	(void)check_id_string((const char *)data + 1, size - 1, &id);
	free(path);
	return 0;
}
