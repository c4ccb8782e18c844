/* Private helpers shared by the poi sources (not installed). */
#ifndef VH_POI_INTERNAL_H
#define VH_POI_INTERNAL_H
#include "core/internal.h"
#include "verhm/poi.h"

/* Splits one CSV line in place into at most `maxf` fields (quotes: "a, b",
 * "" for a quote; no multi-line fields). Trailing \r is dropped. Returns the
 * number of fields, or -1 on an unterminated quote / too many fields. */
int vh__poi_csv_split(char *line, char **fields, int maxf);

/* Case-insensitive ASCII string equality. */
int vh__poi_streq(const char *a, const char *b);

/* Next line of a NUL-terminated text buffer: returns the line start and
 * terminates it in place; *pos advances. NULL at the end. */
char *vh__poi_next_line(char *text, size_t len, size_t *pos);
#endif
