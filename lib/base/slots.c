#define _GNU_SOURCE  /* F_OFD_SETLK */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "log.h"
#include "slots.h"

/*
 * Slot i is byte i of the pool's file, held by an open file description's
 * write lock (Linux's OFD locks: a worker's own, released by the kernel
 * when the worker's file closes, however it ends).
 */
struct slots {
	int fd;
	unsigned n;
	unsigned long long mine;  /* the slots this handle holds, a bit each */
	int said;                 /* a failure of the locks was logged */
};

#define SLOTS_MAX 64

/* A lock of type (F_WRLCK, F_UNLCK) on slot i's byte. */
static struct flock
slot_byte(unsigned i, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)i;
	fl.l_len = 1;
	return fl;
}

/*
 * Lock (F_WRLCK) or unlock (F_UNLCK) slot i without waiting: 0, or -1 (a
 * failure other than the slot being held is logged, once).
 */
static int
slot_lock(struct slots *s, unsigned i, short type)
{
	struct flock fl = slot_byte(i, type);

	while (fcntl(s->fd, F_OFD_SETLK, &fl) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EACCES && !s->said) {
			s->said = 1;
			log_msg(LV_WARN, "slots: cannot lock a slot (%s): lock waits give up",
			    strerror(errno));
		}
		return -1;
	}
	return 0;
}

struct slots *
slots_open(const char *path, unsigned n)
{
	struct slots *s;
	struct stat st;

	if (n == 0 || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (n > SLOTS_MAX) {
		log_msg(LV_WARN, "slots: %u asked for, %d kept", n, SLOTS_MAX);
		n = SLOTS_MAX;
	}
	s->n = n;
	/* Never another user's file, nor one a link points to. */
	if ((s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
	    fstat(s->fd, &st) != 0 || st.st_uid != geteuid() || !S_ISREG(st.st_mode)) {
		log_msg(LV_WARN, "slots: cannot use %s (%s): lock waits are not limited", path,
		    s->fd < 0 ? strerror(errno) : "not a file of this user's");
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	return s;
}

int
slots_take(struct slots *s)
{
	unsigned i;

	if (s == NULL)
		return 1;
	for (i = 0; i < s->n; i++)
		if (!(s->mine & 1ull << i) && slot_lock(s, i, F_WRLCK) == 0) {
			s->mine |= 1ull << i;
			return 1;
		}
	return 0;
}

void
slots_give(struct slots *s)
{
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		if (s->mine & 1ull << i) {
			(void)slot_lock(s, i, F_UNLCK);
			s->mine &= ~(1ull << i);
			return;
		}
}

int
slots_free(const struct slots *s)
{
	struct flock fl;
	unsigned i;
	int n = 0;

	if (s == NULL)
		return -1;
	for (i = 0; i < s->n; i++) {
		if (s->mine & 1ull << i)
			continue;
		fl = slot_byte(i, F_WRLCK);
		if (fcntl(s->fd, F_OFD_GETLK, &fl) != 0)
			return -1;
		n += fl.l_type == F_UNLCK;
	}
	return n;
}

void
slots_close(struct slots *s)
{
	if (s == NULL)
		return;
	close(s->fd);
	free(s);
}
