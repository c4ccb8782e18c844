// Landmark benchmark driver (dlib 19.24 side, benchmark only): same input file
// and output format as lm_bench.c.
#include <dlib/image_processing.h>
#include <dlib/array2d.h>
#include <chrono>
#include <cstdio>
#include <vector>

static uint32_t get32(FILE *f) { uint32_t v = 0; if (fread(&v, 4, 1, f) != 1) std::exit(1); return v; }

int main(int argc, char **argv) {
    if (argc != 5) { std::fprintf(stderr, "usage: dlib_peer MODEL IN.bin REPS OUT.txt\n"); return 2; }
    auto t0 = std::chrono::steady_clock::now();
    dlib::shape_predictor sp;
    dlib::deserialize(argv[1]) >> sp;
    double t_load = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    FILE *f = std::fopen(argv[2], "rb");
    if (!f) return 1;
    uint32_t n = get32(f);
    std::vector<dlib::array2d<dlib::rgb_pixel>> imgs(n);
    std::vector<dlib::rectangle> boxes(n);
    for (uint32_t i = 0; i < n; i++) {
        long w = get32(f), h = get32(f);
        long l = get32(f), t = get32(f), bw = get32(f), bh = get32(f);
        boxes[i] = dlib::rectangle(l, t, l + bw - 1, t + bh - 1);
        imgs[i].set_size(h, w);
        for (long y = 0; y < h; y++)
            for (long x = 0; x < w; x++) {
                unsigned char px[3];
                if (std::fread(px, 1, 3, f) != 3) return 1;
                imgs[i][y][x] = dlib::rgb_pixel(px[0], px[1], px[2]);
            }
    }
    std::fclose(f);
    int reps = std::atoi(argv[3]);
    FILE *o = std::fopen(argv[4], "w");
    t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; r++)
        for (uint32_t i = 0; i < n; i++) {
            dlib::full_object_detection d = sp(imgs[i], boxes[i]);
            if (r == 0)
                for (unsigned p = 0; p < d.num_parts(); p++)
                    std::fprintf(o, "%u %u %ld %ld\n", i, p, d.part(p).x(), d.part(p).y());
        }
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fclose(o);
    std::printf("dlib:  load %.3f s, %u faces x %d reps, %.1f us/face\n", t_load, n, reps, 1e6 * t / ((double)n * reps));
    return 0;
}
