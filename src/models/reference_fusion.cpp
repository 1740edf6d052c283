#include "models/reference_fusion.h"

#include <vector>

#include "models/safetensors.h"
#include "models/torch_checkpoint.h"
#include "util/error.h"

namespace clasp {

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

}  // namespace

ReferenceFusion convert_reference_fusion(const std::map<std::string, torch::Tensor>& raw, const std::string& what) {
  // nn.DataParallel saves every name under "module.".
  std::map<std::string, torch::Tensor> state;
  for (const auto& [k, v] : raw) state[starts_with(k, "module.") ? k.substr(7) : k] = v;
  ReferenceFusion r;
  std::vector<std::pair<std::string, std::string>> renames;  // reference prefix -> clasp prefix
  std::string speech_first;
  if (state.count("mix_seq.0.weight") && state.count("audio_seq.0.weight")) {
    r.config.kind = "concat";
    speech_first = "audio_seq.0.weight";
    renames = {{"audio_seq.", "speech_mlp.net."}, {"image_seq.", "spec_mlp.net."}, {"mix_seq.", "concat_head."}};
  } else if (state.count("weight.0.weight") && state.count("text_seq.0.weight")) {
    r.config.kind = "gating";
    speech_first = "text_seq.0.weight";
    renames = {{"text_seq.", "speech_mlp.net."},           {"image_seq.", "spec_mlp.net."},
               {"input_gate_text.0.", "gate_in_1."},       {"forget_gate_text.0.", "gate_forget_1."},
               {"tanh_text.0.", "gate_cand_1."},           {"input_gate_image.0.", "gate_in_2."},
               {"forget_gate_image.0.", "gate_forget_2."}, {"tanh_image.0.", "gate_cand_2."},
               {"weight.0.", "mix."}};
  } else {
    throw Error(what + ": not a CLASP reference fusion encoder (expected the tensors of HubertLabseConcat: "
                       "audio_seq, image_seq, mix_seq; or of HubertLabseGating: text_seq, image_seq, the gates, weight)");
  }
  const auto& s0 = state.at(speech_first);
  if (!state.count("image_seq.0.weight") || s0.dim() != 2 || state.at("image_seq.0.weight").dim() != 2)
    throw Error(what + ": the branch MLPs' first layers are missing or not matrices");
  r.config.speech_dim = s0.size(1);
  r.config.spectrogram_dim = state.at("image_seq.0.weight").size(1);
  r.config.out_dim = 768;
  for (const auto& [k, v] : state) {
    std::string name;
    for (const auto& [from, to] : renames)
      if (starts_with(k, from)) name = to + k.substr(from.size());
    if (name.empty()) throw Error(what + ": unexpected tensor \"" + k + "\" for a " + r.config.kind + " fusion encoder");
    r.weights[name] = v;
  }
  return r;
}

Fusion make_reference_fusion(const ReferenceFusion& r, const std::string& path) {
  Fusion f(r.config);
  copy_into_module(*f, r.weights, path + " (another structure than the reference's?)");
  // Every tensor the module has was found, so a count that differs means the file holds more.
  if (module_tensors(*f).size() != r.weights.size())
    throw Error(path + ": holds tensors a " + r.config.kind + " fusion encoder does not use");
  f->eval();
  return f;
}

Fusion load_reference_fusion(const std::string& path, FusionConfig* config) {
  auto r = convert_reference_fusion(load_torch_state_dict(path), path);
  if (config) *config = r.config;
  return make_reference_fusion(r, path);
}

}  // namespace clasp
