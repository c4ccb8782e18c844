/*
 * verhm/poi.h — emotion-aware place (POI) recommendations.
 *
 * Three parts:
 *
 *  1. Catalog (vh_poi_catalog): places with a category, a position, opening
 *     hours and a popularity proxy, imported from OpenStreetMap GeoJSON (as
 *     written by `osmium export`) or CSV, saved to / loaded from a catalog file
 *     (JSON with a format tag and version, written atomically).
 *  2. Ranking (vh_poi_suggest): for an emotional state (emotion, age group,
 *     gender) and a position, scores every place by category fit (from an
 *     editable rule table, vh_poi_rules), distance decay, open-now and
 *     popularity, then picks a diverse top-n with maximal marginal relevance.
 *     Every suggestion carries a one-line explanation.
 *  3. Learning from behaviour (vh_poi_cf_*): implicit-feedback recommenders on
 *     check-ins (user, place, minute): item-item co-visitation with time decay,
 *     BPR matrix factorisation, and the popularity / distance baselines, with a
 *     leave-last-out evaluation (HR@10, NDCG@10).
 *
 * Errors: functions return VH_OK or a negative VH_E* status; the message
 * (naming the file and the problem) is readable with vh_last_error().
 * Ownership: handles are freed with their _free function (NULL is a no-op);
 * strings inside results belong to the result array, freed with
 * vh_poi_suggestions_free.
 */
#ifndef VERHM_POI_H
#define VERHM_POI_H

#include "verhm/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- vocabulary -------------------------------------------------------- */

/* Place categories. OSM tags map onto them (see vh_poi_category_from_tags and
 * docs/poi.md); features with no matching tag are not imported. */
typedef enum vh_poi_category {
    VH_POI_MUSEUM = 0,   /* tourism=museum */
    VH_POI_GALLERY,      /* tourism=gallery, amenity=arts_centre, shop=art */
    VH_POI_PARK,         /* leisure=park|garden|nature_reserve, tourism=picnic_site */
    VH_POI_AMUSEMENT,    /* tourism=theme_park|zoo|aquarium, leisure=amusement_arcade|water_park|playground|miniature_golf */
    VH_POI_CAFE,         /* amenity=cafe|ice_cream, shop=tea|coffee */
    VH_POI_RESTAURANT,   /* amenity=restaurant|fast_food|food_court|biergarten */
    VH_POI_BAR,          /* amenity=bar|pub|nightclub */
    VH_POI_MALL,         /* shop=mall|department_store */
    VH_POI_SHOP,         /* boutiques: shop=clothes|shoes|jewelry|books|gift|boutique|... */
    VH_POI_HISTORIC,     /* historic=* (monument, memorial, castle, ruins, ...) */
    VH_POI_VIEWPOINT,    /* tourism=viewpoint|attraction|artwork, natural=peak|beach */
    VH_POI_FITNESS,      /* leisure=fitness_centre|sports_centre|swimming_pool, sport=yoga */
    VH_POI_CINEMA,       /* amenity=cinema|theatre|concert_hall */
    VH_POI_LIBRARY,      /* amenity=library */
    VH_POI_NCATEGORIES
} vh_poi_category;

/* Short lower-case name of a category ("museum", "cafe", ...), or "unknown". */
const char *vh_poi_category_name(int category);
/* Category from its short name (case-insensitive); -1 when unknown. */
int vh_poi_category_parse(const char *name);

/* Canonical emotions: the EmoPOI labels of the original prototype. */
typedef enum vh_poi_emotion {
    VH_EMO_HAPPY = 0, VH_EMO_WORRIED, VH_EMO_SAD, VH_EMO_EXCITED, VH_EMO_EXHAUSTED,
    VH_EMO_FRUSTRATED, VH_EMO_BORED, VH_EMO_NEUTRAL, VH_EMO_COUNT
} vh_poi_emotion;

/* Parses an emotion label, case-insensitive: the EmoPOI labels (Happy,
 * Worried, Sad, Excited, Exhausted, Frustrated, Bored, Neutral) or the FER+
 * labels, mapped as neutral→Neutral, happiness→Happy, surprise→Excited,
 * sadness→Sad, anger→Frustrated, disgust→Frustrated, fear→Worried,
 * contempt→Bored. Returns the vh_poi_emotion or -1 when unknown. */
int vh_poi_emotion_parse(const char *label);
/* Display name of a canonical emotion ("Happy", ...), or "unknown". */
const char *vh_poi_emotion_name(int emotion);

typedef enum vh_poi_age { VH_AGE_CHILD = 0, VH_AGE_TEEN, VH_AGE_ADULT, VH_AGE_SENIOR, VH_AGE_COUNT } vh_poi_age;
/* "Child", "Teen", "Adult", "Senior" (also the prototype's "Old" = Senior),
 * case-insensitive; -1 when unknown. */
int vh_poi_age_parse(const char *label);
const char *vh_poi_age_name(int age);

typedef enum vh_poi_gender { VH_GENDER_MALE = 0, VH_GENDER_FEMALE, VH_GENDER_UNKNOWN, VH_GENDER_COUNT } vh_poi_gender;
/* "male"/"m"/"man", "female"/"f"/"woman", "unknown" (case-insensitive); -1 otherwise. */
int vh_poi_gender_parse(const char *label);
const char *vh_poi_gender_name(int gender);

/* ---- geometry and time ------------------------------------------------- */

/* Great-circle distance in metres between two WGS84 points (degrees), on a
 * sphere of radius 6,371,008.8 m (haversine formula). */
double vh_poi_haversine_m(double lat1, double lon1, double lat2, double lon2);

/* A local wall-clock moment: weekday 0 = Monday … 6 = Sunday and minute of the
 * day 0…1439. weekday < 0 means "unknown" (open-now is then not scored). */
typedef struct vh_poi_time { int weekday, minute; } vh_poi_time;

/* Parses "YYYY-MM-DDTHH:MM[:SS]" (a space instead of T is fine; any trailing
 * zone designator is ignored: the time is taken as local time at the place).
 * Returns VH_OK or VH_EINVAL. */
int vh_poi_time_parse(const char *iso, vh_poi_time *out);

/* Parsed OSM opening_hours: per weekday, up to 8 spans [start, end) in minutes
 * from that day's midnight; end may exceed 1440 for spans running past
 * midnight ("Fr-Sa 18:00-02:00" gives Fr 1080-1560). */
#define VH_POI_HOURS_MAX_SPANS 8
typedef struct vh_poi_hours {
    int always;                                   /* "24/7" */
    int nspans[7];
    short start[7][VH_POI_HOURS_MAX_SPANS], end[7][VH_POI_HOURS_MAX_SPANS];
} vh_poi_hours;

/* Parses the common opening_hours forms: "24/7"; rules separated by ';' (or
 * by ',' before a new weekday selector); weekday selectors (Mo..Su, ranges such
 * as "Fr-Mo", comma lists); time spans "HH:MM-HH:MM" (also "H:MM", "HH.MM",
 * 24:00 and spans past midnight) separated by ','; "off"/"closed". A later
 * rule replaces earlier ones for the days it names (OSM semantics); a rule
 * without weekdays applies to every day. Rules for public holidays ("PH off",
 * "PH 10:00-14:00") are ignored. Anything else (months, weeks, sunrise, ...)
 * gives VH_EUNSUPPORTED; syntax errors give VH_EFORMAT. */
int vh_poi_hours_parse(const char *text, vh_poi_hours *out);

/* 1 when open at time t, 0 when closed (t.weekday must be 0..6). */
int vh_poi_hours_open(const vh_poi_hours *h, vh_poi_time t);

/* ---- catalog ------------------------------------------------------------ */

/* One place. Strings are owned by the catalog. */
typedef struct vh_poi {
    char *id;            /* "node/123", "way/45", or the CSV id column */
    char *name;          /* may be "" when the source has no name */
    char *hours;         /* opening_hours text, "" when unknown */
    double lat, lon;     /* WGS84 degrees; polygons → area-weighted centroid */
    int category;        /* vh_poi_category */
    char *tag;           /* the OSM tag that chose the category ("amenity=cafe") */
    float popularity;    /* 0..1 proxy: see vh_poi_popularity_from_tags */
} vh_poi;

typedef struct vh_poi_catalog vh_poi_catalog;

/* Import options. */
typedef struct vh_poi_import_params {
    int skip_invalid;   /* non-zero: skip features without usable geometry or with
                           out-of-range coordinates (counted) instead of failing */
} vh_poi_import_params;
vh_poi_import_params vh_poi_import_default_params(void);

/* Counters filled by the import functions (pass NULL when not needed). */
typedef struct vh_poi_import_stats {
    size_t features;       /* features / rows read */
    size_t imported;       /* places added */
    size_t uncategorised;  /* skipped: no tag maps to a category */
    size_t invalid;        /* skipped (skip_invalid): bad or missing geometry */
} vh_poi_import_stats;

/* Creates an empty catalog. Returns NULL on out-of-memory. Free with vh_poi_catalog_free. */
vh_poi_catalog *vh_poi_catalog_new(void);
void vh_poi_catalog_free(vh_poi_catalog *c);

/* Number of places and the i-th place (NULL when out of range). */
size_t vh_poi_catalog_count(const vh_poi_catalog *c);
const vh_poi *vh_poi_catalog_get(const vh_poi_catalog *c, size_t i);

/* Adds a place (strings are copied; NULL strings become ""). Checks the
 * coordinates (finite, |lat| ≤ 90, |lon| ≤ 180) and the category: VH_ERANGE /
 * VH_EINVAL otherwise. */
int vh_poi_catalog_add(vh_poi_catalog *c, const vh_poi *p);

/* Imports a GeoJSON FeatureCollection (or a single Feature) from memory;
 * `name` is used in error messages. Geometry: Point, MultiPoint, LineString,
 * MultiLineString (vertex mean), Polygon, MultiPolygon (area-weighted centroid
 * of the outer rings). The category comes from the OSM tags in "properties".
 * Errors (VH_EFORMAT): not JSON, not a FeatureCollection, a feature without
 * geometry/coordinates, coordinates that are not numbers; VH_ERANGE:
 * coordinates outside [-90,90]×[-180,180]. Both name the feature index and
 * OSM id. With params->skip_invalid, bad features are skipped and counted.
 * On failure the catalog is left unchanged. */
int vh_poi_import_geojson_mem(vh_poi_catalog *c, const char *text, size_t len, const char *name,
                              const vh_poi_import_params *params, vh_poi_import_stats *stats);
/* Same, from a file (at most 512 MiB). */
int vh_poi_import_geojson(vh_poi_catalog *c, const char *path,
                          const vh_poi_import_params *params, vh_poi_import_stats *stats);

/* Imports a CSV file with a header row. Columns (by header name, any order):
 * lat, lon (required); name, id, category (one of the category names or an OSM
 * "key=value" tag), opening_hours, popularity (0..1) optional. Rows without a
 * category column value are uncategorised. Quoted fields ("a, b" with "" for a
 * quote) are supported. Errors name the file and line. */
int vh_poi_import_csv(vh_poi_catalog *c, const char *path,
                      const vh_poi_import_params *params, vh_poi_import_stats *stats);

/* Same, from memory (`name` is used in messages). */
int vh_poi_import_csv_mem(vh_poi_catalog *c, const char *text, size_t len, const char *name,
                          const vh_poi_import_params *params, vh_poi_import_stats *stats);

/* Imports by extension: .csv → CSV, anything else → GeoJSON. */
int vh_poi_import_file(vh_poi_catalog *c, const char *path,
                       const vh_poi_import_params *params, vh_poi_import_stats *stats);

/* Category for a set of OSM tags given as parallel key/value arrays; also
 * sets *tag (may be NULL) to a static "key=value" description of the rule that
 * decided ("historic=*" for any historic value; the importers store the
 * feature's own value instead). Returns -1 when no tag maps. */
int vh_poi_category_from_tags(const char *const *keys, const char *const *values, size_t n,
                              const char **tag);
/* Popularity proxy in [0,1] from tag richness: wikipedia 0.3, wikidata 0.2,
 * tourism=attraction 0.2, heritage 0.1, website/contact:website 0.1,
 * opening_hours 0.05, name 0.05 (summed, capped at 1). */
double vh_poi_popularity_from_tags(const char *const *keys, const char *const *values, size_t n);

/* Writes the catalog as JSON ({"format":"verhm-poi-catalog","version":1,
 * "places":[...]}) atomically to `path` (replacing it). */
int vh_poi_catalog_save(const vh_poi_catalog *c, const char *path);
/* Loads a catalog written by vh_poi_catalog_save. *out is a new catalog the
 * caller frees. VH_EFORMAT on a wrong format/version or a bad entry,
 * VH_EEMPTY when it holds no places. */
int vh_poi_catalog_load(const char *path, vh_poi_catalog **out);
/* Same, from `size` bytes in memory; `name` is used in messages. */
int vh_poi_catalog_load_mem(const char *data, size_t size, const char *name, vh_poi_catalog **out);

/* Opens whatever a user may pass as a catalog: a catalog file (JSON with a
 * "format" member), a .csv place list or a GeoJSON file (imported with default
 * parameters). *out is a new catalog the caller frees. Errors as for the
 * loaders and importers above; VH_EEMPTY ("empty catalog") when no place with
 * a known category results. */
int vh_poi_catalog_open(const char *path, vh_poi_catalog **out);

/* ---- rule table (the default policy) ----------------------------------- */

typedef struct vh_poi_rules vh_poi_rules;

/* Parses a rule table (see data/poi_rules.tsv): lines
 *   EMOTION <TAB> AGE <TAB> GENDER <TAB> category:weight[,category:weight...]
 * where EMOTION/AGE/GENDER are labels accepted by the parsers above or "*",
 * weights are in [0, 1] and '#' starts a comment. For a state, the matching
 * row with the most non-"*" fields wins (the first among equals). Every
 * emotion needs at least one row matching any age and gender ("E * *"), so
 * every state resolves. `name` is used in messages ("rules.tsv:12: ...").
 * *out is freed with vh_poi_rules_free. */
int vh_poi_rules_parse(const char *text, size_t len, const char *name, vh_poi_rules **out);
int vh_poi_rules_load(const char *path, vh_poi_rules **out);
void vh_poi_rules_free(vh_poi_rules *r);

/* Fills fit[VH_POI_NCATEGORIES] with the category weights (0..1) for a state,
 * gender VH_GENDER_UNKNOWN matching only "*" gender rows. Returns the 1-based
 * line number of the chosen row, or a negative status for a bad state. */
int vh_poi_rules_fit(const vh_poi_rules *r, int emotion, int age, int gender, float *fit);

/* ---- suggestions -------------------------------------------------------- */

/* The recognized state (e.g. from `verhm recognize`). */
typedef struct vh_poi_state {
    int emotion;   /* vh_poi_emotion */
    int age;       /* vh_poi_age */
    int gender;    /* vh_poi_gender */
} vh_poi_state;

/* Ranking parameters (vh_poi_suggest_default_params gives the documented
 * defaults). score = w_fit·fit + w_dist·exp(-d/dist_scale_m) + w_open·open
 * + w_pop·popularity, with open = 1 open, 0.5 hours unknown, 0 closed. */
typedef struct vh_poi_suggest_params {
    double lat, lon;        /* where the person is */
    vh_poi_time now;        /* local time at the place (weekday < 0: unknown) */
    int n;                  /* how many suggestions (default 5) */
    double w_fit, w_dist, w_open, w_pop;   /* 0.5, 0.3, 0.1, 0.1 */
    double dist_scale_m;    /* 1500 m */
    double max_dist_m;      /* places further away are not considered (0 = no limit; default 0) */
    double mmr_lambda;      /* 0.7: relevance vs. diversity (same category = similarity 1) */
    int max_per_category;   /* 2: hard cap per category in the result (0 = none) */
    int include_closed;     /* 0: places known to be closed now are dropped */
    const float *behaviour; /* optional, NULL = none: per catalog place a learned score in
                               [0,1] (vh_poi_behaviour_scores), added as w_behaviour·b;
                               borrowed, must hold vh_poi_catalog_count() values */
    double w_behaviour;     /* 0.3 */
} vh_poi_suggest_params;
vh_poi_suggest_params vh_poi_suggest_default_params(void);

/* One suggestion. `place` points into the catalog (valid while it lives). */
typedef struct vh_poi_suggestion {
    const vh_poi *place;
    size_t index;           /* index in the catalog */
    double score;           /* relevance before diversity */
    double fit, distance_m, popularity;
    int open;               /* 1 open, 0 closed, -1 unknown */
    char *why;              /* explanation, e.g. "cafe fits Sad (0.9); 350 m away; open now" */
} vh_poi_suggestion;

/* Ranks the catalog for `state` and writes up to params->n suggestions, best
 * first, to a new array *out (*count entries; free with
 * vh_poi_suggestions_free). Errors: VH_EINVAL for a bad state or parameters,
 * VH_EEMPTY when the catalog is empty or no place qualifies (all too far / closed). */
int vh_poi_suggest(const vh_poi_catalog *catalog, const vh_poi_rules *rules,
                   const vh_poi_state *state, const vh_poi_suggest_params *params,
                   vh_poi_suggestion **out, size_t *count);
void vh_poi_suggestions_free(vh_poi_suggestion *s, size_t count);

/* Formats the prototype's sentence, "You are Female, Adult and Sad. The
 * recommended places are: A (cafe, 350 m), B (park, 1.2 km)." into a new
 * string the caller frees with vh_free (NULL on out-of-memory). */
char *vh_poi_sentence(const vh_poi_state *state, const vh_poi_suggestion *s, size_t count);

/* ---- learning from behaviour ------------------------------------------- */

/* Check-ins: (user, item, minute) with items having a position. Dense indexes
 * 0..n_users-1 / 0..n_items-1 are assigned in order of first appearance of the
 * source ids (items in order of the places file). */
typedef struct vh_poi_checkins {
    size_t n_users, n_items, n;
    int *user, *item;       /* [n] */
    long long *minute;      /* [n] */
    long long *item_id;     /* [n_items] source id of each item */
    double *lat, *lon;      /* [n_items] */
} vh_poi_checkins;

/* Loads "user,poi,minute" check-ins and "poi,lat,lon" places (CSV with those
 * headers, integer ids). A check-in at an unknown place, a bad number or out-
 * of-range coordinates is VH_EFORMAT naming the file and line. At most 2^31-1
 * users/items and 100 million check-ins. *out is freed with vh_poi_checkins_free. */
int vh_poi_checkins_load(const char *checkins_csv, const char *places_csv, vh_poi_checkins **out);
void vh_poi_checkins_free(vh_poi_checkins *c);

/* Recommender kinds. */
typedef enum vh_poi_cf_kind {
    VH_CF_COVISIT = 0,   /* item-item co-visitation with time decay + the user's own repeat visits */
    VH_CF_BPR,           /* BPR matrix factorisation */
    VH_CF_POPULARITY,    /* baseline: most check-ins in training */
    VH_CF_DISTANCE,      /* baseline: nearest to the user's previous check-in */
    VH_CF_PERSONAL,      /* baseline: the user's own recency-weighted visit counts (repeat visits only) */
    VH_CF_NKINDS
} vh_poi_cf_kind;
const char *vh_poi_cf_kind_name(int kind);

typedef struct vh_poi_cf_params {
    /* co-visitation */
    double window_min;      /* pairs of check-ins of one user closer than this count (default 360 min) */
    double pair_tau_min;    /* pair weight exp(-Δt/pair_tau) (default 120 min) */
    double recency_tau_min; /* repeat term: a history item's weight exp(-age/recency_tau), age from the user's last check-in (default 60 days) */
    double context_tau_min; /* co-visitation term: weight exp(-age/context_tau) of a history item's neighbours (default 60 min) */
    double repeat_weight;   /* weight of the user's own recency-weighted visits (default 10) */
    int neighbours;         /* co-visitation neighbours kept per item (default 100) */
    double geo_weight;      /* + geo_weight·exp(-d/geo_scale_m), d from the last history item (default 0: it did not help on NYC) */
    double geo_scale_m;     /* 1000 m */
    /* BPR */
    int factors;            /* 32 */
    int epochs;             /* 30 */
    double learning_rate;   /* 0.05 */
    double reg;             /* 0.002 */
    uint64_t seed;          /* 1 */
    /* evaluation */
    int exclude_visited;    /* 0: rank among all items (repeat visits count);
                               1: discovery: only users whose test item is new to
                               them, ranked among items they did not visit in training */
} vh_poi_cf_params;
vh_poi_cf_params vh_poi_cf_default_params(void);

/* A trained co-visitation model (plus popularity), savable to a file. */
typedef struct vh_poi_cf_model vh_poi_cf_model;

/* Trains the co-visitation model on all check-ins (or, with `mask`, only
 * those with mask[k] != 0). *out freed with vh_poi_cf_model_free. */
int vh_poi_cf_train(const vh_poi_checkins *c, const unsigned char *mask,
                    const vh_poi_cf_params *p, vh_poi_cf_model **out);
void vh_poi_cf_model_free(vh_poi_cf_model *m);

/* Scores every item for a user with the given history (item indexes and
 * minutes, oldest first, h >= 1): writes n_items scores to `scores`. */
int vh_poi_cf_score(const vh_poi_cf_model *m, const int *items, const long long *minutes, size_t h,
                    const vh_poi_cf_params *p, double *scores);

/* Saves / loads the model: little-endian binary, magic "VHPOICF\0", version 1,
 * then item ids, popularity and the neighbour lists (docs/poi.md). */
int vh_poi_cf_model_save(const vh_poi_cf_model *m, const char *path);
int vh_poi_cf_model_load(const char *path, vh_poi_cf_model **out);
/* Same, from `size` bytes in memory; `name` is used in messages. */
int vh_poi_cf_model_load_mem(const void *data, size_t size, const char *name, vh_poi_cf_model **out);
size_t vh_poi_cf_model_items(const vh_poi_cf_model *m);
/* Item index of a source id, or -1. */
long vh_poi_cf_model_find(const vh_poi_cf_model *m, long long item_id);
long long vh_poi_cf_model_item_id(const vh_poi_cf_model *m, size_t index);

/* Learned scores for a catalog from a visit history: places whose id (the
 * catalog's `id` string, parsed as an integer) is in the model get the model's
 * score for `history_ids` / `minutes` (h entries, oldest first; ids not in the
 * model are ignored), scaled so the best place is 1; others get 0. Writes
 * vh_poi_catalog_count(catalog) values to `out`. Returns the number of catalog
 * places matched to the model, or a negative status (VH_ENOTFOUND when no
 * history id is in the model). */
long vh_poi_behaviour_scores(const vh_poi_cf_model *m, const vh_poi_catalog *catalog,
                             const long long *history_ids, const long long *minutes, size_t h,
                             const vh_poi_cf_params *p, float *out);

/* Leave-last-out evaluation result for one recommender. */
typedef struct vh_poi_eval_result {
    size_t users;           /* users evaluated (≥ 2 check-ins; discovery: test item new) */
    double hr10, ndcg10;
} vh_poi_eval_result;

/* Leave-last-out: each user's last check-in (largest minute; among equal
 * minutes the later line) is the test item, the rest is training. Every
 * recommender is trained on the training check-ins only and ranks all items
 * (or, with exclude_visited, the discovery protocol: only users whose test item
 * is not among their training items, ranked among the items they did not visit);
 * the rank of the test item is 1 + the number of candidates with a higher
 * score + the number with an equal score and a smaller index. HR@10 = share
 * of users with rank ≤ 10; NDCG@10 = mean of 1/log2(rank+1) for rank ≤ 10.
 * Fills res[VH_CF_NKINDS] (indexed by vh_poi_cf_kind). */
int vh_poi_cf_evaluate(const vh_poi_checkins *c, const vh_poi_cf_params *p,
                       vh_poi_eval_result *res);

#ifdef __cplusplus
}
#endif
#endif
