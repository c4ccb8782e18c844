/* libFuzzer harness for the other untrusted inputs of the poi module: the
 * first byte picks the parser — 0: CSV place import, 1: catalog file (JSON),
 * 2: co-visitation model file (binary) — and the rest is the file content.
 * Whatever loads is used once (suggest / score) and freed. */
#include "verhm/poi.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int which = data[0] % 3;
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    if (which == 0) {
        vh_poi_catalog *c = vh_poi_catalog_new();
        vh_poi_import_params ip = vh_poi_import_default_params();
        ip.skip_invalid = data[0] & 4;
        vh_poi_import_stats st;
        if (c && vh_poi_import_csv_mem(c, body, n, "fuzz.csv", &ip, &st) == VH_OK && vh_poi_catalog_count(c) > 0) {
            vh_poi_hours h;
            for (size_t i = 0; i < vh_poi_catalog_count(c); i++) (void)vh_poi_hours_parse(vh_poi_catalog_get(c, i)->hours, &h);
        }
        vh_poi_catalog_free(c);
    } else if (which == 1) {
        vh_poi_catalog *c = NULL;
        if (vh_poi_catalog_load_mem(body, n, "fuzz.json", &c) == VH_OK) {
            static const char rules_text[] = "* * * cafe:1,park:0.5\n";
            vh_poi_rules *r = NULL;
            if (vh_poi_rules_parse(rules_text, sizeof rules_text - 1, "fuzz", &r) == VH_OK) {
                vh_poi_state s = {VH_EMO_SAD, VH_AGE_ADULT, VH_GENDER_MALE};
                vh_poi_suggest_params p = vh_poi_suggest_default_params();
                vh_poi_suggestion *out = NULL;
                size_t k = 0;
                if (vh_poi_suggest(c, r, &s, &p, &out, &k) == VH_OK) vh_poi_suggestions_free(out, k);
                vh_poi_rules_free(r);
            }
            vh_poi_catalog_free(c);
        }
    } else {
        vh_poi_cf_model *m = NULL;
        if (vh_poi_cf_model_load_mem(body, n, "fuzz.vhcf", &m) == VH_OK) {
            size_t ni = vh_poi_cf_model_items(m);
            double *scores = malloc(ni * sizeof *scores);
            int items[2] = {0, (int)(ni - 1)};
            long long mins[2] = {0, 60};
            if (scores) (void)vh_poi_cf_score(m, items, mins, 2, NULL, scores);
            free(scores);
            vh_poi_cf_model_free(m);
        }
    }
    return 0;
}
