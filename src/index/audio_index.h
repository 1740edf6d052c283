#pragma once
// A persistent index of spoken segments: <dir>/index.sqlite holds the model
// identity, files (path, content hash, size, mtime, duration, language),
// segments (file, start, end, language, transcript) and every segment's
// vector; <dir>/vectors.faiss is a FAISS copy of the vectors for search,
// stamped with the database's generation. The database is the truth: each
// batch of files is one transaction, so a kill loses at most the batch in
// flight, and a FAISS file that is missing or stale is rebuilt from it.
//
// Thread safety: searches may run concurrently with each other and with
// add/remove (which take an exclusive lock only to commit a batch).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "index/index_inputs.h"
#include "index/segmenter.h"
#include "index/vector_index.h"
#include "speech/phone_posteriors.h"

namespace clasp {

class AudioEmbedder;
class PhoneGramIndex;
class PhonemeVocab;
class SqliteDb;

struct IndexModel {
  std::string id, version, dir;
  int dim = 0;
};

struct IndexedSegment {
  int64_t id = 0, file_id = 0;
  std::string path;
  double start = 0, end = 0;
  std::string lang, text;
};

// A file's modification time as the index records it (ns on the file clock).
int64_t file_mtime_ns(const std::string& path);

// A stored CTC transcript as people read it: word boundaries ('|') as spaces.
std::string readable_transcript(std::string stored);

// A segment with everything the search reads of it.
struct StoredSegment {
  IndexedSegment segment;
  std::vector<float> vec;
  std::string phones;  // CTC transcript (IPA), "" when none
};

struct SearchHit {
  IndexedSegment segment;
  float score = 0;
  // What the recogniser heard in the segment (its CTC phoneme transcript,
  // IPA), filled by Searcher::attach_heard for the hits shown.
  std::string heard;
  // The stretch of `heard` the query was found in, in code points
  // (heard_alignment.h); empty when not asked for or not close.
  size_t heard_match_begin = 0, heard_match_end = 0;
};

struct IndexStatus {
  IndexModel model;
  size_t files = 0, segments = 0;
  double audio_s = 0;
  bool approx_ready = false;  // an IVF index matching the current vectors exists
  // Segments whose phoneme transcript / CTC posteriors the second stage of a
  // search can read (an index made before they were kept has fewer).
  size_t with_phones = 0, with_posteriors = 0;
  // The phonetic candidate index (phone-grams.bin, derived from the
  // transcripts): "current", or why the next phonetic search (re)builds it;
  // "" when there are no transcripts.
  std::string phonetic_index;
  std::vector<std::pair<std::string, size_t>> languages;  // segments per language ("" = unknown)
  // Of those, segments whose language the model heard (files added without
  // --lang or a manifest language), per language.
  std::vector<std::pair<std::string, size_t>> languages_heard;
};

struct AddOptions {
  SegmentOptions segments;
  size_t batch_segments = 32;  // segments embedded and committed together
  size_t embed_batch = 8;      // segments per forward pass (4-8 is fastest on 2 cores)
  // A file added without a language gets the one the model hears in it
  // (its segments' language probabilities, weighted by length), when the
  // likeliest has at least this probability; else it stays unknown.
  double min_language_confidence = 0.5;
  // A file whose language stays unknown (a recording in several languages):
  // each of its segments gets the one heard in it alone, when that has at
  // least this probability (chosen on the validation recording, docs/search.md).
  double min_segment_language_confidence = 0.95;
  double max_file_seconds = 4 * 3600.0;
};

struct AddReport {
  size_t seen = 0, added = 0, replaced = 0, unchanged = 0, failed = 0, segments = 0;
  double audio_s = 0, wall_s = 0;
  std::vector<std::string> failures;  // "<path>: <reason>"
  // Files kept in the index (so a re-run does not read them again) that gave
  // no segment: voice activity detection found no speech in them.
  std::vector<std::string> no_speech;  // "<path>: <why>"
};

// Called after every committed batch: files done, files in total, audio seconds embedded.
using AddProgress = std::function<void(size_t done, size_t total, double audio_s)>;

struct SearchOptions {
  int k = 10;
  std::string lang;     // only segments in this language ("" = all)
  bool approx = false;  // IVF instead of exact search (built on first use)
  // IVF also whenever the index holds more segments than this (0 = only with approx).
  size_t approx_above = 50000;
  int nprobe = 16;
  // Text queries with a known language: the best `rerank` segments by
  // vector are re-ranked by how closely the query's phonemes occur in their
  // transcripts (index/phonetic_rerank.h); 0 = the vectors alone.
  size_t rerank = 50;
  // With the second stage and a query of at most `scan_words` words (a
  // phrase), also the best `scan` segments by phonetic search (every
  // transcript scanned: time linear in the collection) join the
  // candidates: the vectors seldom hold a short phrase's segment among
  // their best, whole sentences they do (docs/search.md). 0 = no scan.
  size_t scan = 50;
  size_t scan_words = 10;
  // Where the phonetic search reads its candidates: the best
  // `phonetic_candidates` segments of the phonetic candidate index (phoneme
  // n-grams, BM25; index/phone_gram_index.h), whose transcripts are then
  // matched exactly. 0 = every transcript (the exhaustive scan: time
  // linear in the collection; the reference for recall).
  size_t phonetic_candidates = 1000;
  // Text queries with a language: also search with the query's machine
  // translation (apertium) between English and the audio's language, its
  // vector mixed in and its phonemes matched as a gloss (Searcher). Costs an
  // apertium run (0.6-1.1 s a language pair, at most 3 pairs) for each query
  // not cached; when 2 runs are already going the query is not translated.
  bool translate = false;
};

// A machine translation a text search also matched (SearchOptions::translate).
struct QueryTranslation {
  std::string lang;  // the language translated into
  std::string text;
};

class AudioIndex {
 public:
  // ReadWrite opens `dir`, creating it for `model` if new, and keeps the
  // files derived from the database (vectors, IVF, phonetic candidates) up to
  // date on disk. ReadOnly (search, status) needs an existing index and never
  // writes: what is stale on disk is rebuilt in memory only. An existing index
  // built with another model (id or weights version) is refused with a
  // message naming both.
  enum class Access { ReadWrite, ReadOnly };
  AudioIndex(const std::string& dir, const IndexModel& model, Access access = Access::ReadWrite);
  ~AudioIndex();
  // The model an existing index was built with; Error if `dir` is not an index.
  static IndexModel model_of(const std::string& dir);

  AddReport add(const std::vector<IndexInput>& inputs, AudioEmbedder& embedder, const AddOptions& opt = {},
                const AddProgress& progress = {});
  // Removes every file at `path` or below it (a directory); returns files removed.
  size_t remove(const std::string& path);
  std::vector<SearchHit> search(const std::vector<float>& query, const SearchOptions& opt);
  // Same-language phonetic search: query phoneme ids (from `vocab`) against
  // the stored CTC transcripts (phonetic_match), best k: of the phonetic
  // candidate index's best opt.phonetic_candidates for `query_ipa` (the
  // query's IPA, which `query` encodes), or of every segment when that is 0
  // or query_ipa is "". opt.lang keeps segments in that language and those
  // of unknown language (which may be in it). opt.approx is ignored.
  std::vector<SearchHit> search_phonetic(const std::vector<int64_t>& query, const PhonemeVocab& vocab,
                                         const SearchOptions& opt, const std::string& query_ipa = "");
  // Stored CTC phoneme transcripts (IPA) of segments `ids`; absent for
  // segments indexed without one.
  std::map<int64_t, std::string> phones_of(const std::vector<int64_t>& ids);
  // Whether any segment has a phoneme transcript (phonetic search works).
  bool has_phones();
  // The cosine of `query` with each of segments `ids` (absent ones left out).
  std::map<int64_t, float> cosines_of(const std::vector<float>& query, const std::vector<int64_t>& ids);
  // Their stored CTC posteriors (segments indexed before posteriors were
  // kept, or whose row is damaged, are left out).
  std::map<int64_t, PhonePosteriors> posteriors_of(const std::vector<int64_t>& ids);
  IndexStatus status();
  // Every segment, in id order (benchmarks build larger collections from them).
  std::vector<StoredSegment> stored_segments();
  // The same, one at a time (an export of a million segments never holds them all).
  void each_stored_segment(const std::function<void(const StoredSegment&)>& fn);
  // True if `path` (absolute) is an indexed file: the server serves only these.
  bool has_file(const std::string& path);
  // The indexed file `file_id` as it was read: path, bytes and modification
  // time (file_mtime_ns); nullopt if there is none.
  struct FileRecord {
    std::string path;
    int64_t bytes = 0, mtime = 0;
  };
  std::optional<FileRecord> file_record(int64_t file_id);
  std::vector<IndexedSegment> segments_of(const std::string& path);
  // Segment `segment_id` with the segments just before and after it in its
  // file (by start time): a hit shown in context (the server's
  // /api/context). nullopt when there is no such segment.
  struct SegmentContext {
    IndexedSegment segment;
    std::optional<IndexedSegment> previous, next;
  };
  std::optional<SegmentContext> context_of(int64_t segment_id);
  void build_approx(int nprobe = 16);
  // After an add or rm: the derived files a search reads (phonetic
  // candidates; IVF when the collection is large enough that searches use
  // it), so that read commands find them current and never write.
  void prepare_for_search(const SearchOptions& opt = {});
  // Builds the phonetic candidate index from the stored transcripts now
  // (searches build it on first use, and again after the index changes).
  void build_phone_grams();
  const std::string& dir() const { return dir_; }

 private:
  void load_vectors();
  void save_vectors();
  int64_t generation();
  size_t segment_count();
  int64_t next_id(const char* table);  // "files" or "segments": never an id used before
  void bump_generation();
  std::vector<IndexedSegment> lookup(const std::vector<int64_t>& ids);
  std::vector<SearchHit> scored_hits(std::vector<std::pair<float, int64_t>> scored, size_t k);
  // Double-checked refresh of a structure derived from the database: stale()
  // under the shared lock, then again with rebuild() under the exclusive one.
  void refresh(const std::function<bool()>& stale, const std::function<void()>& rebuild);
  void make_approx(int nprobe);  // these two: the exclusive lock held
  void make_phone_grams();

  std::string dir_;
  IndexModel model_;
  bool read_only_ = false;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<VectorIndex> exact_, approx_;
  // The database generation exact_ holds; another process's add / rm moves
  // the database on, and the next search reloads (a server never answers
  // from vectors the database no longer has).
  int64_t exact_gen_ = -1;
  int64_t approx_gen_ = -1;
  std::unique_ptr<PhoneGramIndex> grams_;  // derived from segment_phones; rebuilt when the generation moves
  int64_t grams_gen_ = -1;
  std::shared_mutex mu_;
};

}  // namespace clasp
