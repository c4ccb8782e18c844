/* OSM opening_hours: a parser for the common forms (weekday selectors, time
 * spans, off, 24/7, overnight spans, PH rules ignored) and the open-now test;
 * ISO 8601 local times to (weekday, minute). */
#include "poi_internal.h"
#include <ctype.h>
#include <string.h>

static const char *const wd_names[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

/* Weekday at s (two letters not followed by a letter), or -1. */
static int weekday_at(const char *s) {
    for (int d = 0; d < 7; d++)
        if (s[0] == wd_names[d][0] && s[1] == wd_names[d][1] && !isalpha((unsigned char)s[2])) return d;
    return -1;
}

static int ph_at(const char *s) { return s[0] == 'P' && s[1] == 'H' && !isalpha((unsigned char)s[2]); }

static const char *skip_ws(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* After a ',' : does a new selector (weekday or PH) start here? */
static int selector_at(const char *s) {
    s = skip_ws(s);
    return weekday_at(s) >= 0 || ph_at(s);
}

/* Parses H:MM / HH:MM / HH.MM into minutes (0..1440). */
static int parse_clock(const char **ps, int *out) {
    const char *s = *ps;
    int h = 0, nd = 0;
    while (isdigit((unsigned char)*s) && nd < 3) { h = h * 10 + (*s - '0'); s++; nd++; }
    if (nd == 0 || nd > 2 || (*s != ':' && *s != '.')) return -1;
    s++;
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1])) return -1;
    int m = (s[0] - '0') * 10 + (s[1] - '0');
    s += 2;
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
    *out = h * 60 + m;
    *ps = s;
    return 0;
}

int vh_poi_hours_parse(const char *text, vh_poi_hours *out) {
    if (!text || !out) return vh__fail(NULL, VH_EINVAL, "opening_hours: NULL argument");
    memset(out, 0, sizeof *out);
    const char *s = skip_ws(text);
    if (!*s) return vh__fail(NULL, VH_EFORMAT, "opening_hours: empty");
    if (strncmp(s, "24/7", 4) == 0 && !*skip_ws(s + 4)) {
        out->always = 1;
        return VH_OK;
    }
    while (*s) {
        s = skip_ws(s);
        if (!*s) break;
        unsigned mask = 0;
        int has_days = 0, has_ph = 0;
        /* selector */
        for (;;) {
            int d = weekday_at(s);
            if (d >= 0) {
                int d2 = d;
                s += 2;
                if (*s == '-') {
                    d2 = weekday_at(s + 1);
                    if (d2 < 0) return vh__fail(NULL, VH_EFORMAT, "opening_hours '%s': bad weekday range", text);
                    s += 3;
                }
                for (int k = d;; k = (k + 1) % 7) {
                    mask |= 1u << k;
                    if (k == d2) break;
                }
                has_days = 1;
            } else if (ph_at(s)) {
                has_ph = 1;
                s += 2;
            } else {
                break;
            }
            const char *t = skip_ws(s);
            if (*t == ',' && selector_at(t + 1)) { s = skip_ws(t + 1); continue; }
            s = t;
            break;
        }
        if (*s == '[') return vh__fail(NULL, VH_EUNSUPPORTED, "opening_hours '%s': nth-weekday selectors are not supported", text);
        s = skip_ws(s);
        /* times */
        short st[VH_POI_HOURS_MAX_SPANS], en[VH_POI_HOURS_MAX_SPANS];
        int ns = 0, closed = 0, has_time = 0;
        if (strncmp(s, "off", 3) == 0 && !isalpha((unsigned char)s[3])) { closed = 1; has_time = 1; s += 3; }
        else if (strncmp(s, "closed", 6) == 0 && !isalpha((unsigned char)s[6])) { closed = 1; has_time = 1; s += 6; }
        else if (isdigit((unsigned char)*s)) {
            for (;;) {
                int a, b;
                const char *save = s;
                if (parse_clock(&s, &a)) {
                    s = save;
                    return vh__fail(NULL, isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
                                    isdigit((unsigned char)s[2]) ? VH_EUNSUPPORTED : VH_EFORMAT,
                                    "opening_hours '%s': expected a time HH:MM", text);
                }
                s = skip_ws(s);
                if (*s != '-') {
                    return vh__fail(NULL, *s == '+' ? VH_EUNSUPPORTED : VH_EFORMAT,
                                    "opening_hours '%s': expected '-' after a start time", text);
                }
                s = skip_ws(s + 1);
                if (parse_clock(&s, &b))
                    return vh__fail(NULL, VH_EFORMAT, "opening_hours '%s': expected an end time HH:MM", text);
                if (b <= a) b += 1440; /* past midnight */
                if (ns >= VH_POI_HOURS_MAX_SPANS)
                    return vh__fail(NULL, VH_ERANGE, "opening_hours '%s': more than %d spans in a rule", text, VH_POI_HOURS_MAX_SPANS);
                st[ns] = (short)a;
                en[ns] = (short)b;
                ns++;
                has_time = 1;
                const char *t = skip_ws(s);
                if (*t == ',' && isdigit((unsigned char)*skip_ws(t + 1))) { s = skip_ws(t + 1); continue; }
                s = t;
                break;
            }
        }
        if (!has_time && !has_days && !has_ph) {
            if (isalpha((unsigned char)*s))
                return vh__fail(NULL, VH_EUNSUPPORTED, "opening_hours '%s': unsupported selector near '%.12s'", text, s);
            return vh__fail(NULL, VH_EFORMAT, "opening_hours '%s': unexpected '%.12s'", text, s);
        }
        if (!has_time) { /* "Mo-Fr" alone: open all day */
            st[0] = 0;
            en[0] = 1440;
            ns = 1;
        }
        s = skip_ws(s);
        if (*s == ';') s++;
        else if (*s == ',' && selector_at(s + 1)) s++;
        else if (*s) {
            if (isalpha((unsigned char)*s) || *s == '|' || *s == '"')
                return vh__fail(NULL, VH_EUNSUPPORTED, "opening_hours '%s': unsupported syntax near '%.12s'", text, s);
            return vh__fail(NULL, VH_EFORMAT, "opening_hours '%s': unexpected '%.12s'", text, s);
        }
        if (has_ph && !has_days) continue; /* public-holiday rule: ignored */
        if (!has_days) mask = 0x7f;
        for (int d = 0; d < 7; d++) {
            if (!(mask & (1u << d))) continue;
            out->nspans[d] = closed ? 0 : ns;
            for (int k = 0; k < ns && !closed; k++) {
                out->start[d][k] = st[k];
                out->end[d][k] = en[k];
            }
        }
    }
    return VH_OK;
}

int vh_poi_hours_open(const vh_poi_hours *h, vh_poi_time t) {
    if (!h || t.weekday < 0 || t.weekday > 6) return 0;
    if (h->always) return 1;
    int d = t.weekday, m = t.minute;
    for (int k = 0; k < h->nspans[d]; k++)
        if (m >= h->start[d][k] && m < h->end[d][k]) return 1;
    int y = (d + 6) % 7;
    for (int k = 0; k < h->nspans[y]; k++)
        if (h->end[y][k] > 1440 && m + 1440 < h->end[y][k] && m + 1440 >= h->start[y][k]) return 1;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static int read_int(const char **ps, int digits, int *out) {
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)(*ps)[i])) return -1;
        v = v * 10 + ((*ps)[i] - '0');
    }
    *ps += digits;
    *out = v;
    return 0;
}

int vh_poi_time_parse(const char *iso, vh_poi_time *out) {
    if (!iso || !out) return vh__fail(NULL, VH_EINVAL, "time: NULL argument");
    const char *s = iso;
    int y, mo, d, h, mi, sec = 0;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (read_int(&s, 4, &y) || *s++ != '-' || read_int(&s, 2, &mo) || *s++ != '-' || read_int(&s, 2, &d) ||
        (*s != 'T' && *s != 't' && *s != ' ') || (s++, read_int(&s, 2, &h)) || *s++ != ':' || read_int(&s, 2, &mi))
        return vh__fail(NULL, VH_EINVAL, "time '%s': expected YYYY-MM-DDTHH:MM", iso);
    if (*s == ':' && (s++, read_int(&s, 2, &sec)))
        return vh__fail(NULL, VH_EINVAL, "time '%s': bad seconds", iso);
    if (*s == '.') { s++; while (isdigit((unsigned char)*s)) s++; }
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
        return vh__fail(NULL, VH_EINVAL, "time '%s': date or time out of range", iso);
    if (*s && *s != 'Z' && *s != 'z' && *s != '+' && *s != '-')
        return vh__fail(NULL, VH_EINVAL, "time '%s': unexpected '%s'", iso, s);
    long long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    /* 1970-01-01 was a Thursday (weekday 3 with Monday = 0). */
    out->weekday = (int)(((days % 7) + 7 + 3) % 7);
    out->minute = h * 60 + mi;
    return VH_OK;
}
