#pragma once
// Benchmarks of the retrieval product: vector search latency over stored
// collection sizes (exact and IVF with recall@10 against exact), and HTTP
// queries per second against a running server on loopback.
#include <cstddef>
#include <string>
#include <vector>

namespace clasp {

struct SearchLatency {
  std::string kind;  // "exact" or "ivf"
  size_t vectors = 0;
  int nlist = 0, nprobe = 0;
  double p50_ms = 0, p99_ms = 0, recall10 = 1, build_s = 0;
};

// Clustered synthetic unit vectors (a Gaussian mixture: `clusters` centres,
// each vector a centre plus noise), so IVF sees structure as with real
// embeddings. Queries are noisy copies of stored vectors.
std::vector<SearchLatency> bench_vector_search(size_t n, int dim, size_t queries, const std::vector<int>& nprobes,
                                               bool with_ivf = true);

struct ServerLoad {
  int clients = 0;
  size_t requests = 0, errors = 0;
  double wall_s = 0, qps = 0, p50_ms = 0, p99_ms = 0;
};

// `clients` threads each send `per_client` text queries to the server.
ServerLoad bench_server(const std::string& host, int port, int clients, size_t per_client,
                        const std::vector<std::string>& queries);

}  // namespace clasp
