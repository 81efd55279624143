#ifndef LCM_HEADERS_H
#define LCM_HEADERS_H

/*
 * The request headers the service reads, checked as HTTP defines them:
 * Content-Type, If-Match and If-None-Match, Idempotency-Key, and the
 * request id nginx passes on. Each takes the header's value as a C string
 * (a FastCGI parameter) and knows nothing of the endpoint.
 */

#define HDR_IDEMPOTENCY_KEY_MAX 255  /* characters */

/* What a Content-Type says of a body. */
enum hdr_ct {
	HDR_CT_JSON,     /* application/json, in UTF-8 */
	HDR_CT_OTHER,    /* another media type, or no well-formed one */
	HDR_CT_CHARSET   /* application/json with a charset other than utf-8 */
};

/*
 * Read a Content-Type (RFC 9110 8.3: type/subtype, then ";" parameters,
 * name=token or name="quoted-string", whitespace only around the ";").
 * JSON is application/json, names case-insensitive; its parameters are
 * ignored but charset, which must be utf-8 (any case, quoted or not) each
 * time it is given: JSON is UTF-8 (RFC 8259 8.1). NULL is HDR_CT_OTHER.
 */
enum hdr_ct hdr_content_type(const char *ct);

/* What an If-Match or If-None-Match header holds. */
enum hdr_etags {
	HDR_ETAGS_BAD,   /* no tag, or one that is not an entity tag */
	HDR_ETAGS_ANY,   /* "*" */
	HDR_ETAGS_LIST   /* one entity tag or more, each well formed (etag.h) */
};

/*
 * An If-Match or If-None-Match header: "*" or a list of entity tags (RFC
 * 9110 8.8.3, 13.1.1-2; empty list elements ignored). The whole list is
 * checked, however long.
 */
enum hdr_etags hdr_etags(const char *header);

/* Non-zero when key is an Idempotency-Key: 1..255 visible ASCII characters. */
int hdr_idempotency_key(const char *key);

/*
 * Non-zero when id is a request id we pass into the audit trail as it is:
 * 1..APP_REQUEST_ID_MAX characters of [0-9A-Za-z_.-] (nginx's $request_id
 * is 32 hex digits).
 */
int hdr_request_id(const char *id);

#endif
