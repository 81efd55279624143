#ifndef LCM_FCGI_IO_H
#define LCM_FCGI_IO_H

#include <fcgiapp.h>

struct auth_cache;
struct db;

/*
 * Serve the request fr has accepted: read its parameters and body into a
 * struct request, dispatch it (handlers.h), and write the answer, whole
 * or streamed (a stream's rows read from db as they are written). The
 * request's log lines carry its id. The caller finishes fr.
 */
void fcgi_serve(FCGX_Request *fr, struct db *db, struct auth_cache *auth);

#endif
