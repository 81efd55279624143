#include <string.h>
#include <strings.h>

#include "app.h"
#include "etag.h"
#include "headers.h"

/* A tchar of RFC 9110 5.6.2. */
static int
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* OWS of RFC 9110 5.6.3. */
static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

enum hdr_ct
hdr_content_type(const char *ct)
{
	static const char json[] = "application/json";
	char value[32];
	const char *p, *name;
	size_t n, vn;
	int too_long, bad_charset = 0;

	if (ct == NULL)
		return HDR_CT_OTHER;
	p = skip_ows(ct);
	if (strncasecmp(p, json, sizeof(json) - 1) != 0 || is_tchar(p[sizeof(json) - 1]))
		return HDR_CT_OTHER;
	p += sizeof(json) - 1;
	for (;;) {
		p = skip_ows(p);
		if (*p == '\0')
			break;
		if (*p++ != ';')
			return HDR_CT_OTHER;
		p = skip_ows(p);
		if (*p == '\0' || *p == ';')
			continue;  /* an empty parameter */
		for (name = p; is_tchar(*p); p++)
			;
		n = (size_t)(p - name);
		if (n == 0 || *p++ != '=')
			return HDR_CT_OTHER;
		vn = 0;
		too_long = 0;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '\0' || (unsigned char)*p < 0x20 || *p == 0x7f)
					return HDR_CT_OTHER;
				if (vn + 1 < sizeof(value))
					value[vn++] = *p;
				else
					too_long = 1;
			}
			p++;
		} else {
			for (; is_tchar(*p); p++) {
				if (vn + 1 < sizeof(value))
					value[vn++] = *p;
				else
					too_long = 1;
			}
			if (vn == 0 && !too_long)
				return HDR_CT_OTHER;
		}
		value[vn] = '\0';
		if (n == 7 && strncasecmp(name, "charset", 7) == 0 &&
		    (too_long || strcasecmp(value, "utf-8") != 0))
			bad_charset = 1;
	}
	return bad_charset ? HDR_CT_CHARSET : HDR_CT_JSON;
}

enum hdr_etags
hdr_etags(const char *h)
{
	struct etag tag;
	const char *p;
	int rc, n = 0;

	p = skip_ows(h);
	if (*p == '*')
		return *skip_ows(p + 1) == '\0' ? HDR_ETAGS_ANY : HDR_ETAGS_BAD;
	/* Every tag well formed, and one at least. */
	while ((rc = etag_next(&p, &tag)) == 1)
		n++;
	return rc < 0 || n == 0 ? HDR_ETAGS_BAD : HDR_ETAGS_LIST;
}

int
hdr_idempotency_key(const char *key)
{
	size_t n;

	if (key == NULL || (n = strlen(key)) == 0 || n > HDR_IDEMPOTENCY_KEY_MAX)
		return 0;
	for (; *key != '\0'; key++)
		if (*key < 0x21 || *key > 0x7e)
			return 0;
	return 1;
}

int
hdr_request_id(const char *id)
{
	static const char ok[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.";
	size_t n;

	if (id == NULL)
		return 0;
	n = strspn(id, ok);
	return n > 0 && n <= APP_REQUEST_ID_MAX && id[n] == '\0';
}
