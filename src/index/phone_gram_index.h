#pragma once
// The phonetic candidate index: an inverted index from phoneme n-grams to
// the segments whose CTC transcript holds them, scored like a text engine
// scores terms (BM25), so the second stage of a search reads a bounded set
// of candidates instead of every transcript in the collection.
//
// Keys are n-grams (n = 3 and 4) over broad phone classes rather than the
// phonemes themselves: the recogniser often confuses voicing (p/b), vowel
// quality (e/ɛ/ɪ) and rhotics (r/ɾ/ɹ/ʁ), and a key that survives those
// errors still finds the segment. Length marks, stress, boundaries and
// diacritics carry no key.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace clasp {

// The class string of an IPA transcript (one byte per phone with a class).
std::string phone_classes(const std::string& ipa);
// Keys of a class string: every 3- and 4-gram, encoded as integers (in order, repeats kept).
std::vector<uint32_t> phone_gram_keys(const std::string& classes);
// A query's keys: those, and the 3-grams of every 4 phones with one of the
// middle two left out, which a transcript that missed that phone holds.
std::vector<uint32_t> phone_gram_query_keys(const std::string& classes);

struct PhoneGramOptions {
  double k1 = 1.2, b = 0.75;  // BM25
  // Keys held by more than this share of the segments (and more than
  // min_df_cut of them) are skipped at query time: they rank almost nothing
  // and cost the most to read.
  double max_df_share = 0.05;
  uint64_t min_df_cut = 2000;
  // The BM25 best (refine x m) are ranked again by how closely the query's
  // phonemes occur in order in each one's transcript (fewest edits, any
  // stretch: substring_edit_distance), and the best m of those returned:
  // a bag of n-grams cannot tell a segment that says the phrase from one
  // that holds its pieces scattered. 0 = BM25 alone.
  size_t refine = 8;
  // Queries also look up their keys with one phone left out
  // (phone_gram_query_keys), so a segment whose recognition dropped a
  // phone still shares keys with them.
  bool deletion_keys = true;
};

// Fewest unit-cost edits turning `query` into some stretch of `text` (free
// start and end), both byte codes; Myers' bit-parallel algorithm, one
// machine word: a query of at most 64 symbols. SIZE_MAX for a longer or
// empty query.
size_t substring_edit_distance(const std::vector<uint8_t>& query, const uint8_t* text, size_t n);

class PhoneGramIndex {
 public:
  explicit PhoneGramIndex(PhoneGramOptions opt = {}) : opt_(opt) {}
  // Rows must be added in any order, then freeze() before searching.
  void add(int64_t segment_id, const std::string& lang, const std::string& ipa);
  void freeze();
  size_t size() const { return ids_.size(); }
  // The best `m` segments for a query's IPA transcript (ties by segment id),
  // only those in `lang` or of unknown language ("") unless it is "".
  // Score: BM25 over the query's distinct keys, the best refined as
  // PhoneGramOptions::refine says (the score returned stays BM25's).
  std::vector<std::pair<int64_t, float>> top(const std::string& query_ipa, size_t m, const std::string& lang = "") const;
  // Bytes of the postings, keys and per-segment tables.
  size_t memory_bytes() const;
  // A frozen index to a file (written atomically) and back. A file that is
  // not one, or whose tables do not fit together, is an Error naming it.
  void save(const std::string& path) const;
  static PhoneGramIndex load(const std::string& path);
  // Whether the file at `path` is of the version this build writes (false
  // for a missing file or one an older clasp wrote).
  static bool current_version(const std::string& path);

 private:
  PhoneGramOptions opt_;
  std::vector<int64_t> ids_;       // local index -> segment id
  std::vector<uint16_t> lens_;     // keys per segment
  std::vector<uint8_t> lang_of_;   // local index -> index into langs_
  std::vector<std::string> langs_;
  // Before freeze: (key, local) pairs. After: CSR over sorted keys.
  std::vector<std::pair<uint32_t, uint32_t>> pending_;
  std::vector<uint32_t> keys_;      // sorted distinct keys
  std::vector<uint64_t> offsets_;   // keys_.size() + 1
  std::vector<uint32_t> postings_;  // local indexes, sorted within a key (repeats = term frequency)
  std::vector<uint32_t> df_;        // per key: distinct segments holding it (counted once, at freeze)
  // Each segment's transcript as phoneme codes (CSR, size() + 1 offsets),
  // for the refinement; codes index symbols_ (kOtherSymbol past 254 symbols).
  std::vector<uint64_t> phone_off_;
  std::vector<uint8_t> phones_;
  std::vector<std::string> symbols_;
  double avg_len_ = 1;
  bool frozen_ = false;
};

}  // namespace clasp
