/* The one GEMM entry point of the library (OpenBLAS cblas_sgemm, row-major). */
#include "nn_internal.h"
#include <cblas.h>

void vh_nn_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { /* C = beta C (BLAS would do the same; keep it explicit) */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] = beta == 0 ? 0 : beta * C[(size_t)i * ldc + j];
        return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K,
                alpha, A, lda, B, ldb, beta, C, ldc);
}

void vh__nn_blas_single_thread(void) { openblas_set_num_threads(1); }

/* Parallel GEMM split over the M rows of C (each C row is computed by exactly
 * one thread, so no cross-thread reduction happens). */
typedef struct {
    int ta, tb, M, N, K;
    float alpha, beta;
    const float *A, *B;
    float *C;
    int lda, ldb, ldc;
} pg_ctx;

static void pg_body(void *vc, size_t b, size_t e, int tid) {
    (void)tid;
    pg_ctx *p = vc;
    const float *A = p->ta ? p->A + b : p->A + b * (size_t)p->lda;
    vh_nn_gemm(p->ta, p->tb, (int)(e - b), p->N, p->K, p->alpha, A, p->lda, p->B, p->ldb, p->beta,
               p->C + b * (size_t)p->ldc, p->ldc);
}

void vh__nn_pgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc) {
    pg_ctx p = {ta, tb, M, N, K, alpha, beta, A, B, C, lda, ldb, ldc};
    size_t work = (size_t)M * (size_t)N * (size_t)(K > 0 ? K : 1);
    size_t grain = work < 32768 ? (size_t)M : 8;
    vh_parallel_for((size_t)M, grain, pg_body, &p);
}
