#ifndef LCM_LOG_H
#define LCM_LOG_H

enum log_level {
	LV_ERR,
	LV_WARN,
	LV_INFO,
	LV_DEBUG,
	LV__MAX
};

/* "error", "warn", "info", "debug"; the level of such a name, or -1. */
const char *log_level_name(enum log_level);
int log_level_parse(const char *name);

/* Lines at or below this level are written (default LV_INFO). */
void log_set_level(enum log_level);

/* Request id to stamp on every line until the next call; NULL clears it. */
void log_set_request(const char *request_id);

/*
 * One line to stderr: UTC time, level, pid, request id, message. Never
 * fails in a way the caller must handle.
 */
void log_msg(enum log_level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Send stderr, and so every line, to the file at path (appended to,
 * created mode 0640 when absent). 0, or -1 with errno set and stderr as it
 * was.
 */
int log_open(const char *path);

/*
 * Open the file log_open() named again, by its name: after a rotation
 * moved the old one away, lines go to the new one. 0 (also when stderr was
 * never pointed at a file), or -1 after saying why in the old file.
 */
int log_reopen(void);

#endif
