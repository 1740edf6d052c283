#pragma once
// BERT's WordPiece tokeniser (vocab.txt), following Hugging Face's
// BertTokenizer: clean the text (drop control characters, map whitespace to
// spaces), put spaces around CJK ideographs, NFC, split on whitespace,
// lower-case and strip accents as configured, split off punctuation, then
// greedy longest-match-first word pieces ("##" marks a continuation).
// Unicode properties come from ICU.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/tokenizer.h"

namespace clasp {

struct WordPieceOptions {
  bool lower_case = true;
  std::optional<bool> strip_accents;  // unset: follow lower_case, as Hugging Face does
  bool tokenize_chinese_chars = true;
  size_t max_chars_per_word = 100;
};

class WordPieceTokenizer : public TextTokenizer {
 public:
  // Reads vocab.txt (one token per line, id = line number).
  WordPieceTokenizer(const std::string& vocab_path, WordPieceOptions opt);

  // [CLS] pieces [SEP], cut to max_len.
  Encoded encode(const std::string& text, size_t max_len) const override;
  // The word pieces themselves, as strings (for tests and debugging).
  std::vector<std::string> tokenize(const std::string& text) const;
  int64_t pad_id() const override { return pad_; }
  // Lines of vocab.txt (every id is below it), not distinct tokens: with a
  // duplicated line the two differ, and the embedding must hold every id.
  int64_t vocab_size() const override { return lines_; }

 private:
  std::vector<std::u32string> basic_tokens(const std::string& text) const;
  void word_pieces(const std::u32string& word, std::vector<int64_t>& ids, std::vector<std::string>* pieces) const;
  int64_t special(const std::string& vocab_path, const char* token) const;

  WordPieceOptions opt_;
  std::unordered_map<std::string, int64_t> vocab_;
  int64_t lines_ = 0;
  int64_t cls_, sep_, pad_, unk_;
};

}  // namespace clasp
