#include "bench/two_stage_bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "data/longform.h"
#include "index/phone_gram_index.h"
#include "index/phonetic_match.h"
#include "index/phonetic_rerank.h"
#include "index/searcher.h"
#include "index/vector_index.h"
#include "speech/phoneme_vocab.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/latency_stats.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

using Clock = std::chrono::steady_clock;

double proc_status_mb(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::string(field).size())) / 1024.0;
  return 0;
}

// A made segment: its vector is normalize(alpha a + (1 - alpha) b + sigma c) of real segments' vectors.
struct Mix {
  uint32_t a = 0, b = 0, c = 0;
  float alpha = 1, sigma = 0, inv_norm = 1;
};

struct Collection {
  size_t base = 0;
  std::vector<Mix> mix;
  std::vector<uint64_t> phone_off;  // CSR of phoneme ids (uint8)
  std::vector<uint8_t> phones;
  PhoneGramIndex grams;
  double audio_s = 0;
  std::vector<int64_t> phones_of(size_t j) const {
    return {phones.begin() + static_cast<long>(phone_off[j]), phones.begin() + static_cast<long>(phone_off[j + 1])};
  }
};

struct Query {
  TextQuery tq;
  bool scan = true;   // a phrase (at most scan_words words): the phonetic search joins, as in the product
  size_t answer = 0;  // index of the query's own segment
  std::vector<float> base_dots;  // query . each real segment's vector
};

// Exact cosine of query q with made segment j.
float cosine(const Query& q, const Mix& m) {
  return (m.alpha * q.base_dots[m.a] + (1 - m.alpha) * q.base_dots[m.b] + m.sigma * q.base_dots[m.c]) * m.inv_norm;
}

// The second stage shared by both paths: vector candidates (with cosines)
// joined by the phonetic search's best, re-ranked; every candidate (index,
// score), best first.
std::vector<std::pair<int64_t, float>> second_stage(const Collection& c, const Query& q, std::vector<std::pair<int64_t, float>> cands,
                                  const std::vector<std::pair<float, int64_t>>& phonetic, const SearchOptions& opt,
                                  const PhoneCosts& costs) {
  std::set<int64_t> have;
  for (const auto& [id, s] : cands) have.insert(id);
  size_t added = 0;
  for (const auto& [match, id] : phonetic)
    if (added < opt.scan && have.insert(id).second) {
      cands.push_back({id, cosine(q, c.mix[static_cast<size_t>(id)])});
      ++added;
    }
  std::vector<std::vector<int64_t>> phones(cands.size());
  std::vector<float> scores(cands.size());
  for (size_t i = 0; i < cands.size(); ++i) {
    phones[i] = c.phones_of(static_cast<size_t>(cands[i].first));
    scores[i] = cands[i].second;
  }
  PhoneticRerankOptions ro;
  ro.top_k = opt.rerank + added;
  ro.costs = &costs;
  ro.glosses = &q.tq.glosses;
  phonetic_rerank(scores, q.tq.phones, [&](size_t i) -> const std::vector<int64_t>& { return phones[i]; }, ro);
  std::vector<size_t> order(cands.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return scores[x] > scores[y]; });
  std::vector<std::pair<int64_t, float>> ranked;
  for (size_t i : order) ranked.push_back({cands[i].first, scores[i]});
  return ranked;
}

// The indexes of the best 10 of a second stage's ranking.
std::vector<int64_t> best_ten(const std::vector<std::pair<int64_t, float>>& ranked) {
  std::vector<int64_t> top;
  for (size_t i = 0; i < ranked.size() && top.size() < 10; ++i) top.push_back(ranked[i].first);
  return top;
}

std::vector<std::pair<float, int64_t>> best_matches(std::vector<std::pair<float, int64_t>> scored, size_t k) {
  k = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(k), scored.end(), [](const auto& x, const auto& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  });
  scored.resize(k);
  return scored;
}

}  // namespace

std::vector<TwoStageBenchRow> bench_two_stage(Searcher& s, const TwoStageBenchOptions& opt) {
  if (opt.sizes.empty()) throw Error("bench-search --two-stage: give at least one size");
  if (opt.ann != "auto" && opt.ann != "flat" && opt.ann != "ivf-sq8" && opt.ann != "ivf-flat")
    throw Error("bench-search --ann: expected auto, flat, ivf-flat or ivf-sq8, got \"" + opt.ann + "\"");
  const PhonemeVocab& vocab = s.vocab();
  if (vocab.size() <= 1) throw Error("bench-search --two-stage: the index's model has no CTC phoneme head");
  if (vocab.size() > 255) throw Error("bench-search --two-stage: more than 255 phoneme classes");

  // 1. The real segments, and the queries whose answers they hold.
  auto stored = s.index().stored_segments();
  std::vector<StoredSegment> base;
  for (auto& st : stored)
    if (!st.phones.empty()) base.push_back(std::move(st));
  if (base.size() < 20) throw Error("bench-search --two-stage: the index has " + std::to_string(base.size()) +
                                    " segments with transcripts; need at least 20");
  const size_t B = base.size();
  const int dim = static_cast<int>(base[0].vec.size());
  std::vector<std::vector<int64_t>> base_phones(B);
  double base_phone_count = 0, base_seconds = 0;
  for (size_t i = 0; i < B; ++i) {
    base_phones[i] = vocab.encode(base[i].phones);
    base_phone_count += static_cast<double>(base_phones[i].size());
    base_seconds += base[i].segment.end - base[i].segment.start;
  }
  const double phones_per_s = base_phone_count / std::max(1.0, base_seconds);
  std::vector<double> gram(B * B);  // Gram matrix of the real vectors, for the made vectors' norms
  for (size_t i = 0; i < B; ++i)
    for (size_t j = 0; j < B; ++j) {
      double d = 0;
      for (int k = 0; k < dim; ++k) d += static_cast<double>(base[i].vec[static_cast<size_t>(k)]) * base[j].vec[static_cast<size_t>(k)];
      gram[i * B + j] = d;
    }

  std::vector<Query> queries;
  const fs::path rec_dir = fs::path(opt.truth).parent_path();
  for (const auto& p : read_longform_truth(opt.truth)) {
    if (queries.size() >= opt.queries) break;
    const std::string path = fs::absolute(rec_dir / p.recording).lexically_normal().string();
    size_t best = B;
    double best_overlap = 0;
    for (size_t i = 0; i < B; ++i) {
      if (fs::path(base[i].segment.path).lexically_normal().string() != path) continue;
      double o = std::min(p.end, base[i].segment.end) - std::max(p.start, base[i].segment.start);
      if (o > best_overlap) best_overlap = o, best = i;
    }
    if (best == B || best_overlap < 0.5 * (p.end - p.start)) continue;  // not held by one segment
    std::istringstream words(p.text);
    std::string text, w;
    size_t n_words = 0;
    for (; words >> w && (opt.query_words == 0 || n_words < opt.query_words); ++n_words) text += (n_words ? " " : "") + w;
    Query q;
    q.scan = n_words <= opt.search.scan_words && opt.search.scan > 0;
    q.tq = s.prepare_text_query(text, p.lang, true);
    if (q.tq.phones.empty()) continue;
    q.answer = best;
    for (size_t i = 0; i < B; ++i) {
      double d = 0;
      for (int k = 0; k < dim; ++k) d += static_cast<double>(q.tq.vec[static_cast<size_t>(k)]) * base[i].vec[static_cast<size_t>(k)];
      q.base_dots.push_back(static_cast<float>(d));
    }
    queries.push_back(std::move(q));
  }
  if (queries.empty()) throw Error(opt.truth + ": no clip lies within one of the index's segments");
  const size_t n_exh = std::min(opt.exhaustive_queries, queries.size());

  std::vector<TwoStageBenchRow> rows;
  for (size_t n : opt.sizes) {
    if (n < B) throw Error("bench-search --sizes: " + std::to_string(n) + " is fewer than the index's " +
                           std::to_string(B) + " segments");
    TwoStageBenchRow row;
    row.segments = n;
    auto t_build = Clock::now();
    // 2. The collection.
    Collection c;
    c.grams = PhoneGramIndex(opt.grams);
    c.base = B;
    c.mix.resize(n);
    c.phone_off.reserve(n + 1);
    c.phone_off.push_back(0);
    Progress bar("collection", n, "segments");
    for (size_t j = 0; j < n; ++j) {
      std::vector<int64_t> ph;
      Mix& m = c.mix[j];
      if (j < B) {
        m.a = m.b = m.c = static_cast<uint32_t>(j);
        ph = base_phones[j];
        c.audio_s += base[j].segment.end - base[j].segment.start;
      } else {
        uint64_t h = splitmix64(opt.seed * 0x9E3779B97F4A7C15ULL + j);
        auto next = [&h]() { return h = splitmix64(h); };
        m.a = static_cast<uint32_t>(next() % B);
        m.b = static_cast<uint32_t>(next() % B);
        m.c = static_cast<uint32_t>(next() % B);
        m.alpha = 0.35f + 0.3f * static_cast<float>(next() % 1000) / 1000.0f;
        m.sigma = 0.15f;
        // Stretches of about 20 phonemes of each.
        for (uint32_t src : {m.a, m.b}) {
          const auto& p = base_phones[src];
          size_t len = std::min<size_t>(p.size(), 14 + next() % 13);
          size_t at = p.size() > len ? next() % (p.size() - len + 1) : 0;
          ph.insert(ph.end(), p.begin() + static_cast<long>(at), p.begin() + static_cast<long>(at + len));
        }
        std::vector<int64_t> noisy;
        const auto rate = static_cast<uint64_t>(opt.edit_rate * 1e6);
        for (int64_t id : ph) {
          if (next() % 1000000 < rate) continue;                                              // deletion
          noisy.push_back(next() % 1000000 < rate ? 1 + static_cast<int64_t>(next() % static_cast<uint64_t>(vocab.size() - 1)) : id);  // substitution
          if (next() % 1000000 < rate) noisy.push_back(1 + static_cast<int64_t>(next() % static_cast<uint64_t>(vocab.size() - 1)));  // insertion
        }
        ph = std::move(noisy);
        c.audio_s += static_cast<double>(ph.size()) / phones_per_s;
        const double al = m.alpha, be = 1 - m.alpha, si = m.sigma;
        const double sq = al * al * gram[m.a * B + m.a] + be * be * gram[m.b * B + m.b] + si * si * gram[m.c * B + m.c] +
                          2 * al * be * gram[m.a * B + m.b] + 2 * al * si * gram[m.a * B + m.c] +
                          2 * be * si * gram[m.b * B + m.c];
        m.inv_norm = static_cast<float>(1.0 / std::sqrt(std::max(1e-12, sq)));
      }
      for (int64_t id : ph) c.phones.push_back(static_cast<uint8_t>(id));
      c.phone_off.push_back(c.phones.size());
      c.grams.add(static_cast<int64_t>(j), base[m.a].segment.lang, vocab.decode(ph));
      if ((j + 1) % 10000 == 0 || j + 1 == n) bar.update(j + 1);
    }
    bar.finish();
    c.grams.freeze();
    row.audio_hours = c.audio_s / 3600.0;

    // The first stage's vectors, made in chunks.
    auto vec_of = [&](size_t j, float* out) {
      const Mix& m = c.mix[j];
      for (int k = 0; k < dim; ++k) {
        const auto kk = static_cast<size_t>(k);
        out[k] = (m.alpha * base[m.a].vec[kk] + (1 - m.alpha) * base[m.b].vec[kk] + m.sigma * base[m.c].vec[kk]) * m.inv_norm;
      }
      if (j < B) std::copy(base[j].vec.begin(), base[j].vec.end(), out);
    };
    row.ann = opt.ann == "auto" ? (n <= 20000 ? "flat" : "ivf-sq8") : opt.ann;
    const size_t chunk = 20000;
    std::vector<float> buf(chunk * static_cast<size_t>(dim));
    std::unique_ptr<VectorIndex> vi;
    if (row.ann == "flat") {
      vi = std::make_unique<VectorIndex>(VectorIndex::exact(dim));
    } else {
      const size_t train_n = std::min(n, size_t{100000});
      std::vector<float> train(train_n * static_cast<size_t>(dim));
      for (size_t t = 0; t < train_n; ++t) vec_of((t * 7919) % n, train.data() + t * static_cast<size_t>(dim));
      vi = std::make_unique<VectorIndex>(
          VectorIndex::ivf(dim, train.data(), train_n, 0, opt.search.nprobe, row.ann == "ivf-flat" ? "Flat" : "SQ8"));
    }
    for (size_t j0 = 0; j0 < n; j0 += chunk) {
      size_t m = std::min(chunk, n - j0);
      std::vector<int64_t> ids(m);
      for (size_t t = 0; t < m; ++t) {
        ids[t] = static_cast<int64_t>(j0 + t);
        vec_of(j0 + t, buf.data() + t * static_cast<size_t>(dim));
      }
      vi->add(ids, buf.data());
    }
    row.build_s = std::chrono::duration<double>(Clock::now() - t_build).count();
    row.rss_mb = proc_status_mb("VmRSS:");
    row.peak_rss_mb = proc_status_mb("VmHWM:");
    row.grams_mb = static_cast<double>(c.grams.memory_bytes()) / 1048576.0;
    row.phones_mb = static_cast<double>(c.phones.capacity() + c.phone_off.capacity() * 8 + c.mix.capacity() * sizeof(Mix)) / 1048576.0;
    row.vectors_mb = static_cast<double>(n) * (row.ann == "ivf-sq8" ? 1.0 * dim + 8 : 4.0 * dim + 8) / 1048576.0;

    // 3. The product path, timed; the exhaustive ranking for the first n_exh.
    std::vector<double> lat, lat_exh;
    Progress exhaustive_bar("exhaustive reference, " + std::to_string(n) + " segments", static_cast<int64_t>(n_exh),
                            "queries");
    size_t agree1 = 0, tie1 = 0, overlap10 = 0, ann10 = 0, truth1 = 0, truth1_exh = 0, truth1_prod_exh = 0;
    for (size_t qi = 0; qi < queries.size(); ++qi) {
      const Query& q = queries[qi];
      auto t0 = Clock::now();
      std::vector<std::pair<int64_t, float>> first;
      const auto found = vi->search(q.tq.vec.data(), 1, static_cast<int>(opt.search.rerank));
      for (const auto& h : found.at(0)) first.push_back({h.id, h.score});
      std::vector<std::pair<float, int64_t>> phon;
      if (q.scan)
        for (const auto& [id, bm25] : c.grams.top(q.tq.ipa, opt.search.phonetic_candidates))
          phon.push_back({phonetic_match(q.tq.phones, c.phones_of(static_cast<size_t>(id)), s.costs()), id});
      phon = best_matches(std::move(phon), opt.search.scan);
      auto top = best_ten(second_stage(c, q, first, phon, opt.search, s.costs()));
      lat.push_back(ms_since(t0));
      truth1 += !top.empty() && top[0] == static_cast<int64_t>(q.answer);
      if (qi >= n_exh) continue;

      // Exhaustive: every vector (exactly), every transcript.
      auto t1 = Clock::now();
      std::vector<std::pair<float, int64_t>> all_cos(n), all_match(n);
      for (size_t j = 0; j < n; ++j) all_cos[j] = {j < B ? q.base_dots[j] : cosine(q, c.mix[j]), static_cast<int64_t>(j)};
      auto exact = best_matches(all_cos, opt.search.rerank);
      std::vector<std::pair<int64_t, float>> exact_first;
      for (const auto& [sc, id] : exact) exact_first.push_back({id, sc});
      std::vector<std::thread> workers;
      for (int t = 0; t < opt.threads && q.scan; ++t)
        workers.emplace_back([&, t] {
          for (size_t j = static_cast<size_t>(t); j < n; j += static_cast<size_t>(opt.threads))
            all_match[j] = {phonetic_match(q.tq.phones, c.phones_of(j), s.costs()), static_cast<int64_t>(j)};
        });
      for (auto& w : workers) w.join();
      if (!q.scan) all_match.clear();
      const auto ref_ranked = second_stage(c, q, exact_first, best_matches(std::move(all_match), opt.search.scan),
                                           opt.search, s.costs());
      const auto ref = best_ten(ref_ranked);
      lat_exh.push_back(ms_since(t1));
      agree1 += !top.empty() && !ref.empty() && top[0] == ref[0];
      // A tie: the product's first scores as high as the reference's first
      // in the reference's own ranking (another segment equally good).
      if (!top.empty() && !ref.empty()) {
        const auto it = std::find_if(ref_ranked.begin(), ref_ranked.end(), [&](const auto& r) { return r.first == top[0]; });
        tie1 += it != ref_ranked.end() && it->second >= ref_ranked[0].second - 1e-5f;
      }
      truth1_exh += !ref.empty() && ref[0] == static_cast<int64_t>(q.answer);
      truth1_prod_exh += !top.empty() && top[0] == static_cast<int64_t>(q.answer);
      for (int64_t id : ref) overlap10 += std::find(top.begin(), top.end(), id) != top.end();
      std::set<int64_t> exact10, ann_first10;
      for (size_t i = 0; i < exact.size() && i < 10; ++i) exact10.insert(exact[i].second);
      for (size_t i = 0; i < first.size() && i < 10; ++i) ann10 += exact10.count(first[i].first);
      exhaustive_bar.update(static_cast<int64_t>(qi + 1));
    }
    exhaustive_bar.finish();
    row.queries = queries.size();
    row.exhaustive_queries = n_exh;
    row.p50_ms = latency_percentile(lat, 0.5);
    row.p99_ms = latency_percentile(lat, 0.99);
    row.exhaustive_p50_ms = latency_percentile(lat_exh, 0.5);
    row.recall1 = n_exh ? static_cast<double>(agree1) / static_cast<double>(n_exh) : 0;
    row.recall1_ties = n_exh ? static_cast<double>(tie1) / static_cast<double>(n_exh) : 0;
    row.recall10 = n_exh ? static_cast<double>(overlap10) / (10.0 * static_cast<double>(n_exh)) : 0;
    row.ann_recall10 = n_exh ? static_cast<double>(ann10) / (10.0 * static_cast<double>(n_exh)) : 1;
    row.truth_hits1 = static_cast<double>(truth1) / static_cast<double>(queries.size());
    if (n_exh) {
      row.truth_hits1_exh = static_cast<double>(truth1_exh) / static_cast<double>(n_exh);
      row.truth_hits1_prod_exh = static_cast<double>(truth1_prod_exh) / static_cast<double>(n_exh);
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace clasp
