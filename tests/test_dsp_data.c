/* Real speech (RAVDESS, ../shared/data): neutral statements of actors 1-20
 * ("Kids are talking by the door" / "Dogs are sitting by the door", 7
 * syllables each). Checks that the front end runs on every file with finite
 * features, that speech is found, that syllable-nuclei counts land near 7,
 * and that pitch separates male (odd) from female (even) actors. */
#include "verhm/dsp.h"
#include "verhm/media.h"
#include "vh_test.h"

static const char *data_dir;

VH_TEST(ravdess_neutral_statements) {
    vh_features_params fp = vh_features_default_params();
    vh_features *fx;
    VH_CHECK_OK(vh_features_new(&fp, &fx));
    vh_prosody_params pp = vh_prosody_default_params();
    double f0_sum[2] = {0, 0}, abs_err = 0;
    int f0_n[2] = {0, 0}, files = 0, within2 = 0;
    for (int actor = 1; actor <= 20; actor++)
        for (int stmt = 1; stmt <= 2; stmt++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/speech/ravdess/Actor_%02d/03-01-01-01-%02d-01-%02d.flac", data_dir, actor, stmt, actor);
            float *x;
            size_t n;
            int st = vh_audio_load(path, 16000, 0, &x, &n);
            VH_CHECK_OK(st);
            if (st) continue;
            float *m;
            size_t frames;
            VH_CHECK_OK(vh_features_mfcc(fx, x, n, &m, &frames));
            VH_CHECK_INT_EQ(frames, 1 + n / 160);
            int finite = 1;
            for (size_t i = 0; m && i < frames * (size_t)fp.n_mfcc; i++) finite &= isfinite(m[i]);
            VH_CHECK(finite);
            free(m);
            vh_prosody pr;
            VH_CHECK_OK(vh_prosody_compute(&pp, x, n, &pr, NULL, NULL));
            VH_CHECK(pr.speech_s >= 0.8 && pr.speech_s <= pr.duration_s);
            VH_CHECK(pr.f0_mean_hz > 70 && pr.f0_mean_hz < 400);
            VH_CHECK(pr.hnr_db > 0 && pr.hnr_db < 40);
            VH_CHECK(pr.jitter_local > 0 && pr.jitter_local < 0.1);
            files++;
            abs_err += fabs(pr.syllables - 7.0);
            within2 += abs(pr.syllables - 7) <= 2;
            f0_sum[actor % 2 == 0] += pr.f0_mean_hz;
            f0_n[actor % 2 == 0]++;
            vh_free(x);
        }
    VH_CHECK_INT_EQ(files, 40);
    double male = f0_sum[0] / f0_n[0], female = f0_sum[1] / f0_n[1];
    printf("  %d files: syllable count mean |error| %.2f (truth 7), %d within +-2; mean f0 male %.1f Hz, female %.1f Hz\n",
           files, abs_err / files, within2, male, female);
    VH_CHECK(abs_err / files <= 1.5);
    VH_CHECK(within2 >= files * 8 / 10);
    VH_CHECK(male > 80 && male < 180);
    VH_CHECK(female > 160 && female < 300);
    VH_CHECK(female > male * 1.4);
    vh_features_free(fx);
}

int main(void) {
    data_dir = vh_test_require_data();
    VH_RUN(ravdess_neutral_statements);
    return vh_test_summary();
}
