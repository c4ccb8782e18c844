/* Persistent thread pool behind vh_parallel_for: static contiguous chunks, so a
 * given thread count always gives the same split (reproducible reductions). */
#define _GNU_SOURCE
#include "internal.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define VH_MAX_THREADS 64

static int g_threads;                 /* 0 = not yet decided */
static _Thread_local int tl_in_pool;  /* nested calls run serially */

static pthread_mutex_t g_call_lock = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t g_cv_done = PTHREAD_COND_INITIALIZER;
static pthread_t g_workers[VH_MAX_THREADS];
static int g_nworkers;
static unsigned long g_generation;
static int g_pending;
static struct {
    vh_range_fn fn;
    void *ctx;
    size_t n, chunk;
    int nchunks;
} g_job;

static int default_threads(void) {
    const char *env = getenv("VERHM_THREADS");
    if (env && atoi(env) > 0) return VH_MIN(atoi(env), VH_MAX_THREADS);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return (int)VH_MIN(n, VH_MAX_THREADS);
}

int vh_threads_get(void) {
    if (!g_threads) g_threads = default_threads();
    return g_threads;
}

void vh_threads_set(int n) {
    g_threads = n < 1 ? default_threads() : VH_MIN(n, VH_MAX_THREADS);
}

static void run_chunk(int tid) {
    size_t b = (size_t)tid * g_job.chunk;
    if (b >= g_job.n) return;
    size_t e = VH_MIN(g_job.n, b + g_job.chunk);
    g_job.fn(g_job.ctx, b, e, tid);
}

static void *worker_main(void *arg) {
    int tid = (int)(intptr_t)arg;
    unsigned long seen = 0;
    tl_in_pool = 1;
    for (;;) {
        pthread_mutex_lock(&g_lock);
        while (g_generation == seen) pthread_cond_wait(&g_cv_work, &g_lock);
        seen = g_generation;
        int mine = tid < g_job.nchunks;
        pthread_mutex_unlock(&g_lock);
        if (mine) run_chunk(tid);
        pthread_mutex_lock(&g_lock);
        if (--g_pending == 0) pthread_cond_signal(&g_cv_done);
        pthread_mutex_unlock(&g_lock);
    }
    return NULL;
}

static void ensure_workers(int want) {
    while (g_nworkers < want - 1) {
        int tid = g_nworkers + 1;
        if (pthread_create(&g_workers[g_nworkers], NULL, worker_main, (void *)(intptr_t)tid) != 0)
            break;
        pthread_detach(g_workers[g_nworkers]);
        g_nworkers++;
    }
}

void vh_parallel_for(size_t n, size_t grain, vh_range_fn fn, void *ctx) {
    if (n == 0) return;
    if (grain < 1) grain = 1;
    int t = vh_threads_get();
    size_t max_chunks = (n + grain - 1) / grain;
    if ((size_t)t > max_chunks) t = (int)max_chunks;
    if (t <= 1 || tl_in_pool) { fn(ctx, 0, n, 0); return; }

    pthread_mutex_lock(&g_call_lock);
    pthread_mutex_lock(&g_lock);
    ensure_workers(t);
    if (t > g_nworkers + 1) t = g_nworkers + 1;
    g_job.fn = fn;
    g_job.ctx = ctx;
    g_job.n = n;
    g_job.chunk = (n + (size_t)t - 1) / (size_t)t;
    g_job.nchunks = t;
    g_pending = g_nworkers;
    g_generation++;
    pthread_cond_broadcast(&g_cv_work);
    pthread_mutex_unlock(&g_lock);

    tl_in_pool = 1;
    run_chunk(0);
    tl_in_pool = 0;

    pthread_mutex_lock(&g_lock);
    while (g_pending > 0) pthread_cond_wait(&g_cv_done, &g_lock);
    pthread_mutex_unlock(&g_lock);
    pthread_mutex_unlock(&g_call_lock);
}
