/* How fast can this machine deliver synaptic events? Two probes, one core:
 *  1. latency: a dependent random pointer chase through W bytes (ns per load), from L1 to DRAM;
 *  2. delivery: CSR spike delivery as a simulator's inner loop does it — for random source rows
 *     of 80 targets, add a weight into a per-neuron input buffer (independent loads and stores,
 *     the memory system overlaps them) — ns per synaptic event, for N = 4 000 and 100 000.
 * Build and run: gcc -O2 -o /tmp/memory-latency benchmarks/memory-latency.c && /tmp/memory-latency
 * Prints a human table and, last, one JSON object. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { /* splitmix64 */
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double chase(size_t bytes) {
  size_t n = bytes / sizeof(size_t);
  size_t *next_index = malloc(n * sizeof(size_t)), *order = malloc(n * sizeof(size_t));
  for (size_t i = 0; i < n; i++) order[i] = i;
  for (size_t i = n - 1; i > 0; i--) { size_t j = next() % (i + 1), t = order[i]; order[i] = order[j]; order[j] = t; }
  for (size_t i = 0; i < n; i++) next_index[order[i]] = order[(i + 1) % n]; /* one cycle */
  size_t p = order[0], loads = 20000000;
  double t0 = now();
  for (size_t i = 0; i < loads; i++) p = next_index[p];
  double ns = (now() - t0) / loads * 1e9;
  if (p == (size_t)-1) puts("");
  free(next_index); free(order);
  return ns;
}

static double deliver(int neurons) {
  int degree = 80;
  size_t synapses = (size_t)neurons * degree;
  uint32_t *target = malloc(synapses * 4);
  double *weight = malloc(synapses * 8), *input = calloc(neurons, 8);
  for (size_t s = 0; s < synapses; s++) { target[s] = next() % neurons; weight[s] = 1.0; }
  size_t spikes = 40000000 / degree, events = 0;
  double t0 = now();
  for (size_t k = 0; k < spikes; k++) {
    size_t row = next() % neurons;
    const uint32_t *t = target + row * degree;
    const double *w = weight + row * degree;
    for (int j = 0; j < degree; j++) input[t[j]] += w[j];
    events += degree;
  }
  double ns = (now() - t0) / events * 1e9;
  double sum = 0; for (int i = 0; i < neurons; i++) sum += input[i];
  if (sum < 0) puts("");
  free(target); free(weight); free(input);
  return ns;
}

int main(void) {
  size_t sizes[] = {16 << 10, 256 << 10, 4 << 20, 64 << 20, 512 << 20};
  const char *names[] = {"16KiB", "256KiB", "4MiB", "64MiB", "512MiB"};
  double lat[5];
  printf("dependent random load (pointer chase):\n");
  for (int i = 0; i < 5; i++) { lat[i] = chase(sizes[i]); printf("  %-7s %6.2f ns\n", names[i], lat[i]); }
  double d4k = deliver(4000), d100k = deliver(100000);
  printf("CSR delivery into an input buffer, out-degree 80:\n  N = 4000    %.2f ns/event\n  N = 100000  %.2f ns/event\n", d4k, d100k);
  printf("{\"probe\":\"memory-latency\",\"latency_ns\":{");
  for (int i = 0; i < 5; i++) printf("%s\"%s\":%.3f", i ? "," : "", names[i], lat[i]);
  printf("},\"delivery_ns_per_event_4000\":%.3f,\"delivery_ns_per_event_100000\":%.3f}\n", d4k, d100k);
  return 0;
}
