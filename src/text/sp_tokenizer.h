#pragma once
// SentencePiece tokenisation (libsentencepiece) in two id conventions:
//  - plain: the model's own ids (the project's default encoder);
//  - fairseq: XLM-R's, where <s>=0 <pad>=1 </s>=2 <unk>=3 and every other
//    piece id is shifted by one.
#include <string>

#include "text/tokenizer.h"

namespace clasp {

class SentencePieceTokenizer : public TextTokenizer {
 public:
  SentencePieceTokenizer(const std::string& model_path, bool fairseq_ids);
  ~SentencePieceTokenizer();
  SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
  SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;
  // <s> pieces </s>, cut to max_len (keeping </s>). Throws clasp::Error on
  // invalid UTF-8.
  Encoded encode(const std::string& text, size_t max_len) const override;
  int64_t pad_id() const override { return pad_; }
  int64_t vocab_size() const override;

 private:
  void* sp_ = nullptr;  // handle from the SentencePiece shim (see spm_shim.cpp)
  bool fairseq_;
  int64_t bos_, eos_, pad_, unk_, spm_unk_, pieces_;
};

// Trains a unigram SentencePiece model on one sentence per line of
// `text_file`, with pad=0 unk=1 <s>=2 </s>=3; writes <prefix>.model.
void train_sentencepiece(const std::string& text_file, const std::string& prefix, int vocab_size);

}  // namespace clasp
