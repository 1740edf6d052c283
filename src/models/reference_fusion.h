#pragma once
// The CLASP authors' fusion encoders (the public reference code,
// llm-lab-org/CLASP: `HubertLabseConcat` and `HubertLabseGating`) as a clasp
// Fusion. Their layers are the paper's and clasp's, so the weights map one to
// one: concat `audio_seq` / `image_seq` / `mix_seq` -> `speech_mlp.net` /
// `spec_mlp.net` / `concat_head`; gating `text_seq` (the speech branch, despite
// its name) / `image_seq`, `{input_gate,forget_gate,tanh}_{text,image}.0` ->
// `gate_{in,forget,cand}_{1,2}`, `weight.0` -> `mix`. The speech input is the
// mean-pooled HuBERT feature, the second the reference's image-model
// feature; the output is the reference's 768-d vector (not normalised).
#include <map>
#include <string>

#include "models/fusion.h"

namespace clasp {

struct ReferenceFusion {
  FusionConfig config;                          // kind, speech_dim, spectrogram_dim (the image feature), out_dim 768
  std::map<std::string, torch::Tensor> weights; // clasp Fusion names
};

// state: a reference state dict (or a whole pickled module's tensors, models/torch_pickle.h); `what` names it in
// errors. Refuses another structure by naming the tensor that does not fit.
ReferenceFusion convert_reference_fusion(const std::map<std::string, torch::Tensor>& state, const std::string& what);

// A Fusion in eval mode holding r's weights; a tensor of another shape (another structure) is refused by name.
Fusion make_reference_fusion(const ReferenceFusion& r, const std::string& what);

// Reads a reference checkpoint (torch.save of the module, as the authors released theirs, or of its state_dict)
// into a Fusion in eval mode.
Fusion load_reference_fusion(const std::string& path, FusionConfig* config = nullptr);

}  // namespace clasp
