/* libFuzzer harness: the GeoJSON importer (and, for what it accepts, the
 * opening_hours parser and a suggestion over the result) must never crash,
 * leak or read out of bounds, whatever the input. The same bytes also go to
 * the other untrusted-input parsers of the module: the CSV place importer, the
 * catalog and model file loaders, the rule table, and (as text) the
 * opening_hours and time parsers. */
#include "verhm/poi.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char rules_text[] =
        "* * * cafe:1,park:0.5,museum:0.5,bar:0.3\n";
    vh_poi_catalog *c = vh_poi_catalog_new();
    vh_poi_rules *r = NULL;
    if (!c || vh_poi_rules_parse(rules_text, sizeof rules_text - 1, "fuzz", &r) != VH_OK) {
        vh_poi_catalog_free(c);
        return 0;
    }
    vh_poi_import_params ip = vh_poi_import_default_params();
    ip.skip_invalid = size > 0 && (data[0] & 1);
    vh_poi_import_stats st;
    if (vh_poi_import_geojson_mem(c, (const char *)data, size, "fuzz", &ip, &st) == VH_OK &&
        vh_poi_catalog_count(c) > 0) {
        for (size_t i = 0; i < vh_poi_catalog_count(c); i++) {
            vh_poi_hours h;
            (void)vh_poi_hours_parse(vh_poi_catalog_get(c, i)->hours, &h);
        }
        vh_poi_state s = {VH_EMO_SAD, VH_AGE_ADULT, VH_GENDER_UNKNOWN};
        vh_poi_suggest_params p = vh_poi_suggest_default_params();
        p.now.weekday = 4;
        p.now.minute = 1380;
        vh_poi_suggestion *out = NULL;
        size_t n = 0;
        if (vh_poi_suggest(c, r, &s, &p, &out, &n) == VH_OK) {
            char *txt = vh_poi_sentence(&s, out, n);
            vh_free(txt);
            vh_poi_suggestions_free(out, n);
        }
    }
    vh_poi_rules_free(r);
    vh_poi_catalog_free(c);
    vh_poi_catalog *csv = vh_poi_catalog_new();
    if (csv) (void)vh_poi_import_csv_mem(csv, (const char *)data, size, "fuzz.csv", &ip, &st);
    vh_poi_catalog_free(csv);
    vh_poi_catalog *loaded = NULL;
    if (vh_poi_catalog_load_mem((const char *)data, size, "fuzz.json", &loaded) == VH_OK) vh_poi_catalog_free(loaded);
    vh_poi_cf_model *m = NULL;
    if (vh_poi_cf_model_load_mem(data, size, "fuzz.vhcf", &m) == VH_OK) {
        size_t ni = vh_poi_cf_model_items(m);
        double *scores = malloc(ni * sizeof *scores);
        int items[2] = {0, (int)(ni - 1)};
        long long mins[2] = {0, 60};
        if (scores) (void)vh_poi_cf_score(m, items, mins, 2, NULL, scores);
        free(scores);
        vh_poi_cf_model_free(m);
    }
    vh_poi_rules *r2 = NULL;
    if (vh_poi_rules_parse((const char *)data, size, "fuzz", &r2) == VH_OK) {
        float fit[VH_POI_NCATEGORIES];
        (void)vh_poi_rules_fit(r2, VH_EMO_BORED, VH_AGE_SENIOR, VH_GENDER_FEMALE, fit);
        vh_poi_rules_free(r2);
    }
    if (size < 4096) {
        char *text = malloc(size + 1);
        if (text) {
            memcpy(text, data, size);
            text[size] = 0;
            vh_poi_hours h;
            if (vh_poi_hours_parse(text, &h) == VH_OK) {
                for (int d = 0; d < 7; d++) {
                    vh_poi_time t = {d, 0};
                    for (t.minute = 0; t.minute < 1440; t.minute += 97) (void)vh_poi_hours_open(&h, t);
                }
            }
            vh_poi_time t;
            (void)vh_poi_time_parse(text, &t);
            free(text);
        }
    }
    return 0;
}
