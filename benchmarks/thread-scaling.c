/* How much can a second thread give a time-stepped network on this machine? The ceiling for
 * Volley's time-stepped engine on two threads, measured without Volley:
 *  1. round trip: two threads hand a cache line back and forth (ns per round trip);
 *  2. stepped update: N leaky integrate-and-fire neurons with exponential currents (three lanes
 *     of doubles: V, I_exc, I_inh; the exact propagator of a 0.1 ms step, reset at threshold),
 *     split into one contiguous block per thread, one fork and one join per step — spinning on
 *     two atomic counters, as Volley's ThreadTeam does. No synapses: every step is perfectly
 *     parallel, so the speed-up of two threads over one is an upper bound for the engine's.
 *     N = 4000 and 100 000; one and two threads alternate, ROUNDS times; medians.
 * Build and run: gcc -O3 -pthread -o /tmp/thread-scaling benchmarks/thread-scaling.c && /tmp/thread-scaling
 * Prints a human table and, last, one JSON object. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ROUNDS = 7 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static inline void pause_hint(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* ---- 1. round trip ---- */
static _Alignas(64) atomic_long ping;
static _Alignas(64) atomic_long pong;
static const long trips = 1000000;

static void *ponger(void *unused) {
  (void)unused;
  for (long i = 1; i <= trips; i++) {
    while (atomic_load_explicit(&ping, memory_order_acquire) != i) pause_hint();
    atomic_store_explicit(&pong, i, memory_order_release);
  }
  return NULL;
}

static double round_trip_ns(void) {
  atomic_store(&ping, 0);
  atomic_store(&pong, 0);
  pthread_t t;
  pthread_create(&t, NULL, ponger, NULL);
  double t0 = now();
  for (long i = 1; i <= trips; i++) {
    atomic_store_explicit(&ping, i, memory_order_release);
    while (atomic_load_explicit(&pong, memory_order_acquire) != i) pause_hint();
  }
  double ns = (now() - t0) / trips * 1e9;
  pthread_join(t, NULL);
  return ns;
}

/* ---- 2. stepped update ---- */
static _Alignas(64) atomic_long generation;
static _Alignas(64) atomic_long finished;
static int neurons, threads;
static long steps;
static double *lanes; /* v, exc, inh lanes of `neurons` doubles each */
/* τm = 20 ms, τe = 5 ms, τi = 10 ms, dt = 0.1 ms: the propagator entries of CUBA's LIF. */
static double membrane, exc_decay, inh_decay, exc_to_v, inh_to_v;

static void update_block(int k) {
  int size = (neurons / threads + 63) / 64 * 64;
  int lo = k * size, hi = lo + size < neurons ? lo + size : neurons;
  double *v = lanes, *e = lanes + neurons, *in = lanes + 2 * neurons;
  for (int i = lo; i < hi; i++) {
    double x = -49.0 + (v[i] + 49.0) * membrane + e[i] * exc_to_v + in[i] * inh_to_v;
    e[i] *= exc_decay;
    in[i] *= inh_decay;
    v[i] = x >= -50.0 ? -60.0 : x;
  }
}

static void *worker(void *arg) {
  int k = (int)(long)arg;
  for (long s = 1; s <= steps; s++) {
    while (atomic_load_explicit(&generation, memory_order_acquire) != s) pause_hint();
    update_block(k);
    atomic_fetch_add_explicit(&finished, 1, memory_order_release);
  }
  return NULL;
}

/* Seconds per step of `n` neurons on `t` threads. */
static double seconds_per_step(int n, int t) {
  neurons = n;
  threads = t;
  steps = 200000000L / n; /* ≈ 2·10⁸ neuron updates per measurement */
  lanes = aligned_alloc(64, (size_t)3 * n * 8 + 64);
  for (int i = 0; i < n; i++) {
    lanes[i] = -60.0 + 10.0 * i / n;
    lanes[n + i] = 0.5;
    lanes[2 * n + i] = -0.2;
  }
  atomic_store(&generation, 0);
  atomic_store(&finished, 0);
  pthread_t th[8];
  for (long k = 1; k < t; k++) pthread_create(&th[k], NULL, worker, (void *)k);
  double t0 = now();
  for (long s = 1; s <= steps; s++) {
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    atomic_store_explicit(&generation, s, memory_order_release);
    update_block(0);
    while (atomic_load_explicit(&finished, memory_order_acquire) != t - 1) pause_hint();
  }
  double seconds = (now() - t0) / steps;
  for (long k = 1; k < t; k++) pthread_join(th[k], NULL);
  if (lanes[n / 2] > 1e9) puts("");
  free(lanes);
  return seconds;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *xs, int n) {
  qsort(xs, n, sizeof(double), by_value);
  return n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
}

int main(void) {
  double dt = 0.1;
  membrane = __builtin_exp(-dt / 20.0);
  exc_decay = __builtin_exp(-dt / 5.0);
  inh_decay = __builtin_exp(-dt / 10.0);
  exc_to_v = 5.0 / (20.0 - 5.0) * (membrane - exc_decay);
  inh_to_v = 10.0 / (20.0 - 10.0) * (membrane - inh_decay);
  double trip = round_trip_ns();
  int sizes[] = {4000, 100000};
  double one[2], two[2];
  printf("round trip between the two threads: %.0f ns\n", trip);
  printf("stepped LIF update, one fork and one join per step (median of %d alternations):\n", ROUNDS);
  for (int s = 0; s < 2; s++) {
    double a[ROUNDS], b[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      a[r] = seconds_per_step(sizes[s], 1);
      b[r] = seconds_per_step(sizes[s], 2);
    }
    one[s] = median(a, ROUNDS);
    two[s] = median(b, ROUNDS);
    printf("  N = %-6d  1 thread %7.2f µs/step   2 threads %7.2f µs/step   speed-up %.2f×\n", sizes[s],
           one[s] * 1e6, two[s] * 1e6, one[s] / two[s]);
  }
  printf("{\"probe\":\"thread-scaling\",\"round_trip_ns\":%.1f,"
         "\"step_us_4000\":[%.3f,%.3f],\"step_us_100000\":[%.3f,%.3f],"
         "\"speedup_4000\":%.3f,\"speedup_100000\":%.3f}\n",
         trip, one[0] * 1e6, two[0] * 1e6, one[1] * 1e6, two[1] * 1e6, one[0] / two[0], one[1] / two[1]);
  return 0;
}
