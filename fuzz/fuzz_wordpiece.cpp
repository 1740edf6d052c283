// Target: the WordPiece tokenizer (src/text/wordpiece_tokenizer.*).
// Feeds: (1) the input as text, UTF-8 or not, to tokenize() and encode()
// of three tokenizers over the bert-tiny fixture vocabulary
// (tests/fixtures/hf/bert-tiny/vocab.txt): lower-cased with accents
// stripped (Hugging Face's default), lower-cased keeping accents, and cased
// without CJK splitting; (2) the input as a vocab.txt file (written to a
// private temporary file) to the constructor, and an accepted vocabulary
// tokenizes a fixed multilingual sentence.
// Why: query and corpus text is arbitrary user input, and vocab.txt comes
// with downloaded models; invalid UTF-8 must be a clasp::Error, every id in
// range, and encode() must respect max_len.
#include <memory>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"

#ifndef CLASP_FUZZ_VOCAB
#error "CLASP_FUZZ_VOCAB: path of tests/fixtures/hf/bert-tiny/vocab.txt"
#endif

namespace {

void check_tokenizer(const clasp::WordPieceTokenizer& tok, const std::string& text) {
  try {
    const std::vector<std::string> pieces = tok.tokenize(text);
    // One cut per input (each encode() tokenizes again): the smallest, a short and BERT's.
    const size_t max_len = text.size() % 3 == 0 ? 2 : text.size() % 3 == 1 ? 8 : 512;
    const clasp::Encoded e = tok.encode(text, max_len);
    CLASP_FUZZ_CHECK(e.ids.size() >= 2 && e.ids.size() <= max_len);
    for (int64_t id : e.ids) CLASP_FUZZ_CHECK(id >= 0 && id < tok.vocab_size());
    CLASP_FUZZ_CHECK(e.truncated == (pieces.size() + 2 > max_len));
    if (!e.truncated) CLASP_FUZZ_CHECK(e.ids.size() == pieces.size() + 2);
  } catch (const clasp::Error&) {  // text that is not UTF-8
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto tokenizers = [] {
    std::vector<std::unique_ptr<clasp::WordPieceTokenizer>> t;
    clasp::WordPieceOptions lower;  // Hugging Face's defaults: lower-case, strip accents
    clasp::WordPieceOptions keep_accents;
    keep_accents.strip_accents = false;
    clasp::WordPieceOptions cased;
    cased.lower_case = false;
    cased.tokenize_chinese_chars = false;
    for (const auto& o : {lower, keep_accents, cased})
      t.push_back(std::make_unique<clasp::WordPieceTokenizer>(CLASP_FUZZ_VOCAB, o));
    return t;
  }();
  const std::string input = clasp_fuzz::as_string(data, size);
  for (const auto& tok : tokenizers) check_tokenizer(*tok, input);

  static clasp_fuzz::TempFile vocab("vocab");
  try {
    const clasp::WordPieceTokenizer tok(vocab.write(input), clasp::WordPieceOptions{});
    check_tokenizer(tok, "Hello, world! ¿Dónde está la estación? 東京 Привет l·l #x");
  } catch (const clasp::Error&) {
  }
  return 0;
}
