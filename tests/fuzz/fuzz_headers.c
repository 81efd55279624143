/*
 * libFuzzer target: the request headers a worker reads, each parser on the
 * same bytes (a FastCGI parameter, so a C string): the method, If-Match and
 * If-None-Match, Idempotency-Key, Content-Type, nginx's request id, and the
 * date of an export's as_of.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "headers.h"
#include "http.h"
#include "lcm.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t versions[] = {0, 1, 5, 17, INT64_MAX};
	struct lcm_precondition pc;
	enum http_method m;
	char *s, tag[32];
	int weak, y, mo, d;
	size_t i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	m = http_method_parse(s);
	if ((unsigned)m >= M__MAX || (m != M_OTHER && strcmp(http_method_name(m), s) != 0))
		abort();
	for (weak = 0; weak <= 1; weak++) {
		memset(&pc, 0, sizeof(pc));
		/* The precondition is what the header's syntax says it is. */
		if ((val_etags(s, weak, &pc) != 0) != (hdr_etags(s) == HDR_ETAGS_BAD) ||
		    (pc.any != 0) != (hdr_etags(s) == HDR_ETAGS_ANY))
			abort();
		if (hdr_etags(s) != HDR_ETAGS_LIST)
			continue;
		if (pc.tags != s)
			abort();
		/* A list holds for a version only when it names it, quoted, as its text. */
		for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
			snprintf(tag, sizeof(tag), "\"%" PRId64 "\"", versions[i]);
			if (lcm_precondition_holds(&pc, versions[i]) && strstr(s, tag) == NULL)
				abort();
		}
	}
	if (hdr_idempotency_key(s) && (strlen(s) == 0 || strlen(s) > HDR_IDEMPOTENCY_KEY_MAX))
		abort();
	switch (hdr_content_type(s)) {
	case HDR_CT_JSON:
	case HDR_CT_OTHER:
	case HDR_CT_CHARSET:
		break;
	default:
		abort();
	}
	if (hdr_request_id(s) && (strlen(s) == 0 || strlen(s) > APP_REQUEST_ID_MAX))
		abort();
	if (check_date(s, &y, &mo, &d) && (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31))
		abort();
	free(s);
	return 0;
}
