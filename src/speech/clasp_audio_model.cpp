#include "speech/clasp_audio_model.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <tuple>

#include "models/safetensors.h"
#include "speech/phone_sequences.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_file.h"

namespace fs = std::filesystem;

namespace clasp {

ClaspModelConfig ClaspModelConfig::from_json_file(const std::string& path) {
  auto j = read_json_file(path);
  ClaspModelConfig c;
  try {
    c.fusion = j.value("fusion", c.fusion);
    c.use_speech = j.value("use_speech", c.use_speech);
    c.use_spectrogram = j.value("use_spectrogram", c.use_spectrogram);
    c.use_frames = j.value("use_frames", c.use_frames);
    c.spectrogram_channels = j.value("spectrogram_channels", c.spectrogram_channels);
    c.frame_width = j.value("frame_width", c.frame_width);
    c.frame_inputs = j.value("frame_inputs", c.frame_inputs);
    c.frame_norm = j.value("frame_norm", c.frame_norm);
    c.phone_dim = j.value("phone_dim", c.phone_dim);
    c.out_dim = j.at("out_dim").get<int64_t>();
    c.speech_encoder = j.value("speech_encoder", c.speech_encoder);
    c.text_encoder = j.value("text_encoder", c.text_encoder);
    c.model_id = j.value("model_id", c.model_id);
    c.ensemble = j.value("ensemble", c.ensemble);
    c.target = j.value("target", c.target);
    c.phonetic = j.value("phonetic", c.phonetic);
    c.phonetic_weight = j.value("phonetic_weight", c.phonetic_weight);
    c.languages = j.value("languages", c.languages);
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("bad or missing field: ") + e.what());
  }
  c.check(path);
  return c;
}

void ClaspModelConfig::check(const std::string& where) const {
  if (fusion != "concat" && fusion != "gating") fail_file(where, "fusion must be \"concat\" or \"gating\"");
  if (!use_speech && !use_spectrogram && !use_frames)
    fail_file(where, "use_speech, use_spectrogram and use_frames cannot all be false");
  if (frame_width < 8 || frame_width > 4096) fail_file(where, "frame_width must be between 8 and 4096");
  if (frame_inputs != "hidden+posteriors" && frame_inputs != "posteriors" && frame_inputs != "phones")
    fail_file(where, "frame_inputs must be \"hidden+posteriors\", \"posteriors\" or \"phones\"");
  if (phone_dim < 4 || phone_dim > 1024) fail_file(where, "phone_dim must be between 4 and 1024");
  for (const auto& m : ensemble)
    if (m.empty() || fs::path(m).is_absolute())
      fail_file(where, "ensemble: each member must be a directory relative to the model's, got \"" + m + "\"");
  if (frame_norm != "none" && frame_norm != "utterance")
    fail_file(where, "frame_norm must be \"none\" or \"utterance\"");
  if (target != "text" && target != "phonemes") fail_file(where, "target must be \"text\" or \"phonemes\"");
  if (target == "phonemes" && (!use_frames || frame_inputs != "phones" || use_speech || use_spectrogram))
    fail_file(where, "target \"phonemes\" needs the phone branch alone (use_frames, frame_inputs \"phones\", "
                     "no speech or spectrogram branch)");
  if (target == "phonemes" && (!ensemble.empty() || !phonetic.empty()))
    fail_file(where, "a target \"phonemes\" model cannot have an ensemble or a phonetic model of its own");
  if (!languages.empty() && target != "phonemes") fail_file(where, "languages: only a target \"phonemes\" model has them");
  for (const auto& l : languages)
    if (l.empty() || l.size() > 8) fail_file(where, "languages: expected language codes such as \"en\", got \"" + l + "\"");
  if (!phonetic.empty() && fs::path(phonetic).is_absolute())
    fail_file(where, "phonetic: expected a directory relative to the model's, got \"" + phonetic + "\"");
  if (!(phonetic_weight > 0 && phonetic_weight < 1))
    fail_file(where, "phonetic_weight must be between 0 and 1 (exclusive), got " + std::to_string(phonetic_weight));
}

std::string ClaspModelConfig::to_json() const {
  nlohmann::json j = {{"model_type", "clasp"},       {"model_id", model_id},
                      {"fusion", fusion},            {"use_speech", use_speech},
                      {"use_spectrogram", use_spectrogram}, {"spectrogram_channels", spectrogram_channels},
                      {"use_frames", use_frames},    {"frame_width", frame_width},
                      {"frame_inputs", frame_inputs}, {"frame_norm", frame_norm},
                      {"phone_dim", phone_dim},
                      {"out_dim", out_dim},          {"speech_encoder", speech_encoder},
                      {"text_encoder", text_encoder}};
  if (!ensemble.empty()) j["ensemble"] = ensemble;  // absent otherwise, so older files stay as they were
  if (target != "text") j["target"] = target;
  if (!languages.empty()) j["languages"] = languages;
  if (!phonetic.empty()) {
    j["phonetic"] = phonetic;
    j["phonetic_weight"] = phonetic_weight;
  }
  return j.dump(2);
}

ClaspAudioModelImpl::ClaspAudioModelImpl(const ClaspModelConfig& c, SpeechEncoder sp) : cfg(c), speech(std::move(sp)) {
  FusionConfig fc;
  fc.kind = c.fusion;
  fc.out_dim = c.out_dim;
  if (c.use_speech || c.use_frames) {
    if (!speech) throw Error("CLASP model: the speech and frame branches need a speech encoder");
    for (auto& p : speech->parameters()) p.set_requires_grad(false);
    speech->eval();
  }
  if (c.use_speech) fc.speech_dim = speech->cfg.hidden;
  if (c.use_frames) {
    if (c.frame_inputs != "hidden+posteriors" && !speech->ctc_head)
      throw Error("CLASP model: frame_inputs \"" + c.frame_inputs + "\" needs a speech encoder with a CTC head");
    if (c.frame_inputs == "phones")
      phone_embedding = register_module("phone_embedding", torch::nn::Embedding(speech->cfg.ctc_classes, c.phone_dim));
    frame_branch = register_module("frame_branch", FrameBranch(frame_input_dim(), c.frame_width));
    fc.frames_dim = frame_branch->out_dim();
    if (c.target == "phonemes") {
      text_branch = register_module("text_branch", FrameBranch(c.phone_dim, c.frame_width));
      text_head = register_module("text_head", torch::nn::Linear(text_branch->out_dim(), c.out_dim));
      if (!c.languages.empty()) {
        const auto L = static_cast<int64_t>(c.languages.size());
        lang_head = register_module("lang_head", torch::nn::Linear(frame_branch->out_dim(), L));
        lang_means = register_buffer("lang_means", torch::zeros({L, c.out_dim}));
      }
    }
  }
  if (c.use_spectrogram) {
    cnn = register_module("cnn", SpectrogramCnn(c.spectrogram_channels));
    fc.spectrogram_dim = cnn->out_dim();
  }
  fusion = register_module("fusion", Fusion(fc));
  // CLIP-style learnable temperature, initialised at 1/0.07.
  logit_scale = register_parameter("logit_scale", torch::tensor({std::log(1 / 0.07)}));
}

namespace {

// Calls fn(rows, x[rows], lengths[rows]) for chunks of at most 16 rows of
// similar length, each cut to its longest clip: much less padding (a random
// training batch pads to its longest clip), and activations small enough for
// the allocator to reuse (whole-batch tensors of ~0.5 GB were mapped and
// page-faulted in anew at every op). A batch of 16 or fewer is one chunk,
// rows 0..B-1 in order, passed as it is.
void for_length_chunks(const torch::Tensor& x, const torch::Tensor& lengths,
                       const std::function<void(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&)>& fn) {
  constexpr int64_t kChunk = 16;
  const int64_t B = x.size(0);
  if (B <= kChunk) return fn(torch::arange(B), x, lengths);
  auto order = std::get<1>(lengths.sort(0, /*descending=*/true));
  for (int64_t s = 0; s < B; s += kChunk) {
    auto idx = order.slice(0, s, std::min(B, s + kChunk));
    auto len = lengths.index_select(0, idx);
    fn(idx, x.index_select(0, idx).slice(1, 0, std::max<int64_t>(1, len.max().item<int64_t>())), len);
  }
}

// fn over length chunks (for_length_chunks), the rows put back in batch
// order. fn must treat rows independently; the CNN's batch norm in training
// then sees chunk statistics ("ghost" batch norm), and in eval the output is
// the same.
torch::Tensor by_length_chunks(const torch::Tensor& x, const torch::Tensor& lengths,
                               const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& fn) {
  std::vector<torch::Tensor> rows, parts;
  for_length_chunks(x, lengths, [&](const torch::Tensor& r, const torch::Tensor& xc, const torch::Tensor& lc) {
    rows.push_back(r);
    parts.push_back(fn(xc, lc));
  });
  if (parts.size() == 1) return parts[0];  // the whole batch, in order
  auto all = torch::cat(parts);
  return torch::empty_like(all).index_copy_(0, torch::cat(rows), all);
}

}  // namespace

bool ClaspAudioModelImpl::wants_frames() const {
  if (cfg.use_frames) return true;
  for (const auto& m : members)
    if (m->wants_frames()) return true;
  return phonetic && phonetic->wants_frames();
}

int64_t ClaspAudioModelImpl::embedding_dim() const { return cfg.out_dim + (phonetic ? phonetic->phonetic_part_dim() : 0); }

int64_t ClaspAudioModelImpl::phonetic_part_dim() const {
  return cfg.out_dim * std::max<int64_t>(1, static_cast<int64_t>(cfg.languages.size()));
}

torch::Tensor ClaspAudioModelImpl::phonetic_part(const torch::Tensor& vectors, const torch::Tensor& slots) {
  if (!slots.defined()) return vectors;
  return (vectors.unsqueeze(2) * slots.unsqueeze(1)).flatten(1);  // [B, P * L], P-major
}

torch::Tensor ClaspAudioModelImpl::audio_phonetic_part(const torch::Tensor& vectors, const torch::Tensor& lang_logits) const {
  if (!lang_logits.defined()) return vectors;
  namespace F = torch::nn::functional;
  auto gate = F::normalize(torch::softmax(lang_logits, 1), F::NormalizeFuncOptions().dim(1));
  auto centred = vectors.unsqueeze(2) - lang_means.t().unsqueeze(0);  // [B, P, L]
  return F::normalize((centred * gate.unsqueeze(1)).flatten(1), F::NormalizeFuncOptions().dim(1));
}

torch::Tensor ClaspAudioModelImpl::embed_phoneme_text(const torch::Tensor& tokens, const torch::Tensor& lengths) {
  if (!text_branch) throw Error("CLASP model: only a target \"phonemes\" model has a phoneme-text tower");
  auto v = by_length_chunks(tokens, lengths, [&](const torch::Tensor& t, const torch::Tensor& len) {
    return text_head->forward(text_branch->forward(phone_embedding->forward(t), len));
  });
  namespace F = torch::nn::functional;
  return F::normalize(v, F::NormalizeFuncOptions().dim(1));
}

SpeechFeatures ClaspAudioModelImpl::features_of(const SpeechOutput& o) const {
  SpeechFeatures f;
  f.pooled = SpeechEncoderImpl::mean_pool(o);
  if (wants_frames()) {
    f.frames = o.hidden;
    f.frame_lengths = o.lengths;
  }
  return f;
}

SpeechFeatures ClaspAudioModelImpl::speech_features(const torch::Tensor& mel, const torch::Tensor& lengths,
                                                    bool spec_augment) {
  if (!speech) return {};
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> rows;
  std::vector<SpeechFeatures> parts;
  for_length_chunks(mel, lengths, [&](const torch::Tensor& r, const torch::Tensor& m, const torch::Tensor& l) {
    rows.push_back(r);
    parts.push_back(features_of(speech->forward(m, l, spec_augment)));
  });
  if (parts.size() == 1) return parts[0];  // the whole batch, in order
  // Chunks back in batch order; frames padded to the longest clip.
  const int64_t B = mel.size(0);
  SpeechFeatures f;
  f.pooled = torch::zeros({B, speech->cfg.hidden});
  for (size_t k = 0; k < parts.size(); ++k) f.pooled.index_copy_(0, rows[k], parts[k].pooled);
  if (wants_frames()) {
    int64_t tmax = 1;
    for (const auto& p : parts) tmax = std::max(tmax, p.frames.size(1));
    f.frames = torch::zeros({B, tmax, speech->cfg.hidden});
    f.frame_lengths = torch::zeros({B}, torch::kLong);
    for (size_t k = 0; k < parts.size(); ++k) {
      f.frames.index_copy_(0, rows[k], torch::constant_pad_nd(parts[k].frames, {0, 0, 0, tmax - parts[k].frames.size(1)}));
      f.frame_lengths.index_copy_(0, rows[k], parts[k].frame_lengths);
    }
  }
  return f;
}

int64_t ClaspAudioModelImpl::frame_input_dim() const {
  const int64_t post = speech->ctc_head ? speech->cfg.ctc_classes : 0;
  if (cfg.frame_inputs == "phones") return cfg.phone_dim;
  return cfg.frame_inputs == "posteriors" ? post : speech->cfg.hidden + post;
}

torch::Tensor ClaspAudioModelImpl::frame_inputs(const torch::Tensor& hidden, const torch::Tensor& lengths) {
  // The frozen CTC head's phoneme posteriors beside each hidden state: the
  // posteriors are what the phonetic baseline decodes, and they are the
  // part of a frame least tied to the voice.
  torch::NoGradGuard ng;
  auto h = hidden.to(torch::kFloat);
  auto post = speech->ctc_head ? torch::softmax(speech->ctc_head->forward(h), -1) : torch::Tensor();
  if (cfg.frame_norm == "utterance") h = normalise_over_time(h, lengths);
  if (!post.defined()) return h;
  return cfg.frame_inputs == "posteriors" ? post : torch::cat({h, post}, -1);
}

std::vector<std::vector<int64_t>> ClaspAudioModelImpl::phone_rows(const torch::Tensor& hidden,
                                                                 const torch::Tensor& lengths,
                                                                 std::vector<PhonePosteriors>* posteriors, int top) {
  torch::NoGradGuard ng;
  auto logits = speech->ctc_head->forward(hidden.to(torch::kFloat));  // [B, T', classes]; argmax as of log-probs
  auto len = lengths.to(torch::kLong).clamp_max(logits.size(1));
  // The posteriors from the same head pass as the greedy phonemes.
  const auto logp = posteriors ? torch::log_softmax(logits, -1) : torch::Tensor();
  std::vector<std::vector<int64_t>> rows;
  for (int64_t b = 0; b < logits.size(0); ++b) {
    rows.push_back(greedy_decode(logits[b], len[b].item<int64_t>()));
    if (posteriors) posteriors->push_back(keep_top_posteriors(logp[b], len[b].item<int64_t>(), top));
  }
  return rows;
}

std::pair<torch::Tensor, torch::Tensor> ClaspAudioModelImpl::phones_of(const torch::Tensor& hidden,
                                                                       const torch::Tensor& lengths) {
  return pad_phones(phone_rows(hidden, lengths));
}

torch::Tensor ClaspAudioModelImpl::normalise_over_time(const torch::Tensor& x, const torch::Tensor& lengths) {
  auto valid = torch::arange(x.size(1)).unsqueeze(0).lt(lengths.unsqueeze(1)).to(x.dtype()).unsqueeze(-1);
  auto n = valid.sum(1, true).clamp_min(1);
  auto mean = (x * valid).sum(1, true) / n;
  auto var = (((x - mean) * valid).pow(2)).sum(1, true) / n;
  return (x - mean) / (var + 1e-5).sqrt() * valid;
}

torch::Tensor ClaspAudioModelImpl::embed(const SpeechFeatures& speech_feat, const torch::Tensor& mel,
                                         const torch::Tensor& lengths, torch::Tensor* lang_logits) {
  torch::Tensor frames, spec;
  if (frame_branch && phone_embedding) {
    torch::Tensor tok = speech_feat.phones, tok_len = speech_feat.phone_lengths;
    if (!tok.defined()) {
      if (!speech_feat.frames.defined()) throw Error("CLASP model: the phone branch needs the encoder's frames");
      std::tie(tok, tok_len) = phones_of(speech_feat.frames, speech_feat.frame_lengths);
    }
    frames = by_length_chunks(tok, tok_len, [&](const torch::Tensor& t, const torch::Tensor& len) {
      return frame_branch->forward(phone_embedding->forward(t), len);
    });
  } else if (frame_branch) {
    if (!speech_feat.frames.defined()) throw Error("CLASP model: the frame branch needs the encoder's frames");
    frames = by_length_chunks(speech_feat.frames, speech_feat.frame_lengths,
                              [&](const torch::Tensor& h, const torch::Tensor& len) {
                                return frame_branch->forward(frame_inputs(h, len), len);
                              });
  }
  if (cnn)
    spec = by_length_chunks(mel, lengths, [&](const torch::Tensor& m, const torch::Tensor& len) {
      return cnn->forward(normalise_over_time(m, len), len);
    });
  namespace F = torch::nn::functional;
  auto e = F::normalize(fusion->forward(speech_feat.pooled, spec, frames), F::NormalizeFuncOptions().dim(1));
  if (lang_logits && lang_head) *lang_logits = lang_head->forward(frames);
  if (!members.empty()) {
    for (const auto& m : members) e = e + m->embed(speech_feat, mel, lengths);
    e = F::normalize(e, F::NormalizeFuncOptions().dim(1));
  }
  if (!phonetic) return e;
  torch::Tensor logits;
  auto p = phonetic->embed(speech_feat, mel, lengths, &logits);
  if (lang_logits && logits.defined()) *lang_logits = logits;  // the phonetic part's languages (heard_languages)
  p = phonetic->audio_phonetic_part(p, logits);
  return torch::cat({e * std::sqrt(1 - cfg.phonetic_weight), p * std::sqrt(cfg.phonetic_weight)}, 1);
}

void save_clasp_model(ClaspAudioModel& m, const std::string& dir) {
  fs::create_directories(dir);
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : m->named_parameters()) w[p.key()] = p.value().detach().to(torch::kFloat16);
  for (const auto& b : m->named_buffers()) w[b.key()] = b.value().detach().to(torch::kFloat32);
  w["logit_scale"] = m->logit_scale.detach().to(torch::kFloat32);
  save_safetensors(dir + "/model.safetensors", w, {{"format", "pt"}});
  write_file_atomic(dir + "/clasp.json", m->cfg.to_json() + "\n");
}

namespace {
// The model directories being loaded (outer ensembles first), so an
// ensemble that names itself, directly or through a member, is refused
// instead of recursing forever.
thread_local std::vector<std::string> loading;

// The encoder directory `rel` (as clasp.json names it) of model directory d.
std::string encoder_of(const std::string& d, const std::string& rel) {
  return fs::weakly_canonical(fs::path(d) / rel).string();
}
}  // namespace

void load_clasp_weights(ClaspAudioModel& m, const std::string& dir, const std::string& where) {
  auto weights = load_safetensors(dir + "/model.safetensors", &m->weights_hash);
  if (m->lang_means.defined() && !weights.count("lang_means"))  // saved before training ended: no means yet
    weights["lang_means"] = torch::zeros_like(m->lang_means);
  copy_into_module(*m, weights, where);
}

namespace {
// load_clasp_model, except that a model naming the speech encoder in
// `shared_dir` (canonical) takes `shared` instead of loading it again: the
// members and phonetic part of one model share its encoder.
ClaspAudioModel load_model_sharing(const std::string& dir, bool load_weights, SpeechEncoder shared,
                                   const std::string& shared_dir) {
  if (!fs::exists(dir + "/clasp.json")) throw Error(dir + ": not a CLASP model directory (no clasp.json)");
  const std::string self = fs::weakly_canonical(dir).string();
  if (std::find(loading.begin(), loading.end(), self) != loading.end())
    throw Error(dir + "/clasp.json: the model contains itself (an ensemble member or a phonetic part names it, directly or "
                      "not)");
  loading.push_back(self);
  struct Pop {
    ~Pop() { loading.pop_back(); }
  } pop;
  auto cfg = ClaspModelConfig::from_json_file(dir + "/clasp.json");
  SpeechEncoder sp{nullptr};
  if (cfg.use_speech || cfg.use_frames) {
    if (shared && encoder_of(dir, cfg.speech_encoder) == shared_dir)
      sp = shared;
    else
      sp = load_speech_encoder((fs::path(dir) / cfg.speech_encoder).lexically_normal().string());
  }
  if (!load_weights) torch::manual_seed(1);
  ClaspAudioModel m(cfg, sp);
  if (!load_weights) {
    m->eval();
    return m;
  }
  load_clasp_weights(m, dir, dir + "/model.safetensors");
  m->eval();
  if (!cfg.ensemble.empty() && !m->speech)
    throw Error(dir + "/clasp.json: an ensemble shares the speech encoder, but this model has no speech or frame branch");
  const std::string own_encoder = cfg.ensemble.empty() ? "" : encoder_of(dir, cfg.speech_encoder);
  for (const auto& rel : cfg.ensemble) {
    const std::string mdir = (fs::path(dir) / rel).lexically_normal().string();
    if (!fs::exists(mdir + "/clasp.json"))
      throw Error(dir + "/clasp.json: ensemble member \"" + rel + "\" is not a CLASP model directory (" + mdir + ")");
    auto member = load_model_sharing(mdir, true, m->speech, own_encoder);
    if (encoder_of(mdir, member->cfg.speech_encoder) != own_encoder ||
        encoder_of(mdir, member->cfg.text_encoder) != encoder_of(dir, cfg.text_encoder) ||
        member->cfg.out_dim != cfg.out_dim)
      throw Error(mdir + ": an ensemble member must use the speech and text encoders of " + dir);
    if (!member->cfg.phonetic.empty())
      throw Error(mdir + ": an ensemble member cannot have a phonetic model of its own (only " + dir + " can)");
    member->speech = m->speech;  // one encoder pass for all
    m->members.push_back(member.ptr());
  }
  if (!cfg.phonetic.empty()) {
    const std::string pdir = (fs::path(dir) / cfg.phonetic).lexically_normal().string();
    if (!fs::exists(pdir + "/clasp.json"))
      throw Error(dir + "/clasp.json: phonetic model \"" + cfg.phonetic + "\" is not a CLASP model directory (" + pdir + ")");
    attach_phonetic_model(m, dir, pdir, cfg.phonetic_weight);
  }
  return m;
}
}  // namespace

ClaspAudioModel load_clasp_model(const std::string& dir, bool load_weights) {
  return load_model_sharing(dir, load_weights, nullptr, "");
}

void attach_phonetic_model(ClaspAudioModel& m, const std::string& dir, const std::string& phonetic_dir, double weight) {
  if (m->cfg.target == "phonemes") throw Error(dir + ": a target \"phonemes\" model cannot have a phonetic part");
  if (!m->speech) throw Error(dir + ": a phonetic model shares the speech encoder, but this model has none");
  if (!(weight > 0 && weight < 1)) throw Error(dir + ": phonetic_weight must be between 0 and 1, got " + std::to_string(weight));
  auto ph = load_model_sharing(phonetic_dir, true, m->speech, encoder_of(dir, m->cfg.speech_encoder));
  if (ph->cfg.target != "phonemes") throw Error(phonetic_dir + "/clasp.json: a phonetic model must have target \"phonemes\"");
  if (encoder_of(phonetic_dir, ph->cfg.speech_encoder) != encoder_of(dir, m->cfg.speech_encoder))
    throw Error(phonetic_dir + ": the phonetic model must use the speech encoder of " + dir);
  ph->speech = m->speech;  // one encoder pass for both
  m->phonetic = ph.ptr();
  m->cfg.phonetic_weight = weight;
}

std::vector<std::string> clasp_weight_files(const std::string& dir, const ClaspModelConfig& cfg) {
  auto file_in = [&](const std::string& rel) { return (fs::path(dir) / rel / "model.safetensors").lexically_normal().string(); };
  std::vector<std::string> files = {file_in(".")};
  if (cfg.use_speech || cfg.use_frames) files.push_back(file_in(cfg.speech_encoder));
  for (const auto& rel : cfg.ensemble) files.push_back(file_in(rel));
  if (!cfg.phonetic.empty()) files.push_back(file_in(cfg.phonetic));
  return files;
}

std::string clasp_text_encoder_dir(const std::string& dir) {
  return clasp_text_encoder_dir(dir, ClaspModelConfig::from_json_file(dir + "/clasp.json"));
}

std::string clasp_text_encoder_dir(const std::string& dir, const ClaspModelConfig& cfg) {
  return (fs::path(dir) / cfg.text_encoder).lexically_normal().string();
}

}  // namespace clasp
