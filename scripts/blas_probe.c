// The set-up script's BLAS check: multiplies two 1024x1024 float matrices
// with whatever libblas.so.3 resolves to and prints "<kernel> <GFLOP/s>"
// (kernel "not-openblas" for another BLAS). OPENBLAS_CORETYPE, if set, picks
// OpenBLAS's kernel, so the script can compare its choice with others.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef void (*sgemm_t)(const char*, const char*, const int*, const int*, const int*, const float*, const float*,
                        const int*, const float*, const int*, const float*, float*, const int*);
int main(void) {
  void* h = dlopen("libblas.so.3", RTLD_NOW);
  if (!h) { printf("none 0\n"); return 1; }
  sgemm_t sgemm = (sgemm_t)dlsym(h, "sgemm_");
  char* (*core)(void) = (char* (*)(void))dlsym(h, "openblas_get_corename");
  const int n = 1024; const float one = 1, zero = 0;
  float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
  for (int i = 0; i < n * n; ++i) { a[i] = (float)(i % 13) / 13; b[i] = (float)(i % 7) / 7; }
  sgemm("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  int reps = 5;
  for (int r = 0; r < reps; ++r) sgemm("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%s %.1f\n", core ? core() : "not-openblas", 2.0 * n * n * n * reps / s / 1e9);
  return 0;
}
