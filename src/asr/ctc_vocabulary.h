#pragma once
// The character vocabulary of a Hugging Face CTC checkpoint (vocab.json,
// tokenizer_config.json, special_tokens_map.json) and its decoding of
// frame-wise ids into text, as transformers' Wav2Vec2CTCTokenizer.decode:
// collapse repeats, drop the pad (the CTC blank), the word delimiter ("|")
// becomes a space, strip, then the tokenizer's clean-up of spaces before
// punctuation. No torch.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace clasp {

class CtcVocabulary {
 public:
  // Reads dir/vocab.json and the tokenizer's settings beside it; errors name the file and field.
  static CtcVocabulary from_dir(const std::string& dir);

  size_t size() const { return tokens_.size(); }
  int64_t blank_id() const { return pad_id_; }
  // skip_special_tokens drops <s>, </s>, <unk> and <pad> ids before the repeats are collapsed (transformers'
  // order, so "A <pad> A" reads "A" there and "AA" without it).
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = false) const;
  // Greedy CTC: the best id of each frame of row-major [frames x size()] logits.
  static std::vector<int64_t> best_path(const std::vector<float>& logits, size_t frames, size_t classes);

 private:
  std::map<int64_t, std::string> tokens_;
  std::string pad_, unk_, delimiter_ = "|", delimiter_text_ = " ";
  int64_t pad_id_ = 0;
  std::vector<int64_t> special_ids_;
  bool lower_case_ = false;
  bool clean_up_spaces_ = true;  // tokenizer_config.json's clean_up_tokenization_spaces (transformers 4.21: true)
};

}  // namespace clasp
