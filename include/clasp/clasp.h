#pragma once
// clasp: find the moments in recordings where something is said, from a
// text query in any language (or a spoken example), with no transcription
// step. This header is the whole public C++ API; it includes no torch header.
//
// Usage:
//
//   #include <clasp/clasp.h>
//
//   clasp::Model model("models/clasp-default");      // load once; "" = the shipped default
//   clasp::Index index("my-index", model);           // opens the index, or makes it
//   index.add({"recordings/"});                      // folders, audio files, .jsonl manifests
//   clasp::SearchParams p;
//   p.k = 5;
//   p.query_lang = "es";                             // the query's language: meaning + sounds
//   for (const clasp::Hit& h : index.search("el presidente habló de la economía", p))
//     std::printf("%s %.2f-%.2f s  %.3f  heard /%s/\n", h.path.c_str(), h.start, h.end, h.score, h.heard.c_str());
//
// Errors are thrown as std::runtime_error (clasp's own Error derives from
// it) with a message naming the file, field or value at fault. A Model may
// be shared by several Index objects and threads: text searches run side by
// side; audio embedding (audio queries, add) takes turns.
// The library writes nothing to standard output; progress reaches you through
// callbacks, and its log lines (warnings about damaged files, a missing
// translation route, ...) go to standard error unless set_log_callback
// sends them elsewhere.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clasp {

struct ModelInfo {
  std::string id, version, dir;  // version: a hash of the weights; an index remembers both
  int dim = 0;                   // size of the vectors
  std::vector<std::string> heard_languages;  // languages the model tells apart in speech
};

class Model {
 public:
  // dir "" = the shipped default (models/clasp-default of the source tree the
  // library was built from).
  explicit Model(const std::string& dir = "");
  ~Model();
  Model(const Model&);             // cheap: shares the loaded weights
  Model& operator=(const Model&);
  ModelInfo info() const;
  // The vector of a text query (unit length, info().dim values). With its
  // language (ISO 639-1) a model with a phonetic part also encodes how it sounds.
  std::vector<float> embed_text(const std::string& text, const std::string& lang = "") const;
  // The vector of speech: 16 kHz mono samples in [-1, 1], at least 0.1 s.
  std::vector<float> embed_audio(const std::vector<float>& samples_16k) const;

  struct Impl;
  std::shared_ptr<Impl> impl;  // opaque
};

enum class LogLevel { Debug, Info, Warning, Error };
// Where the library's log lines go, as whisper_log_set does: every line to
// `callback` (called from any thread, one line at a time); nullptr = standard
// error, the default. Lines below Info are not produced. Set it before
// using the library from other threads, and do not call into the library
// from the callback (it runs while the log is locked).
void set_log_callback(std::function<void(LogLevel, const std::string&)> callback);

// Any audio file libsndfile reads (wav, flac, ogg, mp3, ...) as 16 kHz mono.
std::vector<float> read_audio_16k(const std::string& path);

struct AddParams {
  std::string lang;  // the audio's language when the source does not say ("" = the model hears it)
  // Called after every committed batch: files done, files in all, audio seconds embedded.
  std::function<void(size_t done, size_t total, double audio_s)> progress;
};

struct AddSummary {
  size_t seen = 0, added = 0, replaced = 0, unchanged = 0, failed = 0, segments = 0;
  double audio_s = 0, wall_s = 0;
  std::vector<std::string> failures;   // "<path>: <reason>"
  std::vector<std::string> no_speech;  // files kept that gave no segment
};

struct IndexInfo {
  std::string dir;
  ModelInfo model;
  size_t files = 0, segments = 0;
  double audio_s = 0;
  std::vector<std::pair<std::string, size_t>> languages;  // segments per language ("" = unknown)
};

struct SearchParams {
  int k = 10;
  std::string query_lang;  // a text query's language: two-stage (meaning + how it sounds); "" = meaning alone
  std::string lang;        // only segments in this language ("" = all)
  size_t rerank = 50;      // with query_lang: the vectors' best N re-ranked by phoneme match (0 = vectors alone)
  bool approx = false;     // FAISS IVF instead of exact search (also on its own above 50,000 segments)
  bool translate = false;  // with query_lang: also the query's machine translation (apertium), English <-> audio's
};

struct Hit {
  int64_t segment_id = 0, file_id = 0;
  std::string path;
  double start = 0, end = 0;  // seconds into the file
  float score = 0;            // compare within one search only
  std::string lang;
  std::string text;   // a manifest's reference text ("" for plain audio)
  std::string heard;  // what the recogniser heard there (IPA phonemes, words apart)
  // Where in `heard` a text query was found (code points [begin, end); equal: not found closely).
  size_t heard_match_begin = 0, heard_match_end = 0;
};

class Index {
 public:
  // Opens the index in `dir`, or makes it for `model` (an existing index
  // built with another model is refused, naming both).
  Index(const std::string& dir, const Model& model);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;
  // Folders (recursively), audio files or .jsonl manifests; only new or
  // changed files are read. A kill loses at most the batch in flight.
  AddSummary add(const std::vector<std::string>& sources, const AddParams& params = {});
  // Every file at `path` or below it; returns files removed.
  size_t remove(const std::string& path);
  IndexInfo info();
  std::vector<Hit> search(const std::string& text, const SearchParams& params = {});
  std::vector<Hit> search_audio(const std::vector<float>& samples_16k, const SearchParams& params = {});
  // The query's phonemes in `lang` against what was heard: same language only.
  std::vector<Hit> search_phonetic(const std::string& text, const std::string& lang, const SearchParams& params = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Threads the models compute on (0 = leave the default).
void set_threads(int n);

}  // namespace clasp
