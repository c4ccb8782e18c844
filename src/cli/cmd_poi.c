/* verhm poi — import a place catalog, suggest places for an emotional state,
 * train / evaluate / use the check-in recommender. */
#define _GNU_SOURCE
#include "cli.h"
#include "verhm/poi.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out) {
    fprintf(out,
            "usage: verhm poi import FILE... [--out CATALOG] [--skip-invalid] [--json]\n"
            "       verhm poi suggest --emotion E --at LAT,LON [--age-group G] [--gender X] [-n 5]\n"
            "                         [--catalog CATALOG|FILE.geojson|FILE.csv] [--time YYYY-MM-DDTHH:MM]\n"
            "                         [--max-km K] [--include-closed] [--rules FILE] [--json]\n"
            "                         [--model MODEL --history ID[@MINUTE],...]\n"
            "       verhm poi train [--checkins CSV] [--pois CSV] --out MODEL [--json]\n"
            "       verhm poi eval [--checkins CSV] [--pois CSV] [--exclude-visited] [--json]\n"
            "       (train/eval tuning: --window-min 360 --recency-days 60 --context-hours 1\n"
            "        --repeat-weight 10 --neighbours 100 --geo-weight 0 --geo-km 1; BPR: --factors 32 --epochs 30 --seed 1)\n"
            "       verhm poi recommend --model MODEL --history ID[@MINUTE],... [-n 10] [--json]\n\n"
            "import     GeoJSON (osmium export of any OSM extract) or CSV (lat,lon[,name,category,\n"
            "           opening_hours,popularity]) into a catalog file (default\n"
            "           $XDG_DATA_HOME/verhm/catalog.json, else ~/.local/share/verhm/catalog.json)\n"
            "suggest    places for a state: emotion (Happy Worried Sad Excited Exhausted Frustrated\n"
            "           Bored Neutral, or FER+ labels), age group (Child Teen Adult Senior/Old;\n"
            "           default Adult), gender (male female unknown; default unknown), each with why.\n"
            "           --time is local time at the place (default: now); hours decide open-now;\n"
            "           --model/--history add learned scores for catalog places whose id is in the model\n"
            "train      co-visitation model from check-ins (user,poi,minute) and places (poi,lat,lon);\n"
            "           defaults: $VERHM_DATA/poi/nyc_checkins.csv and nyc_pois.csv\n"
            "eval       leave-last-out HR@10 / NDCG@10 of co-visitation and BPR against the popularity,\n"
            "           distance and personal (own repeat visits) baselines\n"
            "recommend  next places for a visit history with a trained model\n\n"
            "exit status: 0 success, 1 bad input, 2 usage error\n");
}

/* Default catalog path: $XDG_DATA_HOME/verhm/catalog.json or ~/.local/share/... */
static const char *default_catalog(int create_dir) {
    static char buf[4096];
    const char *x = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char dir[4000];
    if (x && *x) snprintf(dir, sizeof dir, "%s/verhm", x);
    else if (home && *home) snprintf(dir, sizeof dir, "%s/.local/share/verhm", home);
    else return NULL;
    if (create_dir && vh_mkdir_p(dir) != VH_OK) return NULL;
    snprintf(buf, sizeof buf, "%s/catalog.json", dir);
    return buf;
}

static int cmd_import(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'}, {"skip-invalid", no_argument, 0, 's'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int json = 0, c;
    vh_poi_import_params ip = vh_poi_import_default_params();
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': ip.skip_invalid = 1; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("poi import", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return vh_cli_usage_error("poi import", "expected FILE");
    if (!out && !(out = default_catalog(1))) return vh_cli_fail(NULL, "cannot find a data directory for the catalog: give --out");
    vh_poi_catalog *cat = vh_poi_catalog_new();
    if (!cat) return vh_cli_fail(NULL, "out of memory");
    vh_poi_import_stats total = {0};
    for (int i = optind; i < argc; i++) {
        vh_poi_import_stats st = {0};
        int rc = vh_poi_import_file(cat, argv[i], &ip, &st);
        if (rc) { vh_poi_catalog_free(cat); return vh_cli_fail_status(rc); }
        total.features += st.features;
        total.imported += st.imported;
        total.uncategorised += st.uncategorised;
        total.invalid += st.invalid;
    }
    if (vh_poi_catalog_count(cat) == 0) {
        vh_poi_catalog_free(cat);
        return vh_cli_fail(argv[optind], "empty catalog: none of %zu features is a place with a known category", total.features);
    }
    int rc = vh_poi_catalog_save(cat, out);
    size_t counts[VH_POI_NCATEGORIES] = {0};
    for (size_t i = 0; i < vh_poi_catalog_count(cat); i++) counts[vh_poi_catalog_get(cat, i)->category]++;
    vh_poi_catalog_free(cat);
    if (rc) return vh_cli_fail_status(rc);
    if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 1);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "catalog"); vh_jw_string(&w, out);
        vh_jw_key(&w, "features"); vh_jw_int(&w, (long long)total.features);
        vh_jw_key(&w, "imported"); vh_jw_int(&w, (long long)total.imported);
        vh_jw_key(&w, "uncategorised"); vh_jw_int(&w, (long long)total.uncategorised);
        vh_jw_key(&w, "invalid"); vh_jw_int(&w, (long long)total.invalid);
        vh_jw_key(&w, "categories");
        vh_jw_object_begin(&w);
        for (int k = 0; k < VH_POI_NCATEGORIES; k++)
            if (counts[k]) { vh_jw_key(&w, vh_poi_category_name(k)); vh_jw_int(&w, (long long)counts[k]); }
        vh_jw_object_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("imported %zu places from %zu features (%zu without a known category, %zu invalid skipped) into %s\n",
               total.imported, total.features, total.uncategorised, total.invalid, out);
        for (int k = 0; k < VH_POI_NCATEGORIES; k++)
            if (counts[k]) printf("  %-10s %zu\n", vh_poi_category_name(k), counts[k]);
    }
    return 0;
}

static int parse_at(const char *s, double *lat, double *lon) {
    char buf[128];
    if (!s || strlen(s) >= sizeof buf) return -1;
    strcpy(buf, s);
    char *comma = strchr(buf, ',');
    if (!comma) return -1;
    *comma = 0;
    char *e1, *e2;
    *lat = strtod(buf, &e1);
    *lon = strtod(comma + 1, &e2);
    if (e1 == buf || *e1 || e2 == comma + 1 || *e2) return -1;
    return *lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180 ? 0 : -1;
}

/* Loads a catalog file, or imports a .geojson/.csv on the fly (prints the error). */
static int open_catalog(const char *path, vh_poi_catalog **out) {
    int rc = vh_poi_catalog_open(path, out);
    if (rc) vh_cli_fail_status(rc);
    return rc;
}

/* Parses "ID[@MINUTE],..." into new arrays (caller frees). Returns the count,
 * or -1 after printing an error. */
static long parse_history(const char *hist, long long **ids_out, long long **mins_out) {
    size_t cap = 1, h = 0;
    for (const char *s = hist; *s; s++) cap += *s == ',';
    long long *ids = malloc(cap * sizeof *ids), *mins = malloc(cap * sizeof *mins);
    char *copy = malloc(strlen(hist) + 1);
    if (!ids || !mins || !copy) {
        free(ids); free(mins); free(copy);
        vh_cli_fail(NULL, "out of memory");
        return -1;
    }
    strcpy(copy, hist);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        char *at = strchr(tok, '@'), *end;
        long long minute = 0;
        if (at) {
            *at = 0;
            minute = strtoll(at + 1, &end, 10);
            if (end == at + 1 || *end) {
                vh_cli_fail(NULL, "--history: bad minute in '%s@%s'", tok, at + 1);
                free(ids); free(mins); free(copy);
                return -1;
            }
        }
        long long id = strtoll(tok, &end, 10);
        if (end == tok || *end) {
            vh_cli_fail(NULL, "--history: '%s' is not a numeric place id", tok);
            free(ids); free(mins); free(copy);
            return -1;
        }
        ids[h] = id;
        mins[h++] = minute;
    }
    free(copy);
    if (h == 0) {
        vh_cli_fail(NULL, "--history is empty");
        free(ids); free(mins);
        return -1;
    }
    *ids_out = ids;
    *mins_out = mins;
    return (long)h;
}

static int cmd_suggest(int argc, char **argv) {
    static const struct option opts[] = {
        {"emotion", required_argument, 0, 'e'}, {"age-group", required_argument, 0, 'a'},
        {"gender", required_argument, 0, 'g'}, {"at", required_argument, 0, 'p'},
        {"catalog", required_argument, 0, 'c'}, {"rules", required_argument, 0, 'r'},
        {"time", required_argument, 0, 't'}, {"max-km", required_argument, 0, 'k'},
        {"include-closed", no_argument, 0, 'C'}, {"json", no_argument, 0, 'j'},
        {"model", required_argument, 0, 'm'}, {"history", required_argument, 0, 'H'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *emo = NULL, *age = "Adult", *gender = "unknown", *at = NULL, *catalog = NULL, *rules_path = NULL, *when = NULL;
    const char *model_path = NULL, *hist = NULL;
    int json = 0, c;
    vh_poi_suggest_params sp = vh_poi_suggest_default_params();
    double km;
    while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': emo = optarg; break;
        case 'a': age = optarg; break;
        case 'g': gender = optarg; break;
        case 'p': at = optarg; break;
        case 'c': catalog = optarg; break;
        case 'r': rules_path = optarg; break;
        case 't': when = optarg; break;
        case 'k':
            if (vh_cli_parse_double("poi suggest", "--max-km", optarg, 0, 40075, &km)) return VH_EXIT_USAGE;
            sp.max_dist_m = km * 1000;
            break;
        case 'n': if (vh_cli_parse_int("poi suggest", "-n", optarg, 1, 1000, &sp.n)) return VH_EXIT_USAGE; break;
        case 'C': sp.include_closed = 1; break;
        case 'm': model_path = optarg; break;
        case 'H': hist = optarg; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("poi suggest", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return vh_cli_usage_error("poi suggest", "unexpected argument '%s'", argv[optind]);
    if (!emo) return vh_cli_usage_error("poi suggest", "--emotion is required");
    if (!at) return vh_cli_usage_error("poi suggest", "--at LAT,LON is required");
    if (!model_path != !hist) return vh_cli_usage_error("poi suggest", "--model and --history go together");
    vh_poi_state state;
    state.emotion = vh_poi_emotion_parse(emo);
    state.age = vh_poi_age_parse(age);
    state.gender = vh_poi_gender_parse(gender);
    if (state.emotion < 0)
        return vh_cli_fail(NULL, "unknown emotion '%s' (use Happy, Worried, Sad, Excited, Exhausted, Frustrated, Bored, Neutral or a FER+ label)", emo);
    if (state.age < 0) return vh_cli_fail(NULL, "unknown age group '%s' (use Child, Teen, Adult, Senior or Old)", age);
    if (state.gender < 0) return vh_cli_fail(NULL, "unknown gender '%s' (use male, female or unknown)", gender);
    if (parse_at(at, &sp.lat, &sp.lon)) return vh_cli_fail(NULL, "--at '%s': expected LAT,LON in degrees (lat within ±90, lon within ±180)", at);
    if (when) {
        if (vh_poi_time_parse(when, &sp.now)) return vh_cli_fail_status(VH_EINVAL);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        if (localtime_r(&t, &tm)) {
            sp.now.weekday = (tm.tm_wday + 6) % 7;
            sp.now.minute = tm.tm_hour * 60 + tm.tm_min;
        }
    }
    if (!catalog && !(catalog = default_catalog(0))) return vh_cli_fail(NULL, "no catalog: give --catalog or run 'verhm poi import' first");
    if (!rules_path && !(rules_path = vh_cli_find_resource("data/poi_rules.tsv")))
        return vh_cli_fail("data/poi_rules.tsv", "rule table not found (set VERHM_HOME or give --rules)");
    vh_poi_rules *rules = NULL;
    vh_poi_catalog *cat = NULL;
    int rc = vh_poi_rules_load(rules_path, &rules);
    if (rc) return vh_cli_fail_status(rc);
    if (open_catalog(catalog, &cat)) { vh_poi_rules_free(rules); return VH_EXIT_INPUT; }
    float *beh = NULL;
    if (model_path) {
        vh_poi_cf_model *m = NULL;
        long long *ids = NULL, *mins = NULL;
        long h = parse_history(hist, &ids, &mins);
        if (h < 0) { vh_poi_catalog_free(cat); vh_poi_rules_free(rules); return VH_EXIT_INPUT; }
        rc = vh_poi_cf_model_load(model_path, &m);
        beh = malloc((vh_poi_catalog_count(cat) + 1) * sizeof *beh);
        long matched = rc ? rc : beh ? vh_poi_behaviour_scores(m, cat, ids, mins, (size_t)h, NULL, beh) : VH_ENOMEM;
        free(ids);
        free(mins);
        vh_poi_cf_model_free(m);
        if (matched < 0) {
            free(beh);
            vh_poi_catalog_free(cat);
            vh_poi_rules_free(rules);
            return vh_cli_fail_status((int)matched);
        }
        if (matched == 0) vh_log(VH_LOG_WARN, "%s: no catalog place id is in the model %s; history not used", catalog, model_path);
        sp.behaviour = beh;
    }
    vh_poi_suggestion *s = NULL;
    size_t n = 0;
    rc = vh_poi_suggest(cat, rules, &state, &sp, &s, &n);
    if (rc) { free(beh); vh_poi_catalog_free(cat); vh_poi_rules_free(rules); return vh_cli_fail_status(rc); }
    char *sentence = vh_poi_sentence(&state, s, n);
    if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 1);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "state");
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "emotion"); vh_jw_string(&w, vh_poi_emotion_name(state.emotion));
        vh_jw_key(&w, "age_group"); vh_jw_string(&w, vh_poi_age_name(state.age));
        vh_jw_key(&w, "gender"); vh_jw_string(&w, vh_poi_gender_name(state.gender));
        vh_jw_object_end(&w);
        vh_jw_key(&w, "at");
        vh_jw_array_begin(&w); vh_jw_number(&w, sp.lat); vh_jw_number(&w, sp.lon); vh_jw_array_end(&w);
        vh_jw_key(&w, "sentence"); vh_jw_string(&w, sentence ? sentence : "");
        vh_jw_key(&w, "suggestions");
        vh_jw_array_begin(&w);
        for (size_t i = 0; i < n; i++) {
            const vh_poi *q = s[i].place;
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "name"); vh_jw_string(&w, q->name);
            vh_jw_key(&w, "id"); vh_jw_string(&w, q->id);
            vh_jw_key(&w, "category"); vh_jw_string(&w, vh_poi_category_name(q->category));
            vh_jw_key(&w, "tag"); vh_jw_string(&w, q->tag);
            vh_jw_key(&w, "lat"); vh_jw_number(&w, q->lat);
            vh_jw_key(&w, "lon"); vh_jw_number(&w, q->lon);
            vh_jw_key(&w, "distance_m"); vh_jw_number(&w, (double)(long long)(s[i].distance_m + 0.5));
            vh_jw_key(&w, "open");
            if (s[i].open < 0) vh_jw_null(&w); else vh_jw_bool(&w, s[i].open);
            vh_jw_key(&w, "opening_hours"); vh_jw_string(&w, q->hours);
            vh_jw_key(&w, "fit"); vh_jw_number(&w, s[i].fit);
            vh_jw_key(&w, "popularity"); vh_jw_number(&w, s[i].popularity);
            vh_jw_key(&w, "score"); vh_jw_number(&w, s[i].score);
            vh_jw_key(&w, "why"); vh_jw_string(&w, s[i].why);
            vh_jw_object_end(&w);
        }
        vh_jw_array_end(&w);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        if (sentence) printf("%s\n", sentence);
        for (size_t i = 0; i < n; i++) {
            const vh_poi *q = s[i].place;
            printf("%zu. %s [%s]\n   why: %s\n", i + 1, q->name[0] ? q->name : "(unnamed)", vh_poi_category_name(q->category), s[i].why);
        }
    }
    vh_free(sentence);
    vh_poi_suggestions_free(s, n);
    free(beh);
    vh_poi_catalog_free(cat);
    vh_poi_rules_free(rules);
    return 0;
}

/* Shared options of train/eval. */
static const char *data_file(const char *given, const char *rel, char *buf, size_t n) {
    if (given) return given;
    snprintf(buf, n, "%s/%s", vh_data_dir(), rel);
    return buf;
}

static int cmd_train_eval(int argc, char **argv, int eval) {
    const char *name = eval ? "poi eval" : "poi train";
    static const struct option opts[] = {
        {"checkins", required_argument, 0, 'c'}, {"pois", required_argument, 0, 'p'},
        {"out", required_argument, 0, 'o'}, {"exclude-visited", no_argument, 0, 'x'},
        {"factors", required_argument, 0, 'f'}, {"epochs", required_argument, 0, 'E'},
        {"seed", required_argument, 0, 's'}, {"neighbours", required_argument, 0, 'K'},
        {"repeat-weight", required_argument, 0, 'R'}, {"window-min", required_argument, 0, 'W'},
        {"recency-days", required_argument, 0, 'D'}, {"context-hours", required_argument, 0, 'T'},
        {"geo-weight", required_argument, 0, 'G'}, {"geo-km", required_argument, 0, 'g'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *ck = NULL, *pp = NULL, *out = NULL;
    int json = 0, c, seed;
    vh_poi_cf_params cp = vh_poi_cf_default_params();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': ck = optarg; break;
        case 'p': pp = optarg; break;
        case 'o': out = optarg; break;
        case 'x': cp.exclude_visited = 1; break;
        case 'f': if (vh_cli_parse_int(name, "--factors", optarg, 1, 1024, &cp.factors)) return VH_EXIT_USAGE; break;
        case 'E': if (vh_cli_parse_int(name, "--epochs", optarg, 0, 10000, &cp.epochs)) return VH_EXIT_USAGE; break;
        case 'K': if (vh_cli_parse_int(name, "--neighbours", optarg, 1, 100000, &cp.neighbours)) return VH_EXIT_USAGE; break;
        case 's': if (vh_cli_parse_int(name, "--seed", optarg, 0, 2147483647, &seed)) return VH_EXIT_USAGE; cp.seed = (uint64_t)seed; break;
        case 'R': if (vh_cli_parse_double(name, "--repeat-weight", optarg, 0, 1e6, &cp.repeat_weight)) return VH_EXIT_USAGE; break;
        case 'W': if (vh_cli_parse_double(name, "--window-min", optarg, 1, 1e9, &cp.window_min)) return VH_EXIT_USAGE; break;
        case 'D':
            if (vh_cli_parse_double(name, "--recency-days", optarg, 0.001, 1e6, &cp.recency_tau_min)) return VH_EXIT_USAGE;
            cp.recency_tau_min *= 1440;
            break;
        case 'G': if (vh_cli_parse_double(name, "--geo-weight", optarg, 0, 1e6, &cp.geo_weight)) return VH_EXIT_USAGE; break;
        case 'g':
            if (vh_cli_parse_double(name, "--geo-km", optarg, 0.001, 40000, &cp.geo_scale_m)) return VH_EXIT_USAGE;
            cp.geo_scale_m *= 1000;
            break;
        case 'T':
            if (vh_cli_parse_double(name, "--context-hours", optarg, 0.001, 1e7, &cp.context_tau_min)) return VH_EXIT_USAGE;
            cp.context_tau_min *= 60;
            break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error(name, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return vh_cli_usage_error(name, "unexpected argument '%s'", argv[optind]);
    if (!eval && !out) return vh_cli_usage_error(name, "--out MODEL is required");
    char b1[4096], b2[4096];
    ck = data_file(ck, "poi/nyc_checkins.csv", b1, sizeof b1);
    pp = data_file(pp, "poi/nyc_pois.csv", b2, sizeof b2);
    vh_poi_checkins *data = NULL;
    int rc = vh_poi_checkins_load(ck, pp, &data);
    if (rc) return vh_cli_fail_status(rc);
    double t0 = vh_now();
    if (!eval) {
        vh_poi_cf_model *m = NULL;
        rc = vh_poi_cf_train(data, NULL, &cp, &m);
        if (rc == VH_OK) rc = vh_poi_cf_model_save(m, out);
        double dt = vh_now() - t0;
        if (rc == VH_OK) {
            if (json) {
                vh_buf b = {0};
                vh_json_writer w;
                vh_jw_init(&w, &b, 1);
                vh_jw_object_begin(&w);
                vh_jw_key(&w, "model"); vh_jw_string(&w, out);
                vh_jw_key(&w, "users"); vh_jw_int(&w, (long long)data->n_users);
                vh_jw_key(&w, "items"); vh_jw_int(&w, (long long)data->n_items);
                vh_jw_key(&w, "checkins"); vh_jw_int(&w, (long long)data->n);
                vh_jw_key(&w, "seconds"); vh_jw_number(&w, dt);
                vh_jw_object_end(&w);
                vh_cli_print_json(&b);
                vh_buf_free(&b);
            } else {
                printf("trained co-visitation model on %zu check-ins of %zu users at %zu places in %.2f s: %s\n",
                       data->n, data->n_users, data->n_items, dt, out);
            }
        }
        vh_poi_cf_model_free(m);
        vh_poi_checkins_free(data);
        return rc ? vh_cli_fail_status(rc) : 0;
    }
    vh_poi_eval_result res[VH_CF_NKINDS];
    rc = vh_poi_cf_evaluate(data, &cp, res);
    double dt = vh_now() - t0;
    size_t nchk = data->n, nitems = data->n_items;
    vh_poi_checkins_free(data);
    if (rc) return vh_cli_fail_status(rc);
    double ratio = res[VH_CF_POPULARITY].hr10 > 0 ? res[VH_CF_COVISIT].hr10 / res[VH_CF_POPULARITY].hr10 : 0;
    if (json) {
        vh_buf b = {0};
        vh_json_writer w;
        vh_jw_init(&w, &b, 1);
        vh_jw_object_begin(&w);
        vh_jw_key(&w, "protocol"); vh_jw_string(&w, cp.exclude_visited ? "leave-last-out discovery: users whose last place is new to them, ranked among places they did not visit in training" : "leave-last-out, rank among all items");
        vh_jw_key(&w, "users"); vh_jw_int(&w, (long long)res[0].users);
        vh_jw_key(&w, "items"); vh_jw_int(&w, (long long)nitems);
        vh_jw_key(&w, "checkins"); vh_jw_int(&w, (long long)nchk);
        vh_jw_key(&w, "model"); vh_jw_string(&w, "covisit");
        vh_jw_key(&w, "hr10"); vh_jw_number(&w, res[VH_CF_COVISIT].hr10);
        vh_jw_key(&w, "ndcg10"); vh_jw_number(&w, res[VH_CF_COVISIT].ndcg10);
        vh_jw_key(&w, "hr10_vs_popularity"); vh_jw_number(&w, ratio);
        vh_jw_key(&w, "models");
        vh_jw_object_begin(&w);
        for (int k = 0; k < VH_CF_NKINDS; k++) {
            vh_jw_key(&w, vh_poi_cf_kind_name(k));
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "hr10"); vh_jw_number(&w, res[k].hr10);
            vh_jw_key(&w, "ndcg10"); vh_jw_number(&w, res[k].ndcg10);
            vh_jw_object_end(&w);
        }
        vh_jw_object_end(&w);
        vh_jw_key(&w, "baselines");
        vh_jw_object_begin(&w);
        for (int k = VH_CF_POPULARITY; k < VH_CF_NKINDS; k++) {
            vh_jw_key(&w, vh_poi_cf_kind_name(k));
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "hr10"); vh_jw_number(&w, res[k].hr10);
            vh_jw_key(&w, "ndcg10"); vh_jw_number(&w, res[k].ndcg10);
            vh_jw_object_end(&w);
        }
        vh_jw_object_end(&w);
        vh_jw_key(&w, "seconds"); vh_jw_number(&w, dt);
        vh_jw_object_end(&w);
        vh_cli_print_json(&b);
        vh_buf_free(&b);
    } else {
        printf("leave-last-out on %zu users, %zu places (%s)\n", res[0].users, nitems,
               cp.exclude_visited ? "discovery: last place new to the user, candidates: places not visited before" : "candidates: all places");
        printf("%-12s %8s %8s\n", "model", "HR@10", "NDCG@10");
        for (int k = 0; k < VH_CF_NKINDS; k++)
            printf("%-12s %8.4f %8.4f\n", vh_poi_cf_kind_name(k), res[k].hr10, res[k].ndcg10);
        printf("covisit HR@10 = %.1fx popularity (%.2f s)\n", ratio, dt);
    }
    return 0;
}

static int cmd_recommend(int argc, char **argv) {
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"history", required_argument, 0, 'H'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *mp = NULL, *hist = NULL;
    int json = 0, c, n = 10;
    while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': mp = optarg; break;
        case 'H': hist = optarg; break;
        case 'n': if (vh_cli_parse_int("poi recommend", "-n", optarg, 1, 1000, &n)) return VH_EXIT_USAGE; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: return vh_cli_usage_error("poi recommend", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return vh_cli_usage_error("poi recommend", "unexpected argument '%s'", argv[optind]);
    if (!mp || !hist) return vh_cli_usage_error("poi recommend", "--model and --history are required");
    vh_poi_cf_model *m = NULL;
    int rc = vh_poi_cf_model_load(mp, &m);
    if (rc) return vh_cli_fail_status(rc);
    size_t ni = vh_poi_cf_model_items(m), h = 0;
    long long *ids = NULL, *idmins = NULL;
    long nh = parse_history(hist, &ids, &idmins);
    if (nh < 0) { vh_poi_cf_model_free(m); return VH_EXIT_INPUT; }
    int *items = malloc((size_t)nh * sizeof *items);
    long long *mins = malloc((size_t)nh * sizeof *mins);
    double *scores = malloc(ni * sizeof *scores);
    unsigned char *taken = calloc(ni, 1);
    int ret = 0;
    if (!items || !mins || !scores || !taken) { ret = vh_cli_fail(NULL, "out of memory"); goto done; }
    for (long k = 0; k < nh; k++) {
        long idx = vh_poi_cf_model_find(m, ids[k]);
        if (idx < 0) { ret = vh_cli_fail(mp, "place %lld from --history is not in the model", ids[k]); goto done; }
        items[h] = (int)idx;
        mins[h++] = idmins[k];
    }
    if ((rc = vh_poi_cf_score(m, items, mins, h, NULL, scores))) { ret = vh_cli_fail_status(rc); goto done; }
    vh_buf b = {0};
    vh_json_writer w;
    vh_jw_init(&w, &b, 1);
    vh_jw_array_begin(&w);
    for (int k = 0; k < n && (size_t)k < ni; k++) {
        size_t best = 0;
        int found = 0;
        for (size_t i = 0; i < ni; i++)
            if (!taken[i] && (!found || scores[i] > scores[best])) { best = i; found = 1; }
        if (!found) break;
        taken[best] = 1;
        if (json) {
            vh_jw_object_begin(&w);
            vh_jw_key(&w, "poi"); vh_jw_int(&w, vh_poi_cf_model_item_id(m, best));
            vh_jw_key(&w, "score"); vh_jw_number(&w, scores[best]);
            vh_jw_object_end(&w);
        } else {
            printf("%d. poi %lld (score %.4f)\n", k + 1, vh_poi_cf_model_item_id(m, best), scores[best]);
        }
    }
    vh_jw_array_end(&w);
    if (json) vh_cli_print_json(&b);
    vh_buf_free(&b);
done:
    free(ids);
    free(idmins);
    free(items);
    free(mins);
    free(scores);
    free(taken);
    vh_poi_cf_model_free(m);
    return ret;
}

int cmd_poi(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return VH_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) { usage(stdout); return 0; }
    argc--;
    argv++;
    optind = 1;
    if (!strcmp(sub, "import")) return cmd_import(argc, argv);
    if (!strcmp(sub, "suggest")) return cmd_suggest(argc, argv);
    if (!strcmp(sub, "train")) return cmd_train_eval(argc, argv, 0);
    if (!strcmp(sub, "eval")) return cmd_train_eval(argc, argv, 1);
    if (!strcmp(sub, "recommend")) return cmd_recommend(argc, argv);
    return vh_cli_usage_error("poi", "unknown subcommand '%s' (import, suggest, train, eval, recommend)", sub);
}
