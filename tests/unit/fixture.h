#ifndef LCM_TEST_FIXTURE_H
#define LCM_TEST_FIXTURE_H

#include <stddef.h>

struct json_object;

/* A fixture object from JSON text; fails the test when it does not parse. */
struct json_object *fx_parse(const char *s);

/* unit repeated n times, NUL-terminated; the caller frees it. */
char *fx_repeat(const char *unit, size_t n);

/* {"key": <string of exactly len bytes>} */
struct json_object *fx_obj_with_string(const char *key, const char *s, size_t len);

#endif
