// clasp bench-search (vector search sizes, server load) and clasp bench-audio
// (the whole audio embedding pipeline).
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "audio/audio_file.h"
#include "cli/commands.h"
#include "data/manifest.h"
#include "bench/search_bench.h"
#include "index/searcher.h"
#include "bench/two_stage_bench.h"
#include "serve/http_server.h"
#include "speech/audio_embedder.h"
#include "util/blas_kernel.h"
#include "util/error.h"
#include "util/fs.h"

namespace fs = std::filesystem;

namespace clasp::cli {

namespace {

struct SearchBenchArgs {
  std::vector<size_t> sizes = {10000, 100000, 1000000};
  std::vector<int> nprobes = {4, 8, 16, 32, 64};
  int dim = 256;
  size_t queries = 200;
  std::string index, json_out;
  int clients = 4;
  size_t requests = 50;
  bool two_stage = false;
  TwoStageBenchOptions ts;
};

void run_two_stage_bench(SearchBenchArgs& a) {
  if (a.index.empty() || a.ts.truth.empty())
    throw Error("bench-search --two-stage: give --index (an index of real speech) and --truth (its truth.jsonl)");
  a.ts.sizes = a.sizes;
  set_compute_threads(a.ts.threads);
  Searcher s(a.index);
  auto rows = bench_two_stage(s, a.ts);
  std::printf("machine: %s\n", machine_summary(a.ts.threads).c_str());
  std::printf("two-stage search, %zu-word queries, rerank %zu + phonetic %zu of %zu candidates (refine x%zu):\n",
              a.ts.query_words, a.ts.search.rerank, a.ts.search.scan, a.ts.search.phonetic_candidates,
              a.ts.grams.refine);
  std::printf("| segments | audio h | first stage | build s | RSS MB (peak) | grams MB | p50 ms | p99 ms | exhaustive "
              "p50 ms | recall@1 | recall@1 with ties | recall@10 | ANN recall@10 | own segment first | own first, "
              "exhaustive queries: product / exhaustive |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  nlohmann::json out;
  for (const auto& r : rows) {
    std::printf(
        "| %zu | %.0f | %s | %.0f | %.0f (%.0f) | %.0f | %.1f | %.1f | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f / "
        "%.3f |\n",
        r.segments, r.audio_hours, r.ann.c_str(), r.build_s, r.rss_mb, r.peak_rss_mb, r.grams_mb, r.p50_ms, r.p99_ms,
        r.exhaustive_p50_ms, r.recall1, r.recall1_ties, r.recall10, r.ann_recall10, r.truth_hits1, r.truth_hits1_prod_exh,
        r.truth_hits1_exh);
    out["two_stage"].push_back({{"segments", r.segments}, {"audio_hours", r.audio_hours}, {"first_stage", r.ann},
                                {"build_s", r.build_s}, {"rss_mb", r.rss_mb}, {"peak_rss_mb", r.peak_rss_mb},
                                {"grams_mb", r.grams_mb}, {"vectors_mb", r.vectors_mb}, {"phones_mb", r.phones_mb},
                                {"p50_ms", r.p50_ms}, {"p99_ms", r.p99_ms}, {"exhaustive_p50_ms", r.exhaustive_p50_ms},
                                {"recall1", r.recall1}, {"recall1_ties", r.recall1_ties}, {"recall10", r.recall10}, {"ann_recall10", r.ann_recall10},
                                {"own_segment_first", r.truth_hits1},
                                {"own_segment_first_exhaustive_queries", {{"product", r.truth_hits1_prod_exh},
                                                                          {"exhaustive", r.truth_hits1_exh}}},
                                {"queries", r.queries},
                                {"exhaustive_queries", r.exhaustive_queries}});
  }
  // Disk: what the index stores per audio hour, measured on the index the collection came from.
  auto st = s.index().status();
  std::error_code ec;
  double bytes = static_cast<double>(fs::file_size(a.index + "/index.sqlite", ec));
  if (!ec && st.audio_s > 0) {
    std::printf("disk: %.1f MB per audio hour (index.sqlite of %s: %.1f MB for %.2f h, %zu segments)\n",
                bytes / 1048576.0 / (st.audio_s / 3600.0), a.index.c_str(), bytes / 1048576.0, st.audio_s / 3600.0,
                st.segments);
    out["disk_mb_per_audio_hour"] = bytes / 1048576.0 / (st.audio_s / 3600.0);
  }
  out["query_words"] = a.ts.query_words;
  out["rerank"] = a.ts.search.rerank;
  out["scan"] = a.ts.search.scan;
  out["phonetic_candidates"] = a.ts.search.phonetic_candidates;
  out["gram_refine"] = a.ts.grams.refine;
  out["machine"] = machine_json(a.ts.threads);
  if (!a.json_out.empty()) write_file_atomic(a.json_out, out.dump(2) + "\n");
}

struct AudioBenchArgs {
  std::string manifest, model, json_out;
  size_t clips = 200;
  size_t batch = 8;  // fastest on 2 cores (4-8; larger batches thrash the cache)
  int threads = 2;
};

void run_search_bench(const SearchBenchArgs& a) {
  nlohmann::json out;
  std::printf("| vectors | search | nlist | nprobe | p50 ms | p99 ms | recall@10 | build s |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (size_t n : a.sizes) {
    for (const auto& r : bench_vector_search(n, a.dim, a.queries, a.nprobes)) {
      std::printf("| %zu | %s | %d | %d | %.3f | %.3f | %.3f | %.1f |\n", r.vectors, r.kind.c_str(), r.nlist, r.nprobe,
                  r.p50_ms, r.p99_ms, r.recall10, r.build_s);
      std::fflush(stdout);
      out["search"].push_back({{"vectors", r.vectors}, {"kind", r.kind}, {"nlist", r.nlist}, {"nprobe", r.nprobe},
                               {"p50_ms", r.p50_ms}, {"p99_ms", r.p99_ms}, {"recall10", r.recall10},
                               {"build_s", r.build_s}});
    }
  }
  if (!a.index.empty()) {
    ServeOptions o;
    o.index_dir = a.index;
    o.port = 0;
    o.token = "bench";
    o.rate = 0;  // the load generator is one client address
    std::atomic<int> port{0};
    std::thread th([&] { run_server(o, [&](const ServerReady& r) { port = r.port; }); });
    while (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::vector<std::string> qs = {"the jury said", "la ciudad", "il presidente ha detto", "the committee",
                                   "el gobierno federal", "les enfants", "la casa blanca", "a new school"};
    auto r = bench_server("127.0.0.1", port, a.clients, a.requests, qs);
    stop_server();
    th.join();
    std::printf("server: %d clients x %zu text queries on loopback: %.1f queries/s, p50 %.1f ms, p99 %.1f ms, "
                "%zu errors\n",
                r.clients, a.requests, r.qps, r.p50_ms, r.p99_ms, r.errors);
    out["server"] = {{"clients", r.clients}, {"requests", r.requests}, {"errors", r.errors}, {"qps", r.qps},
                     {"p50_ms", r.p50_ms}, {"p99_ms", r.p99_ms}};
  }
  out["machine"] = machine_json(compute_threads());
  if (!a.json_out.empty()) write_file_atomic(a.json_out, out.dump(2) + "\n");
}

void run_audio_bench(const AudioBenchArgs& a) {
  set_compute_threads(a.threads);
  auto utts = read_manifest(a.manifest);
  const fs::path root = fs::path(a.manifest).parent_path();
  std::vector<std::string> paths;
  for (const auto& u : utts)
    if (!u.audio.empty() && paths.size() < a.clips) paths.push_back((root / u.audio).string());
  if (paths.empty()) throw Error(a.manifest + ": no clips with audio");
  AudioEmbedder emb(a.model.empty() ? default_clasp_model_dir() : a.model);
  emb.embed({std::vector<float>(16000, 0.01f)});  // warm-up
  auto t0 = std::chrono::steady_clock::now();
  double audio_s = 0, decode_s = 0;
  // Clips are decoded in pools and each pool embedded in one call, which
  // sorts by length and runs small batches: as `clasp index add` does with
  // the segments of a long recording.
  const size_t batch = a.batch, pool = 256;
  for (size_t s = 0; s < paths.size(); s += pool) {
    auto td = std::chrono::steady_clock::now();
    std::vector<std::vector<float>> segs;
    for (size_t i = s; i < std::min(paths.size(), s + pool); ++i) {
      auto au = read_audio(paths[i]);  // decode + resample to 16 kHz
      audio_s += au.duration();
      segs.push_back(std::move(au.samples));
    }
    decode_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - td).count();
    emb.embed(segs, batch);
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("machine: %s\n", machine_summary(a.threads).c_str());
  if (auto w = blas_kernel_warning(); !w.empty()) std::printf("         %s\n", w.c_str());
  std::printf("audio pipeline (%s): %zu clips, %.1f s of audio in %.2f s -> %.0fx real time on %d threads "
              "(decode+resample %.2f s of it)\n",
              emb.identity().id.c_str(), paths.size(), audio_s, wall, audio_s / wall, a.threads, decode_s);
  if (!a.json_out.empty())
    write_file_atomic(a.json_out, nlohmann::json{{"model", emb.identity().id}, {"clips", paths.size()},
                                                 {"audio_s", audio_s}, {"wall_s", wall},
                                                 {"x_realtime", audio_s / wall}, {"threads", a.threads},
                                                 {"machine", machine_json(a.threads)}}
                                          .dump(2) +
                                      "\n");
}

}  // namespace

void add_product_bench_commands(CLI::App& app) {
  static SearchBenchArgs s;
  auto* b = app.add_subcommand("bench-search", "Vector search latency by collection size, and server load");
  b->add_option("--sizes", s.sizes, "Stored vector counts")->delimiter(',')->capture_default_str();
  b->add_option("--nprobes", s.nprobes, "IVF clusters scanned per query")->delimiter(',')->capture_default_str();
  b->add_option("--dim", s.dim, "Vector size")->capture_default_str();
  b->add_option("--queries", s.queries, "Queries per configuration")->capture_default_str();
  b->add_option("--index", s.index, "Also load-test a server over this index");
  b->add_option("--clients", s.clients, "Concurrent HTTP clients")->capture_default_str();
  b->add_option("--requests", s.requests, "Queries per client")->capture_default_str();
  b->add_option("--json", s.json_out, "Also write the results as JSON");
  b->add_flag("--two-stage", s.two_stage,
              "Benchmark the two-stage text search instead: collections of --sizes segments made from --index's real "
              "segments, the product's candidate path against the exhaustive ranking (recall, latency, memory)");
  b->add_option("--truth", s.ts.truth, "With --two-stage: the truth.jsonl of the recording(s) in --index (queries)");
  b->add_option("--query-words", s.ts.query_words, "With --two-stage: words per query (0 = whole sentences)")
      ->capture_default_str();
  b->add_option("--exhaustive-queries", s.ts.exhaustive_queries,
                "With --two-stage: queries also ranked exhaustively, for recall")
      ->capture_default_str();
  b->add_option("--ann", s.ts.ann, "With --two-stage: first stage flat, ivf-sq8 or auto (flat up to 20,000)")
      ->capture_default_str();
  b->add_option("--phonetic-candidates", s.ts.search.phonetic_candidates,
                "With --two-stage: segments the phonetic candidate index passes to the exact match")
      ->capture_default_str();
  b->add_option("--gram-refine", s.ts.grams.refine,
                "With --two-stage: the phonetic candidate index re-ranks its BM25 best (this x candidates) by class "
                "edits (0 = BM25 alone)")
      ->capture_default_str();
  b->add_flag("--gram-deletion-keys,!--no-gram-deletion-keys", s.ts.grams.deletion_keys,
              "With --two-stage: queries also look up n-grams with one phone left out");
  b->add_option("--ts-nprobe", s.ts.search.nprobe, "With --two-stage and ivf-sq8: clusters scanned per query")
      ->capture_default_str();
  b->callback([] {
    if (s.two_stage) {
      s.ts.queries = s.queries;
      run_two_stage_bench(s);
    } else {
      run_search_bench(s);
    }
  });

  static AudioBenchArgs au;
  auto* c = app.add_subcommand("bench-audio", "Audio embedded per wall second: decode, resample, mel, branches, fusion");
  c->add_option("-i,--in", au.manifest, "Corpus manifest whose clips are embedded")->required();
  c->add_option("-m,--model", au.model, "CLASP model (default: the shipped one)");
  c->add_option("--clips", au.clips, "Clips to embed")->capture_default_str();
  c->add_option("--threads", au.threads, "Torch threads")->capture_default_str();
  c->add_option("--batch", au.batch, "Segments per forward pass")->capture_default_str()->check(CLI::Range(1, 1024));
  c->add_option("--json", au.json_out, "Also write the result as JSON");
  c->callback([] { run_audio_bench(au); });
}

}  // namespace clasp::cli
