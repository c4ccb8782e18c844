/* Private helpers of the monitor module (not installed). */
#ifndef VH_MONITOR_INTERNAL_H
#define VH_MONITOR_INTERNAL_H
#define SQLITE_HAS_CODEC 1
#include <sqlcipher/sqlite3.h>
#include "core/internal.h"
#include "verhm/monitor.h"

struct vh_monitor {
    sqlite3 *db;
    char *path;
    int readonly;
    vh__err err;
};

/* Maps a SQLite failure to a status with "PATH: what: sqlite message". */
int vh__mon_sqlfail(vh_monitor *m, int rc, const char *what);
/* Prepares a statement or records the failure. */
int vh__mon_prepare(vh_monitor *m, const char *sql, sqlite3_stmt **st);
/* Executes SQL without results. */
int vh__mon_exec(vh_monitor *m, const char *sql);
/* Person row id (0 and VH_ENOTFOUND when unknown; creates it when create). */
int vh__mon_person(vh_monitor *m, const char *person, int create, int64_t *rowid);
/* Checks a pseudonym's syntax. */
int vh__mon_valid_person(const char *person);
/* Days since 1970-01-01 for a civil date and back; weekday 0 = Monday. */
int64_t vh__days_from_civil(int64_t y, int mo, int d);
void vh__civil_from_days(int64_t z, int *y, int *mo, int *d);
/* Local day number of a time at an offset. */
int64_t vh__local_day(int64_t unix_s, int tz_minutes);
/* Appends s to b escaped for HTML text/attributes. */
void vh__html_escape(vh_buf *b, const char *s);
#endif
