/*
 * libFuzzer target: the strict JSON recogniser and the body parser over
 * it, as a request body reaches them (any bytes, not NUL-terminated). What
 * the recogniser accepts, json-c must build: a body it lets through as an
 * object and json-c then refuses would be a 400 for valid JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "json_in.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *o = NULL;
	enum app_err rc;
	char *copy;
	size_t i;
	enum json_syntax syn;
	char dup[128] = "", msg[200] = "";
	int ok;

	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	syn = json_in_syntax(copy, size, JSON_IN_DEPTH, dup, sizeof(dup));
	if ((unsigned)syn > JSON_SYNTAX_NOMEM || memchr(dup, '\0', sizeof(dup)) == NULL)
		abort();
	ok = syn == JSON_SYNTAX_OK;
	/* The rewrite keeps the length and touches only escapes' digits. */
	for (i = 0; i < size; i++)
		if (copy[i] != (char)data[i] && !(copy[i] >= '0' && copy[i] <= '9'))
			abort();

	rc = json_in_body((const char *)data, size, &o, msg, sizeof(msg));
	if (rc != APP_OK && rc != APP_ENOMEM && (msg[0] == '\0' || memchr(msg, '\0', sizeof(msg)) == NULL))
		abort();
	if (rc == APP_OK && (o == NULL || !json_object_is_type(o, json_type_object)))
		abort();
	if (rc != APP_OK && o != NULL)
		abort();
	if (rc == APP_OK && !ok)
		abort();
	for (i = 0; i < size && strchr(" \t\r\n", copy[i]) != NULL && copy[i] != '\0'; i++)
		;
	if (ok && i < size && copy[i] == '{' && utf8_valid((const char *)data, size) && rc != APP_OK)
		abort();
	if (o != NULL)
		(void)json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	json_object_put(o);
	free(copy);
	return 0;
}
