/* POI catalog: vocabulary (categories, emotions, age groups, genders), OSM tag
 * mapping and popularity proxy, GeoJSON and CSV import with centroids and
 * coordinate checks, and the JSON catalog file. */
#include "poi_internal.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------ */

int vh__poi_streq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

char *vh__poi_next_line(char *text, size_t len, size_t *pos) {
    if (*pos >= len) return NULL;
    char *s = text + *pos;
    char *nl = memchr(s, '\n', len - *pos);
    if (nl) {
        *nl = 0;
        *pos = (size_t)(nl - text) + 1;
    } else {
        *pos = len;
    }
    size_t l = strlen(s);
    if (l && s[l - 1] == '\r') s[l - 1] = 0;
    return s;
}

int vh__poi_csv_split(char *line, char **fields, int maxf) {
    int n = 0;
    char *r = line, *w = line;
    for (;;) {
        if (n >= maxf) return -1;
        fields[n++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (!*r) return -1;
                if (*r == '"') {
                    if (r[1] == '"') { *w++ = '"'; r += 2; continue; }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
            while (*r && *r != ',') r++; /* junk after a closing quote is dropped */
        } else {
            while (*r && *r != ',') *w++ = *r++;
        }
        if (*r == ',') { *w++ = 0; r++; continue; }
        *w = 0;
        if (w > line && w[-1] == '\r') w[-1] = 0;
        return n;
    }
}

/* ---- vocabulary ---------------------------------------------------------- */

static const char *const cat_names[VH_POI_NCATEGORIES] = {
    "museum", "gallery", "park", "amusement", "cafe", "restaurant", "bar",
    "mall", "shop", "historic", "viewpoint", "fitness", "cinema", "library"};

const char *vh_poi_category_name(int c) {
    return c >= 0 && c < VH_POI_NCATEGORIES ? cat_names[c] : "unknown";
}

int vh_poi_category_parse(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < VH_POI_NCATEGORIES; i++)
        if (vh__poi_streq(name, cat_names[i])) return i;
    return -1;
}

static const char *const emo_names[VH_EMO_COUNT] = {
    "Happy", "Worried", "Sad", "Excited", "Exhausted", "Frustrated", "Bored", "Neutral"};

int vh_poi_emotion_parse(const char *label) {
    static const struct { const char *s; int e; } fer[] = {
        {"neutral", VH_EMO_NEUTRAL}, {"happiness", VH_EMO_HAPPY}, {"surprise", VH_EMO_EXCITED},
        {"sadness", VH_EMO_SAD}, {"anger", VH_EMO_FRUSTRATED}, {"disgust", VH_EMO_FRUSTRATED},
        {"fear", VH_EMO_WORRIED}, {"contempt", VH_EMO_BORED}};
    if (!label) return -1;
    for (int i = 0; i < VH_EMO_COUNT; i++)
        if (vh__poi_streq(label, emo_names[i])) return i;
    for (size_t i = 0; i < VH_COUNTOF(fer); i++)
        if (vh__poi_streq(label, fer[i].s)) return fer[i].e;
    return -1;
}

const char *vh_poi_emotion_name(int e) { return e >= 0 && e < VH_EMO_COUNT ? emo_names[e] : "unknown"; }

static const char *const age_names[VH_AGE_COUNT] = {"Child", "Teen", "Adult", "Senior"};

int vh_poi_age_parse(const char *label) {
    if (!label) return -1;
    for (int i = 0; i < VH_AGE_COUNT; i++)
        if (vh__poi_streq(label, age_names[i])) return i;
    if (vh__poi_streq(label, "Old")) return VH_AGE_SENIOR;
    return -1;
}

const char *vh_poi_age_name(int a) { return a >= 0 && a < VH_AGE_COUNT ? age_names[a] : "unknown"; }

int vh_poi_gender_parse(const char *label) {
    if (!label) return -1;
    if (vh__poi_streq(label, "male") || vh__poi_streq(label, "m") || vh__poi_streq(label, "man"))
        return VH_GENDER_MALE;
    if (vh__poi_streq(label, "female") || vh__poi_streq(label, "f") || vh__poi_streq(label, "woman"))
        return VH_GENDER_FEMALE;
    if (vh__poi_streq(label, "unknown")) return VH_GENDER_UNKNOWN;
    return -1;
}

const char *vh_poi_gender_name(int g) {
    static const char *const n[VH_GENDER_COUNT] = {"Male", "Female", "Unknown"};
    return g >= 0 && g < VH_GENDER_COUNT ? n[g] : "unknown";
}

double vh_poi_haversine_m(double lat1, double lon1, double lat2, double lon2) {
    const double r = 6371008.8, d2r = 3.14159265358979323846 / 180.0;
    double p1 = lat1 * d2r, p2 = lat2 * d2r, dp = (lat2 - lat1) * d2r, dl = (lon2 - lon1) * d2r;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (a > 1) a = 1;
    return 2 * r * asin(sqrt(a));
}

/* ---- OSM tags ------------------------------------------------------------ */

/* In priority order: the first entry whose tag the feature has decides. */
static const struct { const char *key, *value; int cat; const char *desc; } tag_map[] = {
    {"tourism", "museum", VH_POI_MUSEUM, "tourism=museum"},
    {"tourism", "gallery", VH_POI_GALLERY, "tourism=gallery"},
    {"amenity", "arts_centre", VH_POI_GALLERY, "amenity=arts_centre"},
    {"tourism", "theme_park", VH_POI_AMUSEMENT, "tourism=theme_park"},
    {"tourism", "zoo", VH_POI_AMUSEMENT, "tourism=zoo"},
    {"tourism", "aquarium", VH_POI_AMUSEMENT, "tourism=aquarium"},
    {"tourism", "viewpoint", VH_POI_VIEWPOINT, "tourism=viewpoint"},
    {"tourism", "attraction", VH_POI_VIEWPOINT, "tourism=attraction"},
    {"tourism", "artwork", VH_POI_VIEWPOINT, "tourism=artwork"},
    {"tourism", "picnic_site", VH_POI_PARK, "tourism=picnic_site"},
    {"amenity", "cinema", VH_POI_CINEMA, "amenity=cinema"},
    {"amenity", "theatre", VH_POI_CINEMA, "amenity=theatre"},
    {"amenity", "concert_hall", VH_POI_CINEMA, "amenity=concert_hall"},
    {"amenity", "library", VH_POI_LIBRARY, "amenity=library"},
    {"amenity", "cafe", VH_POI_CAFE, "amenity=cafe"},
    {"amenity", "ice_cream", VH_POI_CAFE, "amenity=ice_cream"},
    {"shop", "tea", VH_POI_CAFE, "shop=tea"},
    {"shop", "coffee", VH_POI_CAFE, "shop=coffee"},
    {"amenity", "restaurant", VH_POI_RESTAURANT, "amenity=restaurant"},
    {"amenity", "fast_food", VH_POI_RESTAURANT, "amenity=fast_food"},
    {"amenity", "food_court", VH_POI_RESTAURANT, "amenity=food_court"},
    {"amenity", "biergarten", VH_POI_RESTAURANT, "amenity=biergarten"},
    {"amenity", "bar", VH_POI_BAR, "amenity=bar"},
    {"amenity", "pub", VH_POI_BAR, "amenity=pub"},
    {"amenity", "nightclub", VH_POI_BAR, "amenity=nightclub"},
    {"shop", "mall", VH_POI_MALL, "shop=mall"},
    {"shop", "department_store", VH_POI_MALL, "shop=department_store"},
    {"leisure", "park", VH_POI_PARK, "leisure=park"},
    {"leisure", "garden", VH_POI_PARK, "leisure=garden"},
    {"leisure", "nature_reserve", VH_POI_PARK, "leisure=nature_reserve"},
    {"leisure", "amusement_arcade", VH_POI_AMUSEMENT, "leisure=amusement_arcade"},
    {"leisure", "water_park", VH_POI_AMUSEMENT, "leisure=water_park"},
    {"leisure", "playground", VH_POI_AMUSEMENT, "leisure=playground"},
    {"leisure", "miniature_golf", VH_POI_AMUSEMENT, "leisure=miniature_golf"},
    {"leisure", "fitness_centre", VH_POI_FITNESS, "leisure=fitness_centre"},
    {"leisure", "sports_centre", VH_POI_FITNESS, "leisure=sports_centre"},
    {"leisure", "swimming_pool", VH_POI_FITNESS, "leisure=swimming_pool"},
    {"sport", "yoga", VH_POI_FITNESS, "sport=yoga"},
    {"natural", "peak", VH_POI_VIEWPOINT, "natural=peak"},
    {"natural", "beach", VH_POI_VIEWPOINT, "natural=beach"},
    {"historic", "*", VH_POI_HISTORIC, "historic=*"},
    {"shop", "clothes", VH_POI_SHOP, "shop=clothes"},
    {"shop", "shoes", VH_POI_SHOP, "shop=shoes"},
    {"shop", "jewelry", VH_POI_SHOP, "shop=jewelry"},
    {"shop", "books", VH_POI_SHOP, "shop=books"},
    {"shop", "gift", VH_POI_SHOP, "shop=gift"},
    {"shop", "boutique", VH_POI_SHOP, "shop=boutique"},
    {"shop", "fashion", VH_POI_SHOP, "shop=fashion"},
    {"shop", "art", VH_POI_GALLERY, "shop=art"},
    {"shop", "antiques", VH_POI_SHOP, "shop=antiques"},
    {"shop", "music", VH_POI_SHOP, "shop=music"},
    {"shop", "toys", VH_POI_SHOP, "shop=toys"},
    {"shop", "cosmetics", VH_POI_SHOP, "shop=cosmetics"},
    {"shop", "perfumery", VH_POI_SHOP, "shop=perfumery"},
    {"shop", "bag", VH_POI_SHOP, "shop=bag"},
    {"shop", "fashion_accessories", VH_POI_SHOP, "shop=fashion_accessories"},
    {"shop", "watches", VH_POI_SHOP, "shop=watches"},
};

static const char *tag_get(const char *const *k, const char *const *v, size_t n, const char *key) {
    for (size_t i = 0; i < n; i++)
        if (k[i] && v[i] && strcmp(k[i], key) == 0) return v[i];
    return NULL;
}

/* Index into tag_map of the deciding tag, or -1; *value gets the feature's value. */
static int tag_lookup(const char *const *keys, const char *const *values, size_t n, const char **value) {
    for (size_t t = 0; t < VH_COUNTOF(tag_map); t++) {
        const char *v = tag_get(keys, values, n, tag_map[t].key);
        if (!v) continue;
        int any = strcmp(tag_map[t].value, "*") == 0;
        if (!any && strcmp(v, tag_map[t].value) != 0) continue;
        if (any && (strcmp(v, "no") == 0 || !*v)) continue;
        *value = v;
        return (int)t;
    }
    return -1;
}

int vh_poi_category_from_tags(const char *const *keys, const char *const *values, size_t n,
                              const char **tag) {
    const char *v = NULL;
    int t = tag_lookup(keys, values, n, &v);
    if (tag) *tag = t >= 0 ? tag_map[t].desc : NULL;
    return t >= 0 ? tag_map[t].cat : -1;
}

double vh_poi_popularity_from_tags(const char *const *k, const char *const *v, size_t n) {
    double p = 0;
    if (tag_get(k, v, n, "wikipedia")) p += 0.3;
    if (tag_get(k, v, n, "wikidata")) p += 0.2;
    const char *t = tag_get(k, v, n, "tourism");
    if (t && strcmp(t, "attraction") == 0) p += 0.2;
    if (tag_get(k, v, n, "heritage")) p += 0.1;
    if (tag_get(k, v, n, "website") || tag_get(k, v, n, "contact:website")) p += 0.1;
    if (tag_get(k, v, n, "opening_hours")) p += 0.05;
    if (tag_get(k, v, n, "name")) p += 0.05;
    return p > 1 ? 1 : p;
}

/* ---- catalog -------------------------------------------------------------- */

struct vh_poi_catalog {
    vh_poi *items;
    size_t n, cap;
    vh__err err;
};

#define VH_POI_MAX_PLACES ((size_t)50000000)

vh_poi_catalog *vh_poi_catalog_new(void) { return calloc(1, sizeof(vh_poi_catalog)); }

static void poi_clear(vh_poi *p) {
    free(p->id);
    free(p->name);
    free(p->hours);
    free(p->tag);
}

static void catalog_truncate(vh_poi_catalog *c, size_t n) {
    while (c->n > n) poi_clear(&c->items[--c->n]);
}

void vh_poi_catalog_free(vh_poi_catalog *c) {
    if (!c) return;
    catalog_truncate(c, 0);
    free(c->items);
    free(c);
}

size_t vh_poi_catalog_count(const vh_poi_catalog *c) { return c ? c->n : 0; }

const vh_poi *vh_poi_catalog_get(const vh_poi_catalog *c, size_t i) {
    return c && i < c->n ? &c->items[i] : NULL;
}

static int coords_ok(double lat, double lon) {
    return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180;
}

int vh_poi_catalog_add(vh_poi_catalog *c, const vh_poi *p) {
    if (!c || !p) return vh__fail(NULL, VH_EINVAL, "vh_poi_catalog_add: NULL argument");
    if (!coords_ok(p->lat, p->lon))
        return vh__fail(&c->err, VH_ERANGE, "place '%s': coordinates out of range (lat %g, lon %g)",
                        p->name ? p->name : "", p->lat, p->lon);
    if (p->category < 0 || p->category >= VH_POI_NCATEGORIES)
        return vh__fail(&c->err, VH_EINVAL, "place '%s': unknown category %d", p->name ? p->name : "", p->category);
    if (c->n >= VH_POI_MAX_PLACES)
        return vh__fail(&c->err, VH_ERANGE, "catalog: more than %zu places", VH_POI_MAX_PLACES);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64, bytes;
        if (vh__mul_size(cap, sizeof(vh_poi), &bytes)) return vh__fail(&c->err, VH_ENOMEM, "catalog: too large");
        vh_poi *ni = realloc(c->items, bytes);
        if (!ni) return vh__fail(&c->err, VH_ENOMEM, "catalog: out of memory");
        c->items = ni;
        c->cap = cap;
    }
    vh_poi q = *p;
    q.id = vh__strdup(p->id ? p->id : "");
    q.name = vh__strdup(p->name ? p->name : "");
    q.hours = vh__strdup(p->hours ? p->hours : "");
    q.tag = vh__strdup(p->tag ? p->tag : "");
    if (!q.id || !q.name || !q.hours || !q.tag) {
        poi_clear(&q);
        return vh__fail(&c->err, VH_ENOMEM, "catalog: out of memory");
    }
    if (!(q.popularity >= 0)) q.popularity = 0;
    if (q.popularity > 1) q.popularity = 1;
    c->items[c->n++] = q;
    return VH_OK;
}

vh_poi_import_params vh_poi_import_default_params(void) {
    vh_poi_import_params p = {0};
    return p;
}

/* ---- GeoJSON ----------------------------------------------------------- */

/* Accumulates a centroid: area-weighted for rings, vertex mean otherwise. */
typedef struct centroid_acc {
    double ax, ay, area;      /* area-weighted sums */
    double sx, sy;            /* vertex sums */
    size_t nv;
    int bad;                  /* 1 malformed, 2 out of range */
    double bad_lat, bad_lon;
} centroid_acc;

static int read_pos(const vh_json *p, centroid_acc *acc, double *lon, double *lat) {
    if (!p || p->type != VH_JSON_ARRAY || p->count < 2 || p->items[0].type != VH_JSON_NUMBER ||
        p->items[1].type != VH_JSON_NUMBER) {
        acc->bad = 1;
        return -1;
    }
    *lon = p->items[0].number;
    *lat = p->items[1].number;
    if (!coords_ok(*lat, *lon)) {
        acc->bad = 2;
        acc->bad_lat = *lat;
        acc->bad_lon = *lon;
        return -1;
    }
    return 0;
}

static void add_points(const vh_json *arr, centroid_acc *acc) {
    if (!arr || arr->type != VH_JSON_ARRAY) { acc->bad = 1; return; }
    for (size_t i = 0; i < arr->count && !acc->bad; i++) {
        double x, y;
        if (read_pos(&arr->items[i], acc, &x, &y)) return;
        acc->sx += x;
        acc->sy += y;
        acc->nv++;
    }
}

static void add_ring(const vh_json *ring, centroid_acc *acc) {
    if (!ring || ring->type != VH_JSON_ARRAY || ring->count == 0) { acc->bad = 1; return; }
    double x0 = 0, y0 = 0, px = 0, py = 0, a = 0, cx = 0, cy = 0;
    for (size_t i = 0; i < ring->count; i++) {
        double x, y;
        if (read_pos(&ring->items[i], acc, &x, &y)) return;
        acc->sx += x;
        acc->sy += y;
        acc->nv++;
        if (i == 0) { x0 = x; y0 = y; px = 0; py = 0; continue; }
        double qx = x - x0, qy = y - y0, cr = px * qy - qx * py;
        a += cr;
        cx += (px + qx) * cr;
        cy += (py + qy) * cr;
        px = qx;
        py = qy;
    }
    a *= 0.5;
    if (fabs(a) > 1e-18) {
        /* Centroid of this ring relative to its first vertex. */
        double gx = x0 + cx / (6 * a), gy = y0 + cy / (6 * a), w = fabs(a);
        acc->ax += gx * w;
        acc->ay += gy * w;
        acc->area += w;
    }
}

static void add_geometry(const vh_json *g, centroid_acc *acc, int depth) {
    const char *type = vh_json_get_string(g, "type", NULL);
    const vh_json *co = vh_json_get(g, "coordinates");
    if (!type) { acc->bad = 1; return; }
    if (strcmp(type, "GeometryCollection") == 0) {
        const vh_json *gs = vh_json_get(g, "geometries");
        if (!gs || gs->type != VH_JSON_ARRAY || gs->count == 0 || depth > 4) { acc->bad = 1; return; }
        for (size_t i = 0; i < gs->count && !acc->bad; i++) add_geometry(&gs->items[i], acc, depth + 1);
        return;
    }
    if (!co || co->type != VH_JSON_ARRAY) { acc->bad = 1; return; }
    if (strcmp(type, "Point") == 0) {
        double x, y;
        if (read_pos(co, acc, &x, &y)) return;
        acc->sx += x;
        acc->sy += y;
        acc->nv++;
    } else if (strcmp(type, "MultiPoint") == 0 || strcmp(type, "LineString") == 0) {
        add_points(co, acc);
    } else if (strcmp(type, "MultiLineString") == 0) {
        for (size_t i = 0; i < co->count && !acc->bad; i++) add_points(&co->items[i], acc);
    } else if (strcmp(type, "Polygon") == 0) {
        if (co->count == 0) { acc->bad = 1; return; }
        add_ring(&co->items[0], acc); /* outer ring; holes are ignored */
    } else if (strcmp(type, "MultiPolygon") == 0) {
        for (size_t i = 0; i < co->count && !acc->bad; i++) {
            const vh_json *poly = &co->items[i];
            if (poly->type != VH_JSON_ARRAY || poly->count == 0) { acc->bad = 1; return; }
            add_ring(&poly->items[0], acc);
        }
    } else {
        acc->bad = 1;
    }
}

/* Tags of a feature as key/value pointers (numbers become "" unless string). */
#define VH_POI_MAX_TAGS 512

static void feature_label(const vh_json *props, char *buf, size_t n) {
    const char *t = vh_json_get_string(props, "@type", NULL);
    const vh_json *id = vh_json_get(props, "@id");
    if (t && id && id->type == VH_JSON_NUMBER)
        snprintf(buf, n, "%s/%.0f", t, id->number);
    else if (id && id->type == VH_JSON_STRING)
        snprintf(buf, n, "%s", id->string);
    else
        buf[0] = 0;
}

int vh_poi_import_geojson_mem(vh_poi_catalog *c, const char *text, size_t len, const char *name,
                              const vh_poi_import_params *params, vh_poi_import_stats *stats) {
    if (!c || !text) return vh__fail(NULL, VH_EINVAL, "vh_poi_import_geojson_mem: NULL argument");
    if (!name) name = "(geojson)";
    vh_poi_import_params dp = vh_poi_import_default_params();
    if (!params) params = &dp;
    vh_poi_import_stats st = {0};
    vh_json *root = NULL;
    int rc = vh_json_parse(text, len, &root);
    if (rc) return vh__fail(&c->err, rc, "%s: not valid JSON: %s", name, vh_last_error());
    const vh_json *feats = NULL, *single = NULL;
    const char *rtype = vh_json_get_string(root, "type", NULL);
    if (rtype && strcmp(rtype, "FeatureCollection") == 0) {
        feats = vh_json_get(root, "features");
        if (!feats || feats->type != VH_JSON_ARRAY) {
            vh_json_free(root);
            return vh__fail(&c->err, VH_EFORMAT, "%s: FeatureCollection without a \"features\" array", name);
        }
    } else if (rtype && strcmp(rtype, "Feature") == 0) {
        single = root;
    } else {
        vh_json_free(root);
        return vh__fail(&c->err, VH_EFORMAT, "%s: not a GeoJSON FeatureCollection or Feature", name);
    }
    size_t nf = single ? 1 : feats->count, n0 = c->n;
    const char *keys[VH_POI_MAX_TAGS], *vals[VH_POI_MAX_TAGS];
    rc = VH_OK;
    for (size_t i = 0; i < nf && rc == VH_OK; i++) {
        const vh_json *f = single ? single : &feats->items[i];
        st.features++;
        if (f->type != VH_JSON_OBJECT) {
            rc = vh__fail(&c->err, VH_EFORMAT, "%s: feature %zu is not an object", name, i);
            break;
        }
        const vh_json *props = vh_json_get(f, "properties");
        size_t nt = 0;
        if (props && props->type == VH_JSON_OBJECT)
            for (size_t k = 0; k < props->count && nt < VH_POI_MAX_TAGS; k++)
                if (props->items[k].type == VH_JSON_STRING) {
                    keys[nt] = props->keys[k];
                    vals[nt++] = props->items[k].string;
                }
        char label[96];
        feature_label(props, label, sizeof label);
        const vh_json *geom = vh_json_get(f, "geometry");
        centroid_acc acc = {0};
        if (!geom || geom->type != VH_JSON_OBJECT) acc.bad = 1;
        else add_geometry(geom, &acc, 0);
        if (!acc.bad && acc.nv == 0) acc.bad = 1;
        if (acc.bad) {
            if (params->skip_invalid) { st.invalid++; continue; }
            if (acc.bad == 2)
                rc = vh__fail(&c->err, VH_ERANGE, "%s: feature %zu%s%s: coordinates out of range (lon %g, lat %g)",
                              name, i, *label ? " " : "", label, acc.bad_lon, acc.bad_lat);
            else
                rc = vh__fail(&c->err, VH_EFORMAT, "%s: feature %zu%s%s: missing or malformed geometry/coordinates",
                              name, i, *label ? " " : "", label);
            break;
        }
        const char *tv = NULL;
        int t = tag_lookup(keys, vals, nt, &tv);
        if (t < 0) { st.uncategorised++; continue; }
        char tag[160];
        snprintf(tag, sizeof tag, "%s=%.100s", tag_map[t].key, tv);
        int cat = tag_map[t].cat;
        vh_poi p = {0};
        p.lon = acc.area > 0 ? acc.ax / acc.area : acc.sx / (double)acc.nv;
        p.lat = acc.area > 0 ? acc.ay / acc.area : acc.sy / (double)acc.nv;
        p.id = label;
        p.name = (char *)vh_json_get_string(props, "name", NULL);
        if (!p.name) p.name = (char *)vh_json_get_string(props, "name:en", "");
        p.hours = (char *)vh_json_get_string(props, "opening_hours", "");
        p.tag = tag;
        p.category = cat;
        p.popularity = (float)vh_poi_popularity_from_tags(keys, vals, nt);
        rc = vh_poi_catalog_add(c, &p);
        if (rc == VH_OK) st.imported++;
        else rc = vh__fail(&c->err, rc, "%s: feature %zu: %s", name, i, vh_last_error());
    }
    vh_json_free(root);
    if (rc) {
        catalog_truncate(c, n0);
        return rc;
    }
    if (stats) *stats = st;
    return VH_OK;
}

int vh_poi_import_geojson(vh_poi_catalog *c, const char *path,
                          const vh_poi_import_params *params, vh_poi_import_stats *stats) {
    char *data = NULL;
    size_t size = 0;
    int rc = vh_file_read_all(path, (size_t)512 << 20, &data, &size);
    if (rc) return vh__fail(c ? &c->err : NULL, rc, "%s: cannot read: %s", path, vh_strerror(rc));
    rc = vh_poi_import_geojson_mem(c, data, size, path, params, stats);
    vh_free(data);
    return rc;
}

/* ---- CSV ------------------------------------------------------------------ */

static int parse_num(const char *s, double *out) {
    char *end;
    if (!s || !*s) return -1;
    double v = strtod(s, &end);
    while (*end == ' ') end++;
    if (end == s || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* Imports CSV from a writable NUL-terminated buffer (modified in place; freed by the caller). */
static int import_csv_buf(vh_poi_catalog *c, char *data, size_t size, const char *path,
                          const vh_poi_import_params *params, vh_poi_import_stats *stats) {
    vh_poi_import_params dp = vh_poi_import_default_params();
    if (!params) params = &dp;
    size_t pos = 0;
    int rc = VH_OK;
    enum { MAXF = 64 };
    char *f[MAXF];
    int col_lat = -1, col_lon = -1, col_name = -1, col_id = -1, col_cat = -1, col_hours = -1, col_pop = -1;
    char *line = vh__poi_next_line(data, size, &pos);
    int nh = line ? vh__poi_csv_split(line, f, MAXF) : -1;
    for (int i = 0; i < nh; i++) {
        if (vh__poi_streq(f[i], "lat") || vh__poi_streq(f[i], "latitude")) col_lat = i;
        else if (vh__poi_streq(f[i], "lon") || vh__poi_streq(f[i], "lng") || vh__poi_streq(f[i], "longitude")) col_lon = i;
        else if (vh__poi_streq(f[i], "name")) col_name = i;
        else if (vh__poi_streq(f[i], "id") || vh__poi_streq(f[i], "poi")) col_id = i;
        else if (vh__poi_streq(f[i], "category")) col_cat = i;
        else if (vh__poi_streq(f[i], "opening_hours")) col_hours = i;
        else if (vh__poi_streq(f[i], "popularity")) col_pop = i;
    }
    if (col_lat < 0 || col_lon < 0) {
        return vh__fail(&c->err, VH_EFORMAT, "%s:1: CSV header needs 'lat' and 'lon' columns", path);
    }
    vh_poi_import_stats st = {0};
    size_t n0 = c->n, lineno = 1;
    while ((line = vh__poi_next_line(data, size, &pos)) != NULL && rc == VH_OK) {
        lineno++;
        if (!*line) continue;
        st.features++;
        int nf = vh__poi_csv_split(line, f, MAXF);
        if (nf < 0) { rc = vh__fail(&c->err, VH_EFORMAT, "%s:%zu: malformed CSV row (quote or field count)", path, lineno); break; }
        double lat, lon, pop = 0;
        int ok = col_lat < nf && col_lon < nf && parse_num(f[col_lat], &lat) == 0 && parse_num(f[col_lon], &lon) == 0;
        if (ok && !coords_ok(lat, lon)) ok = -1;
        if (ok != 1) {
            if (params->skip_invalid) { st.invalid++; continue; }
            rc = ok == 0 ? vh__fail(&c->err, VH_EFORMAT, "%s:%zu: missing or non-numeric lat/lon", path, lineno)
                         : vh__fail(&c->err, VH_ERANGE, "%s:%zu: coordinates out of range (lat %g, lon %g)", path, lineno, lat, lon);
            break;
        }
        const char *catv = col_cat >= 0 && col_cat < nf ? f[col_cat] : "";
        const char *tag = NULL;
        int cat = vh_poi_category_parse(catv);
        if (cat < 0 && strchr(catv, '=')) {
            char kbuf[128];
            const char *eq = strchr(catv, '=');
            size_t kl = (size_t)(eq - catv);
            if (kl < sizeof kbuf) {
                memcpy(kbuf, catv, kl);
                kbuf[kl] = 0;
                const char *k1[1] = {kbuf}, *v1[1] = {eq + 1};
                cat = vh_poi_category_from_tags(k1, v1, 1, &tag);
            }
        }
        if (cat < 0) { st.uncategorised++; continue; }
        if (col_pop >= 0 && col_pop < nf && *f[col_pop]) {
            if (parse_num(f[col_pop], &pop) || pop < 0 || pop > 1) {
                rc = vh__fail(&c->err, VH_EFORMAT, "%s:%zu: popularity must be a number in [0,1]", path, lineno);
                break;
            }
        }
        vh_poi p = {0};
        p.lat = lat;
        p.lon = lon;
        p.category = cat;
        p.popularity = (float)pop;
        p.name = col_name >= 0 && col_name < nf ? f[col_name] : "";
        p.id = col_id >= 0 && col_id < nf ? f[col_id] : "";
        p.hours = col_hours >= 0 && col_hours < nf ? f[col_hours] : "";
        p.tag = (char *)(tag ? tag : catv);
        rc = vh_poi_catalog_add(c, &p);
        if (rc) rc = vh__fail(&c->err, rc, "%s:%zu: %s", path, lineno, vh_last_error());
        else st.imported++;
    }
    if (rc) {
        catalog_truncate(c, n0);
        return rc;
    }
    if (stats) *stats = st;
    return VH_OK;
}

int vh_poi_import_csv_mem(vh_poi_catalog *c, const char *text, size_t len, const char *name,
                          const vh_poi_import_params *params, vh_poi_import_stats *stats) {
    if (!c || !text) return vh__fail(NULL, VH_EINVAL, "vh_poi_import_csv_mem: NULL argument");
    if (!name) name = "(csv)";
    char *data = malloc(len + 1);
    if (!data) return vh__fail(&c->err, VH_ENOMEM, "%s: out of memory", name);
    memcpy(data, text, len);
    data[len] = 0;
    int rc = import_csv_buf(c, data, len, name, params, stats);
    free(data);
    return rc;
}

int vh_poi_import_csv(vh_poi_catalog *c, const char *path,
                      const vh_poi_import_params *params, vh_poi_import_stats *stats) {
    if (!c || !path) return vh__fail(NULL, VH_EINVAL, "vh_poi_import_csv: NULL argument");
    char *data = NULL;
    size_t size = 0;
    int rc = vh_file_read_all(path, (size_t)512 << 20, &data, &size);
    if (rc) return vh__fail(&c->err, rc, "%s: cannot read: %s", path, vh_strerror(rc));
    rc = import_csv_buf(c, data, size, path, params, stats);
    vh_free(data);
    return rc;
}

int vh_poi_import_file(vh_poi_catalog *c, const char *path,
                       const vh_poi_import_params *params, vh_poi_import_stats *stats) {
    if (!path) return vh__fail(NULL, VH_EINVAL, "vh_poi_import_file: NULL path");
    if (strcmp(vh_path_ext(path), "csv") == 0) return vh_poi_import_csv(c, path, params, stats);
    return vh_poi_import_geojson(c, path, params, stats);
}

/* ---- catalog file ----------------------------------------------------------- */

#define VH_POI_CATALOG_FORMAT "verhm-poi-catalog"

int vh_poi_catalog_save(const vh_poi_catalog *c, const char *path) {
    if (!c || !path) return vh__fail(NULL, VH_EINVAL, "vh_poi_catalog_save: NULL argument");
    vh_buf b = {0};
    vh_json_writer w;
    vh_jw_init(&w, &b, 0);
    vh_jw_object_begin(&w);
    vh_jw_key(&w, "format");
    vh_jw_string(&w, VH_POI_CATALOG_FORMAT);
    vh_jw_key(&w, "version");
    vh_jw_int(&w, 1);
    vh_jw_key(&w, "places");
    vh_jw_array_begin(&w);
    for (size_t i = 0; i < c->n; i++) {
        const vh_poi *p = &c->items[i];
        vh_buf_puts(&b, i ? ",\n" : "\n");
        w.first[w.depth] = 1; /* we wrote the separator ourselves */
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "id"); vh_jw_string(&w, p->id);
        vh_jw_key(&w, "name"); vh_jw_string(&w, p->name);
        vh_jw_key(&w, "category"); vh_jw_string(&w, vh_poi_category_name(p->category));
        vh_jw_key(&w, "tag"); vh_jw_string(&w, p->tag);
        vh_jw_key(&w, "lat"); vh_jw_number(&w, p->lat);
        vh_jw_key(&w, "lon"); vh_jw_number(&w, p->lon);
        vh_jw_key(&w, "opening_hours"); vh_jw_string(&w, p->hours);
        vh_jw_key(&w, "popularity"); vh_jw_number(&w, p->popularity);
        vh_jw_object_end(&w);
    }
    vh_jw_array_end(&w);
    vh_jw_object_end(&w);
    vh_buf_puts(&b, "\n");
    if (b.failed) {
        vh_buf_free(&b);
        return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    }
    vh_atomic_file af = {0};
    int rc = vh_atomic_open(&af, path, 1);
    if (rc) {
        vh_buf_free(&b);
        return vh__fail(NULL, rc, "%s: cannot create: %s", path, vh_strerror(rc));
    }
    if (fwrite(b.data, 1, b.len, af.fp) != b.len) {
        vh_atomic_abort(&af);
        vh_buf_free(&b);
        return vh__fail(NULL, VH_EIO, "%s: write failed", path);
    }
    vh_buf_free(&b);
    rc = vh_atomic_commit(&af);
    if (rc) return vh__fail(NULL, rc, "%s: cannot write: %s", path, vh_strerror(rc));
    return VH_OK;
}

int vh_poi_catalog_load(const char *path, vh_poi_catalog **out) {
    if (!path || !out) return vh__fail(NULL, VH_EINVAL, "vh_poi_catalog_load: NULL argument");
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    int rc = vh_file_read_all(path, (size_t)1 << 30, &data, &size);
    if (rc) return vh__fail(NULL, rc, "%s: cannot read catalog: %s", path, vh_strerror(rc));
    rc = vh_poi_catalog_load_mem(data, size, path, out);
    vh_free(data);
    return rc;
}

int vh_poi_catalog_load_mem(const char *data, size_t size, const char *path, vh_poi_catalog **out) {
    if (!data || !out) return vh__fail(NULL, VH_EINVAL, "vh_poi_catalog_load_mem: NULL argument");
    if (!path) path = "(catalog)";
    *out = NULL;
    vh_json *root = NULL;
    int rc = vh_json_parse(data, size, &root);
    if (rc) return vh__fail(NULL, VH_EFORMAT, "%s: not a verhm catalog (JSON: %s)", path, vh_last_error());
    const char *fmt = vh_json_get_string(root, "format", "");
    double ver = vh_json_get_number(root, "version", -1);
    const vh_json *places = vh_json_get(root, "places");
    if (strcmp(fmt, VH_POI_CATALOG_FORMAT) != 0 || !places || places->type != VH_JSON_ARRAY) {
        vh_json_free(root);
        return vh__fail(NULL, VH_EFORMAT, "%s: not a verhm catalog (format \"%s\")", path, VH_POI_CATALOG_FORMAT);
    }
    if (ver != 1) {
        vh_json_free(root);
        return vh__fail(NULL, VH_EFORMAT, "%s: unsupported catalog version %g (expected 1)", path, ver);
    }
    vh_poi_catalog *c = vh_poi_catalog_new();
    if (!c) {
        vh_json_free(root);
        return vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < places->count && rc == VH_OK; i++) {
        const vh_json *e = &places->items[i];
        vh_poi p = {0};
        const vh_json *la = vh_json_get(e, "lat"), *lo = vh_json_get(e, "lon");
        p.category = vh_poi_category_parse(vh_json_get_string(e, "category", ""));
        if (!la || !lo || la->type != VH_JSON_NUMBER || lo->type != VH_JSON_NUMBER || p.category < 0) {
            rc = vh__fail(NULL, VH_EFORMAT, "%s: place %zu: missing lat/lon or unknown category", path, i);
            break;
        }
        p.lat = la->number;
        p.lon = lo->number;
        p.id = (char *)vh_json_get_string(e, "id", "");
        p.name = (char *)vh_json_get_string(e, "name", "");
        p.hours = (char *)vh_json_get_string(e, "opening_hours", "");
        p.tag = (char *)vh_json_get_string(e, "tag", "");
        p.popularity = (float)vh_json_get_number(e, "popularity", 0);
        rc = vh_poi_catalog_add(c, &p);
        if (rc) rc = vh__fail(NULL, rc, "%s: place %zu: %s", path, i, vh_last_error());
    }
    vh_json_free(root);
    if (rc == VH_OK && c->n == 0) rc = vh__fail(NULL, VH_EEMPTY, "%s: the catalog holds no places", path);
    if (rc) {
        vh_poi_catalog_free(c);
        return rc;
    }
    *out = c;
    return VH_OK;
}

int vh_poi_catalog_open(const char *path, vh_poi_catalog **out) {
    if (!path || !out) return vh__fail(NULL, VH_EINVAL, "vh_poi_catalog_open: NULL argument");
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    int rc = vh_file_read_all(path, (size_t)1 << 30, &data, &size);
    if (rc) return vh__fail(NULL, rc, "%s: cannot read: %s", path, vh_strerror(rc));
    int is_catalog = 0;
    if (strcmp(vh_path_ext(path), "csv") != 0) {
        /* A catalog file is JSON with a "format" member; anything else is GeoJSON. */
        vh_json *root = NULL;
        if (vh_json_parse(data, size, &root) == VH_OK) is_catalog = vh_json_get(root, "format") != NULL;
        vh_json_free(root);
        if (is_catalog) {
            rc = vh_poi_catalog_load_mem(data, size, path, out);
            vh_free(data);
            return rc;
        }
    }
    vh_poi_catalog *c = vh_poi_catalog_new();
    vh_poi_import_stats st = {0};
    if (!c) rc = vh__fail(NULL, VH_ENOMEM, "%s: out of memory", path);
    else if (strcmp(vh_path_ext(path), "csv") == 0) rc = import_csv_buf(c, data, size, path, NULL, &st);
    else rc = vh_poi_import_geojson_mem(c, data, size, path, NULL, &st);
    vh_free(data);
    if (rc == VH_OK && c->n == 0)
        rc = vh__fail(NULL, VH_EEMPTY, "%s: empty catalog: none of %zu features is a place with a known category", path, st.features);
    if (rc) {
        vh_poi_catalog_free(c);
        return rc;
    }
    *out = c;
    return VH_OK;
}
