#ifndef LCM_TODAY_H
#define LCM_TODAY_H

#include <stddef.h>
#include <time.h>

/*
 * The clinic's calendar day. An ECM authorization runs from its effective
 * date to its end date, both whole days of the clinic's calendar: the
 * time zone it keeps (lcm.conf's clinic_time_zone, UTC by default) decides
 * when a day ends, not the database's (which keeps UTC for every stored
 * time). The zone is the process's, set once at start.
 */

#define TODAY_LEN 11   /* "YYYY-MM-DD" and its NUL */

/*
 * Make name (an IANA zone such as "America/Los_Angeles", or "UTC") the
 * process's time zone. 0, or -1 when it names no zone this machine has
 * (the zone stays as it was).
 */
int today_zone_set(const char *name);

/* Non-zero when name could be a zone: "UTC", or a zoneinfo file under /usr/share/zoneinfo. */
int today_zone_ok(const char *name);

/* The day it is at t in the process's zone, as YYYY-MM-DD, into out. */
void today_at(time_t t, char out[TODAY_LEN]);

/* The day it is now. */
void today(char out[TODAY_LEN]);

#endif
