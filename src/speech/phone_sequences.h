#pragma once
// Phoneme id sequences as the phone branch takes them: a batch padded with
// 0 (the CTC blank) into [B, L] int64 plus lengths [B].
#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace clasp {

// Each row keeps at least one token: an empty sequence becomes one blank.
std::pair<torch::Tensor, torch::Tensor> pad_phones(const std::vector<std::vector<int64_t>>& rows);
// The inverse: row b is tokens[b, :lengths[b]].
std::vector<std::vector<int64_t>> unpad_phones(const torch::Tensor& tokens, const torch::Tensor& lengths);

}  // namespace clasp
