#pragma once
// What a phoneme recogniser gets wrong, as edit costs for matching a
// query's phonemes against its transcripts. Learned from aligned pairs of
// (true phonemes, recognised phonemes): a substitution the recogniser makes
// often, or a phoneme it often drops, costs little; one it never makes
// costs a full edit. Unit costs (empty()) are plain edit distance.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

struct PhoneCosts {
  size_t symbols = 0;      // phoneme ids 0 .. symbols - 1
  std::vector<float> sub;  // [a * symbols + b]: cost of hearing true phoneme a as b
  std::vector<float> del;  // [a]: cost of true phoneme a not heard at all
  float ins = 1.0f;        // cost of a phoneme heard that was not said

  bool empty() const { return symbols == 0; }
  float substitute(int64_t a, int64_t b) const {
    if (a == b) return 0.0f;
    return in_range(a) && in_range(b) ? sub[static_cast<size_t>(a) * symbols + static_cast<size_t>(b)] : 1.0f;
  }
  float drop(int64_t a) const { return in_range(a) ? del[static_cast<size_t>(a)] : 1.0f; }

  // Counts each true phoneme's fates over unit-cost alignments of the
  // pairs; a fate seen as often as the most common one for that phoneme
  // costs `floor`, one never seen costs 1, linearly between.
  static PhoneCosts learn(const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>>& said_heard,
                          size_t symbols, float floor = 0.2f);
  // JSON with the phoneme symbols the ids stand for, so a file is refused
  // with a recogniser of another inventory.
  void save(const std::string& path, const std::vector<std::string>& phonemes) const;
  // Unit costs when `path` does not exist; Error naming the file when it is
  // malformed or made for other phonemes.
  static PhoneCosts load(const std::string& path, const std::vector<std::string>& phonemes);

 private:
  bool in_range(int64_t a) const { return a >= 0 && static_cast<size_t>(a) < symbols; }
};

}  // namespace clasp
