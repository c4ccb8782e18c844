/* Phone recognition with PocketSphinx (all-phone search, en-us model). */
#define _POSIX_C_SOURCE 200809L
#include "verhm/avatar.h"
#include "core/internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#if defined(__has_include)
#if __has_include(<pocketsphinx.h>)
#define VH_HAVE_SPHINX 1
#endif
#endif

#ifdef VH_HAVE_SPHINX
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

struct vh_phone_rec {
    ps_decoder_t *ps;
};

int vh_phone_rec_new(const char *model_dir, vh_phone_rec **out) {
    if (!out) return vh__fail(NULL, VH_EINVAL, "vh_phone_rec_new: NULL out");
    *out = NULL;
    const char *dir = model_dir ? model_dir : "/usr/share/pocketsphinx/model/en-us";
    char hmm[1024], lm[1024], mdef[1100];
    if (snprintf(hmm, sizeof hmm, "%s/en-us", dir) >= (int)sizeof hmm ||
        snprintf(lm, sizeof lm, "%s/en-us-phone.lm.bin", dir) >= (int)sizeof lm)
        return vh__fail(NULL, VH_EINVAL, "%s: model path too long", dir);
    snprintf(mdef, sizeof mdef, "%s/mdef", hmm);
    if (!vh_is_file(mdef) || !vh_is_file(lm))
        return vh__fail(NULL, VH_ENOTFOUND, "%s: PocketSphinx en-us model not found (install pocketsphinx-en-us)", dir);
    err_set_logfp(NULL); /* library code never prints */
    cmd_ln_t *cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-allphone", lm, "-allphone_ci", "yes", "-backtrace", "yes",
                                "-beam", "1e-20", "-pbeam", "1e-20", "-lw", "2.0", "-samprate", "16000",
                                "-logfn", "/dev/null", NULL);
    if (!cfg) return vh__fail(NULL, VH_EFORMAT, "%s: PocketSphinx rejected its configuration", dir);
    ps_decoder_t *ps = ps_init(cfg);
    cmd_ln_free_r(cfg);
    if (!ps) return vh__fail(NULL, VH_EFORMAT, "%s: PocketSphinx could not load the en-us model", dir);
    vh_phone_rec *r = calloc(1, sizeof *r);
    if (!r) { ps_free(ps); return vh__fail(NULL, VH_ENOMEM, "phone recognizer: out of memory"); }
    r->ps = ps;
    *out = r;
    return VH_OK;
}

void vh_phone_rec_free(vh_phone_rec *r) {
    if (!r) return;
    ps_free(r->ps);
    free(r);
}

int vh_phone_rec_run(vh_phone_rec *r, const float *pcm, size_t n, double t0, vh_phone_seg **segs, int *count) {
    if (!r || !segs || !count || (n && !pcm)) return vh__fail(NULL, VH_EINVAL, "vh_phone_rec_run: bad arguments");
    *segs = NULL;
    *count = 0;
    if (ps_start_utt(r->ps) < 0) return vh__fail(NULL, VH_EINTERNAL, "PocketSphinx: cannot start an utterance");
    int16_t buf[4096];
    for (size_t i = 0; i < n;) {
        size_t m = VH_MIN(n - i, VH_COUNTOF(buf));
        for (size_t j = 0; j < m; j++) {
            float v = pcm[i + j] * 32767.0f;
            buf[j] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : (v == v ? v : 0));
        }
        if (ps_process_raw(r->ps, buf, m, FALSE, FALSE) < 0) {
            ps_end_utt(r->ps);
            return vh__fail(NULL, VH_EINTERNAL, "PocketSphinx: decoding failed");
        }
        i += m;
    }
    if (ps_end_utt(r->ps) < 0) return vh__fail(NULL, VH_EINTERNAL, "PocketSphinx: cannot end the utterance");
    int cap = 0, cnt = 0;
    vh_phone_seg *out = NULL;
    for (ps_seg_t *s = ps_seg_iter(r->ps); s; s = ps_seg_next(s)) {
        if (cnt == cap) {
            int nc = cap ? cap * 2 : 64;
            vh_phone_seg *p = realloc(out, (size_t)nc * sizeof *p);
            if (!p) { ps_seg_free(s); free(out); return vh__fail(NULL, VH_ENOMEM, "phone recognizer: out of memory"); }
            out = p;
            cap = nc;
        }
        int sf = 0, ef = 0;
        ps_seg_frames(s, &sf, &ef);
        const char *w = ps_seg_word(s);
        vh_phone_seg *o = &out[cnt++];
        snprintf(o->phone, sizeof o->phone, "%s", w ? w : "SIL");
        /* PocketSphinx frames are 10 ms; the end frame is inclusive. */
        o->start = t0 + sf * 0.01;
        o->end = t0 + (ef + 1) * 0.01;
    }
    *segs = out;
    *count = cnt;
    return VH_OK;
}

#else

struct vh_phone_rec { int unused; };

int vh_phone_rec_new(const char *model_dir, vh_phone_rec **out) {
    (void)model_dir;
    if (out) *out = NULL;
    return vh__fail(NULL, VH_EUNSUPPORTED, "phone recognizer: verhm was built without PocketSphinx (libpocketsphinx-dev)");
}
void vh_phone_rec_free(vh_phone_rec *r) { (void)r; }
int vh_phone_rec_run(vh_phone_rec *r, const float *pcm, size_t n, double t0, vh_phone_seg **segs, int *count) {
    (void)r; (void)pcm; (void)n; (void)t0;
    if (segs) *segs = NULL;
    if (count) *count = 0;
    return vh__fail(NULL, VH_EUNSUPPORTED, "phone recognizer: verhm was built without PocketSphinx");
}
#endif
