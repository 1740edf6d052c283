#pragma once
// What every text tokeniser gives the encoder: ids with the model's special
// tokens around them, cut to a maximum length.
#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

struct Encoded {
  std::vector<int64_t> ids;
  bool truncated = false;
};

class TextTokenizer {
 public:
  virtual ~TextTokenizer() = default;
  // Special tokens included; at most max_len ids (the closing token is kept
  // when cutting). Throws clasp::Error on invalid UTF-8.
  virtual Encoded encode(const std::string& text, size_t max_len) const = 0;
  virtual int64_t pad_id() const = 0;
  virtual int64_t vocab_size() const = 0;
};

}  // namespace clasp
