#pragma once
// Recogniser-like errors on greedy CTC phoneme sequences, for training the
// phone-token branch (frame_inputs "phones"). On the voices it trained on,
// the frozen encoder's phonemes are nearly clean; on an unseen voice (the
// held-out festival voices) its phoneme error rate is 0.46-0.59. Each clip
// draws an error rate r ~ U(0, max_rate); each token is then substituted,
// deleted or followed by an inserted token with chance r (one of the three,
// equally likely), so the branch learns to place such strings too.
#include <torch/torch.h>

#include <cstdint>
#include <utility>

namespace clasp {

// tokens: [B, L] int64 phoneme ids padded with 0 (the CTC blank), lengths
// [B]. n_classes counts the blank; substitutes and insertions are drawn from
// ids 1..n_classes-1. Returns new padded tokens and lengths (each >= 1); the
// same seed gives the same errors.
std::pair<torch::Tensor, torch::Tensor> corrupt_phones(const torch::Tensor& tokens, const torch::Tensor& lengths,
                                                       double max_rate, int64_t n_classes, uint64_t seed);

}  // namespace clasp
