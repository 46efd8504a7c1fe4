/*
 * fuse_log.h - logging of the fuse3-compatible library (winfuse).
 *
 * Same API and ABI as libfuse 3.14.
 */
#ifndef FUSE_LOG_H_
#define FUSE_LOG_H_

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Severities, in syslog(3) order; the values match LOG_EMERG..LOG_DEBUG. */
enum fuse_log_level {
	FUSE_LOG_EMERG,
	FUSE_LOG_ALERT,
	FUSE_LOG_CRIT,
	FUSE_LOG_ERR,
	FUSE_LOG_WARNING,
	FUSE_LOG_NOTICE,
	FUSE_LOG_INFO,
	FUSE_LOG_DEBUG
};

/* Receives every message the library emits; fmt as for vprintf(3). */
typedef void (*fuse_log_func_t)(enum fuse_log_level level,
				const char *fmt, va_list ap);

/* Redirect library messages to func; NULL restores the default (stderr). */
void fuse_set_log_func(fuse_log_func_t func);

/* Emit one message through the current log function. */
void fuse_log(enum fuse_log_level level, const char *fmt, ...);

#ifdef __cplusplus
}
#endif

#endif /* FUSE_LOG_H_ */
