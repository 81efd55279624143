#ifndef LCM_SLOTS_H
#define LCM_SLOTS_H

/*
 * A pool's waiting slots: how many of its workers may wait at once on a
 * lock another transaction holds. The workers of one pool share a file
 * (beside the socket they listen on) whose bytes are the slots; a worker
 * holds a slot by a lock on its byte, which the kernel lets go when the
 * worker ends, however it ends. A worker that finds none free does not
 * wait: the pool keeps workers for everything else, whatever a stuck
 * transaction holds.
 */

struct slots;

/*
 * The n slots (1 or more; 64 at most are kept) of the pool whose file is
 * path, created when missing (never followed through a link, never
 * another user's). NULL, after a warning in the log, when it cannot be
 * used: then nothing is limited.
 */
struct slots *slots_open(const char *path, unsigned n);

/* Take a slot without waiting: 1 when taken (always for NULL: nothing is limited), 0 when none is free. */
int slots_take(struct slots *);

/* Give back a slot slots_take() took. */
void slots_give(struct slots *);

/* The slots this handle could take now (for tests and logs); -1 on failure. */
int slots_free(const struct slots *);

/* Let go of every slot the handle holds and forget it; accepts NULL. */
void slots_close(struct slots *);

#endif
