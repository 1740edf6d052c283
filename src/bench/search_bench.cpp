#include "bench/search_bench.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "index/vector_index.h"
#include "util/hash.h"
#include "util/latency_stats.h"

namespace clasp {

namespace {

using Clock = std::chrono::steady_clock;


// Deterministic standard normal numbers (Box-Muller over splitmix64).
struct Normal {
  uint64_t s;
  double next() {
    double u1 = unit_from_hash(s = splitmix64(s)), u2 = unit_from_hash(s = splitmix64(s));
    return std::sqrt(-2 * std::log(std::max(u1, 1e-300))) * std::cos(2 * M_PI * u2);
  }
};

void normalise(float* v, int d) {
  double n = 0;
  for (int i = 0; i < d; ++i) n += static_cast<double>(v[i]) * v[i];
  n = std::sqrt(std::max(n, 1e-30));
  for (int i = 0; i < d; ++i) v[i] = static_cast<float>(v[i] / n);
}

std::vector<float> clustered(size_t n, int d, size_t clusters, double noise, uint64_t seed) {
  Normal g{seed};
  std::vector<float> centres(clusters * static_cast<size_t>(d));
  for (auto& c : centres) c = static_cast<float>(g.next());
  for (size_t c = 0; c < clusters; ++c) normalise(&centres[c * static_cast<size_t>(d)], d);
  std::vector<float> x(n * static_cast<size_t>(d));
  const double sd = noise / std::sqrt(static_cast<double>(d));
  for (size_t i = 0; i < n; ++i) {
    const float* c = &centres[(splitmix64(seed ^ i) % clusters) * static_cast<size_t>(d)];
    float* v = &x[i * static_cast<size_t>(d)];
    for (int j = 0; j < d; ++j) v[j] = c[j] + static_cast<float>(sd * g.next());
    normalise(v, d);
  }
  return x;
}

}  // namespace

std::vector<SearchLatency> bench_vector_search(size_t n, int d, size_t nq, const std::vector<int>& nprobes,
                                               bool with_ivf) {
  const size_t D = static_cast<size_t>(d);
  auto x = clustered(n, d, std::max<size_t>(16, n / 500), 0.8, 42);
  // Queries: stored vectors plus noise (a paraphrase of something in the index).
  std::vector<float> q(nq * D);
  Normal g{7};
  for (size_t i = 0; i < nq; ++i) {
    const float* src = &x[(splitmix64(i + 99) % n) * D];
    for (size_t j = 0; j < D; ++j) q[i * D + j] = src[j] + static_cast<float>(0.5 / std::sqrt(d) * g.next());
    normalise(&q[i * D], d);
  }
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(i);

  std::vector<SearchLatency> out;
  auto t0 = Clock::now();
  auto exact = VectorIndex::exact(d);
  exact.add(ids, x.data());
  SearchLatency e{"exact", n};
  e.build_s = ms_since(t0) / 1000;
  std::vector<std::vector<VectorHit>> truth;
  std::vector<double> lat;
  for (size_t i = 0; i < nq; ++i) {
    auto t = Clock::now();
    truth.push_back(exact.search(&q[i * D], 1, 10)[0]);
    lat.push_back(ms_since(t));
  }
  e.p50_ms = latency_percentile(lat, 0.5);
  e.p99_ms = latency_percentile(lat, 0.99);
  out.push_back(e);
  if (!with_ivf) return out;

  // IVF: about sqrt(n) clusters, trained on at most 64k vectors.
  int nlist = std::max(16, static_cast<int>(std::sqrt(static_cast<double>(n))));
  size_t ntrain = std::min<size_t>(n, std::max<size_t>(64000, static_cast<size_t>(nlist) * 40));
  ntrain = std::min(ntrain, n);
  t0 = Clock::now();
  auto ivf = VectorIndex::ivf(d, x.data(), ntrain, nlist);
  ivf.add(ids, x.data());
  double build = ms_since(t0) / 1000;
  for (int np : nprobes) {
    ivf.set_nprobe(np);
    SearchLatency r{"ivf", n, nlist, np};
    r.build_s = build;
    lat.clear();
    size_t found = 0, total = 0;
    for (size_t i = 0; i < nq; ++i) {
      auto t = Clock::now();
      auto hits = ivf.search(&q[i * D], 1, 10)[0];
      lat.push_back(ms_since(t));
      for (const auto& h : truth[i]) {
        ++total;
        found += std::any_of(hits.begin(), hits.end(), [&](const VectorHit& a) { return a.id == h.id; });
      }
    }
    r.p50_ms = latency_percentile(lat, 0.5);
    r.p99_ms = latency_percentile(lat, 0.99);
    r.recall10 = total ? static_cast<double>(found) / static_cast<double>(total) : 1;
    out.push_back(r);
  }
  return out;
}

ServerLoad bench_server(const std::string& host, int port, int clients, size_t per_client,
                        const std::vector<std::string>& queries) {
  ServerLoad r;
  r.clients = clients;
  std::mutex mu;
  std::vector<double> lat;
  std::atomic<size_t> errors{0};
  auto t0 = Clock::now();
  std::vector<std::thread> th;
  for (int c = 0; c < clients; ++c)
    th.emplace_back([&, c] {
      httplib::Client cli(host, port);
      cli.set_keep_alive(true);
      std::vector<double> mine;
      for (size_t i = 0; i < per_client; ++i) {
        const auto& q = queries[(static_cast<size_t>(c) * per_client + i) % queries.size()];
        auto t = Clock::now();
        auto res = cli.Get("/api/search?k=10&q=" + httplib::detail::encode_query_param(q));
        mine.push_back(ms_since(t));
        if (!res || res->status != 200) ++errors;
      }
      std::lock_guard lock(mu);
      lat.insert(lat.end(), mine.begin(), mine.end());
    });
  for (auto& t : th) t.join();
  r.wall_s = ms_since(t0) / 1000;
  r.requests = lat.size();
  r.errors = errors;
  r.qps = static_cast<double>(r.requests) / r.wall_s;
  r.p50_ms = latency_percentile(lat, 0.5);
  r.p99_ms = latency_percentile(lat, 0.99);
  return r;
}

}  // namespace clasp
