#pragma once
// Text-only training examples for the phone branch (frame_inputs
// "phones"): sentences with their espeak-ng phonemes (`clasp data
// phonemize`) stand in for clips heard by a perfect recogniser. The branch
// then meets many more sentences than the corpus has audio for; phone noise
// (train/phone_noise.h) turns them into what an imperfect one hears.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace clasp {

class SentenceEncoder;

struct TextPhones {
  std::vector<std::string> ids;
  std::vector<std::vector<int64_t>> phones;  // phoneme ids of the speech encoder's CTC vocabulary
  torch::Tensor text;                        // [M, D] text encoder embeddings
};

// Reads path's train-split sentences that have phonemes, dropping any whose
// text is in held_out_texts (the validation and test transcripts), encodes
// their phonemes with `symbols` and embeds their texts. The result is cached
// in <work_dir>/text-phones.safetensors and rebuilt when any input changes.
TextPhones load_text_phones(const std::string& path, const std::vector<std::string>& symbols,
                            const std::unordered_set<std::string>& held_out_texts, SentenceEncoder& text,
                            const std::string& text_dir, const std::string& work_dir);

}  // namespace clasp
