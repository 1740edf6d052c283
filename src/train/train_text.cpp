#include "train/train_text.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "data/manifest.h"
#include "models/bert.h"
#include "models/safetensors.h"
#include "text/parallel_pairs.h"
#include "text/sp_tokenizer.h"
#include "text/text_encoder_model.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/json_file.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {
torch::Tensor ranking_loss(const torch::Tensor& a, const torch::Tensor& b, double scale) {
  auto logits = torch::matmul(a, b.t()) * scale;
  auto target = torch::arange(a.size(0), torch::kLong);
  return 0.5 * (torch::nn::functional::cross_entropy(logits, target) +
                torch::nn::functional::cross_entropy(logits.t(), target));
}

// Picks one translation of a group, deterministically from (seed, step).
const std::string& pick_translation(const ParallelGroup& g, uint64_t seed, int64_t step) {
  uint64_t h = seeded_hash(seed ^ static_cast<uint64_t>(step) * 0x9E37ULL, g.id);
  auto it = g.translations.begin();
  std::advance(it, static_cast<long>(h % g.translations.size()));
  return it->second;
}

// Squared distance between rows of unit vectors, averaged.
torch::Tensor unit_distance(const torch::Tensor& a, const torch::Tensor& b) {
  return (2.0 - 2.0 * (a * b).sum(1)).mean();
}

double lr_at(const TextTrainOptions& o, int step) {
  if (step < o.warmup) return o.lr * (step + 1) / o.warmup;
  double p = static_cast<double>(step - o.warmup) / std::max(1, o.steps - o.warmup);
  return o.lr * 0.5 * (1 + std::cos(M_PI * std::min(1.0, p)));
}
}  // namespace

void train_text_encoder(const TextTrainOptions& opt) {
  torch::manual_seed(static_cast<uint64_t>(opt.seed));
  torch::set_num_threads(opt.threads);
  if (opt.manifests.empty()) throw Error("text train: give at least one manifest (-i)");
  std::vector<Utterance> utts;
  std::string names;
  for (const auto& m : opt.manifests) {
    auto part = read_manifest(m);
    utts.insert(utts.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    names += (names.empty() ? "" : ", ") + m;
  }
  auto train = parallel_groups(utts, "train");
  auto val = parallel_groups(utts, "validation");
  if (train.size() < static_cast<size_t>(opt.batch))
    throw Error(names + ": only " + std::to_string(train.size()) +
                " English training sentences with translations; need at least one batch (" +
                std::to_string(opt.batch) + ")");
  fs::create_directories(opt.work_dir);

  std::unique_ptr<TextEncoderModel> teacher;
  std::unique_ptr<TextEncoderModel> student;
  std::string spm_model;
  if (!opt.teacher.empty()) {
    // 1. The teacher's vocabulary and architecture; the student starts as the teacher.
    teacher = load_clasp_text_model(opt.teacher);
    for (auto& p : teacher->bert()->parameters()) p.set_requires_grad(false);
    spm_model = opt.teacher + "/spm.model";
    BertConfig cfg = BertConfig::from_json_file(opt.teacher + "/config.json");
    cfg.dropout = 0.1;
    student = std::make_unique<TextEncoderModel>(cfg, std::make_unique<SentencePieceTokenizer>(spm_model, false),
                                                 teacher->info());
    load_bert_weights(student->bert(), load_safetensors(opt.teacher + "/model.safetensors"),
                      opt.teacher + "/model.safetensors");
    spdlog::info("distilling from {} (anchor weight {:.2f})", opt.teacher, opt.anchor);
  } else {
    // 1. Vocabulary over every language of the training split.
    std::string spm_prefix = opt.work_dir + "/spm";
    spm_model = spm_prefix + ".model";
    if (!fs::exists(spm_model)) {
      std::string corpus;
      for (const auto& g : train) {
        corpus += g.english + "\n";
        for (const auto& [l, t] : g.translations) corpus += t + "\n";
      }
      write_file_atomic(opt.work_dir + "/spm-train.txt", corpus);
      spdlog::info("training SentencePiece vocabulary ({} pieces)", opt.vocab_size);
      train_sentencepiece(opt.work_dir + "/spm-train.txt", spm_prefix, opt.vocab_size);
    }
    BertConfig cfg;
    cfg.vocab_size = opt.vocab_size;
    cfg.hidden_size = opt.hidden;
    cfg.num_hidden_layers = opt.layers;
    cfg.num_attention_heads = opt.heads;
    cfg.intermediate_size = opt.intermediate;
    cfg.max_position_embeddings = opt.max_len;
    cfg.dropout = 0.1;
    TextEncoderInfo info;
    info.tokenizer = "sentencepiece";
    info.pooling = "mean";
    info.normalize = true;
    info.max_len = opt.max_len;
    student = std::make_unique<TextEncoderModel>(cfg, std::make_unique<SentencePieceTokenizer>(spm_model, false), info);
  }
  TextEncoderModel& model = *student;
  torch::optim::AdamW optim(model.bert()->parameters(),
                            torch::optim::AdamWOptions(opt.lr).weight_decay(opt.weight_decay));

  // 2. Resume.
  std::string ckpt = opt.work_dir + "/checkpoint.pt", state_path = opt.work_dir + "/state.json";
  int start = 0;
  if (fs::exists(ckpt) && fs::exists(state_path)) {
    auto st = read_json_file(state_path);
    torch::serialize::InputArchive in;
    in.load_from(ckpt);
    model.bert()->load(in);
    torch::serialize::InputArchive oin;
    oin.load_from(opt.work_dir + "/optimizer.pt");
    optim.load(oin);
    start = st.at("step").get<int>();
    spdlog::info("resuming from step {} ({})", start, ckpt);
  }

  // Fixed validation batch: a seeded sample of the validation split (every
  // manifest has its share).
  std::sort(val.begin(), val.end(), [&](const ParallelGroup& x, const ParallelGroup& y) {
    return seeded_hash(opt.seed, x.id) < seeded_hash(opt.seed, y.id);
  });
  std::vector<std::string> va, vb;
  for (size_t i = 0; i < val.size() && va.size() < 512; ++i) {
    va.push_back(val[i].english);
    vb.push_back(pick_translation(val[i], opt.seed, 0));
  }
  torch::Tensor teacher_va;
  if (teacher && !va.empty()) {
    torch::NoGradGuard ng;
    teacher_va = teacher->forward(teacher->tokenize(va));
  }
  struct Validation {
    double loss = 0, acc = 0, anchor_cos = 1;
  };
  auto validate = [&]() -> Validation {
    Validation v;
    if (va.empty()) return v;
    torch::NoGradGuard ng;
    model.bert()->eval();
    auto a = model.forward(model.tokenize(va)), b = model.forward(model.tokenize(vb));
    v.loss = ranking_loss(a, b, opt.scale).item<double>();
    v.acc = torch::matmul(a, b.t()).argmax(1).eq(torch::arange(a.size(0))).to(torch::kFloat).mean().item<double>();
    if (teacher_va.defined()) v.anchor_cos = (a * teacher_va).sum(1).mean().item<double>();
    model.bert()->train();
    return v;
  };

  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  auto shuffle_epoch = [&](int64_t epoch) {
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      return seeded_hash(opt.seed + static_cast<uint64_t>(epoch), train[x].id) <
             seeded_hash(opt.seed + static_cast<uint64_t>(epoch), train[y].id);
    });
  };
  const int64_t per_epoch = static_cast<int64_t>(train.size()) / opt.batch;
  int64_t shuffled_for = -1;
  std::ofstream metrics(opt.work_dir + "/metrics.jsonl", std::ios::app);
  model.bert()->train();
  Progress bar("text-train", opt.steps, "steps", start);
  double ema = 0;
  for (int step = start; step < opt.steps; ++step) {
    int64_t epoch = step / per_epoch, in_epoch = step % per_epoch;
    if (epoch != shuffled_for) {
      shuffle_epoch(epoch);
      shuffled_for = epoch;
    }
    std::vector<std::string> a, b;
    for (int i = 0; i < opt.batch; ++i) {
      const auto& g = train[order[static_cast<size_t>(in_epoch * opt.batch + i)]];
      a.push_back(g.english);
      b.push_back(pick_translation(g, opt.seed, step));
    }
    for (auto& group : optim.param_groups())
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr_at(opt, step));
    optim.zero_grad();
    torch::Tensor loss;
    if (teacher) {
      torch::Tensor target;
      {
        torch::NoGradGuard ng;
        target = teacher->forward(teacher->tokenize(a));
      }
      auto se = model.forward(model.tokenize(a)), sx = model.forward(model.tokenize(b));
      loss = ranking_loss(sx, target, opt.scale) +
             opt.anchor * (unit_distance(se, target) + unit_distance(sx, target));
    } else {
      loss = ranking_loss(model.forward(model.tokenize(a)), model.forward(model.tokenize(b)), opt.scale);
    }
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model.bert()->parameters(), 1.0);
    optim.step();
    double l = loss.item<double>();
    ema = step == start ? l : 0.95 * ema + 0.05 * l;
    char extra[64];
    std::snprintf(extra, sizeof extra, "loss %.3f", ema);
    bar.update(step + 1, extra);
    bool last = step + 1 == opt.steps;
    if ((step + 1) % opt.eval_every == 0 || last) {
      auto v = validate();
      nlohmann::json m = {{"step", step + 1}, {"train_loss", ema}, {"val_loss", v.loss},
                          {"val_acc512", v.acc}, {"lr", lr_at(opt, step)}};
      if (teacher) m["val_anchor_cos"] = v.anchor_cos;
      metrics << m.dump() << "\n" << std::flush;
      spdlog::info("step {}: train loss {:.3f}, val loss {:.3f}, val acc@1/512 {:.3f}{}", step + 1, ema, v.loss, v.acc,
                   teacher ? fmt::format(", English vs teacher cos {:.4f}", v.anchor_cos) : std::string());
      // Checkpoint: model, optimiser, then the step (written last).
      torch::serialize::OutputArchive out, oout;
      model.bert()->save(out);
      out.save_to(ckpt + ".tmp");
      optim.save(oout);
      oout.save_to(opt.work_dir + "/optimizer.pt.tmp");
      fs::rename(ckpt + ".tmp", ckpt);
      fs::rename(opt.work_dir + "/optimizer.pt.tmp", opt.work_dir + "/optimizer.pt");
      write_file_atomic(state_path, nlohmann::json{{"step", step + 1}}.dump() + "\n");
    }
  }
  bar.finish();
  model.bert()->eval();
  save_clasp_text_model(model, opt.out_dir, spm_model);
  spdlog::info("saved {} ({} parameters)", opt.out_dir, static_cast<long long>(model.info().parameters));
}

}  // namespace clasp
