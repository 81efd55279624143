#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "http.h"

#define RETRY_AFTER_SECONDS 5

void
resp_init(struct response *r)
{
	r->status = 500;
	r->allow[0] = '\0';
	r->retry_after = 0;
	r->etag[0] = '\0';
	r->replayed = 0;
	memset(&r->stream, 0, sizeof(r->stream));
	r->body = NULL;
	r->body_len = 0;
}

void
resp_set_etag(struct response *r, int64_t version)
{
	snprintf(r->etag, sizeof(r->etag), "\"%" PRId64 "\"", version);
}

void
resp_not_modified(struct response *r)
{
	resp_free(r);
	r->status = 304;
}

enum app_err
resp_raw(struct response *r, int status, const char *body, size_t len)
{
	resp_free(r);
	if ((r->body = malloc(len + 1)) == NULL)
		return APP_ENOMEM;
	memcpy(r->body, body, len);
	r->body[len] = '\0';
	r->body_len = len;
	r->status = status;
	return APP_OK;
}

void
resp_free(struct response *r)
{
	if (r->stream.release != NULL)
		r->stream.release(r->stream.ctx);
	memset(&r->stream, 0, sizeof(r->stream));
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}

enum app_err
resp_json(struct response *r, int status, struct json_object *obj)
{
	const char *s;
	size_t len;
	enum app_err rc = APP_ENOMEM;

	if (obj == NULL)
		goto out;
	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		goto out;
	resp_free(r);
	if ((r->body = malloc(len + 1)) == NULL)
		goto out;
	memcpy(r->body, s, len + 1);
	r->body_len = len;
	r->status = status;
	rc = APP_OK;
out:
	json_object_put(obj);
	return rc;
}

enum app_err
resp_errors(struct response *r, int status, struct json_object *errors)
{
	struct json_object *o;

	if (errors == NULL || (o = json_errors(errors)) == NULL)
		return APP_ENOMEM;
	return resp_json(r, status, o);
}

enum app_err
resp_error(struct response *r, int status, const char *msg)
{
	struct json_object *a;

	if ((a = json_list()) == NULL)
		return APP_ENOMEM;
	if (json_list_add_string(a, msg) != APP_OK) {
		json_object_put(a);
		return APP_ENOMEM;
	}
	return resp_errors(r, status, a);
}

/* Last resort when even the error body cannot be built. */
static const char oom_body[] = "{\"errors\":[\"Internal server error\"]}";

void
resp_from_err(struct response *r, enum app_err e)
{
	int status = app_err_status(e);

	if (status == 503)
		r->retry_after = RETRY_AFTER_SECONDS;
	if (resp_error(r, status, app_err_message(e)) == APP_OK)
		return;
	resp_free(r);
	r->status = 500;
	if ((r->body = strdup(oom_body)) != NULL)
		r->body_len = sizeof(oom_body) - 1;
}

static const char *const method_names[M__MAX] = {
	[M_GET] = "GET",
	[M_POST] = "POST",
	[M_PUT] = "PUT",
	[M_DELETE] = "DELETE",
	[M_HEAD] = "HEAD",
	[M_OTHER] = "",
};

int
http_uri_has_encoded_slash(const char *uri)
{
	for (; uri != NULL && *uri != '\0' && *uri != '?'; uri++)
		if (uri[0] == '%' && uri[1] == '2' && (uri[2] == 'F' || uri[2] == 'f'))
			return 1;
	return 0;
}

enum http_method
http_method_parse(const char *s)
{
	int m;

	if (s == NULL)
		return M_OTHER;
	for (m = 0; m < M_OTHER; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum http_method)m;
	return M_OTHER;
}

const char *
http_method_name(enum http_method m)
{
	return (unsigned)m < M__MAX ? method_names[m] : "";
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

struct json_object *
json_list(void)
{
	return json_object_new_array();
}

enum app_err
json_list_add(struct json_object *list, struct json_object *item)
{
	if (item == NULL || list == NULL || json_object_array_add(list, item) != 0) {
		json_object_put(item);
		return APP_ENOMEM;
	}
	return APP_OK;
}

enum app_err
json_list_add_string(struct json_object *list, const char *s)
{
	return json_list_add(list, json_object_new_string(s));
}

struct json_object *
json_errors(struct json_object *errors)
{
	struct json_object *o;

	if (errors == NULL || (o = json_object_new_object()) == NULL) {
		json_object_put(errors);
		return NULL;
	}
	if (json_object_object_add(o, "errors", errors) != 0) {
		json_object_put(errors);
		json_object_put(o);
		return NULL;
	}
	return o;
}
