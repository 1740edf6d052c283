// clasp reference import | embed: the CLASP authors' released fusion encoder
// (speech/reference_model.h, docs/clasp.md "The authors' checkpoints").
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "audio/audio_file.h"
#include "cli/commands.h"
#include "speech/reference_model.h"
#include "util/error.h"
#include "speech/audio_embedder.h"

namespace fs = std::filesystem;

namespace clasp::cli {

namespace {

// audio path (as written, and its file name) -> the image-model feature, from JSON lines {"audio", "image"}.
std::map<std::string, std::vector<float>> read_image_features(const std::string& path, size_t dim) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  std::map<std::string, std::vector<float>> out;
  std::map<std::string, std::string> names;  // file name -> the one path that has it
  std::set<std::string> ambiguous;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    const std::string where = path + ":" + std::to_string(n);
    if (j.is_discarded() || !j.is_object() || !j.contains("audio") || !j["audio"].is_string() ||
        !j.contains("image") || !j["image"].is_array())
      throw Error(where + ": expected {\"audio\": \"<file>\", \"image\": [<" + std::to_string(dim) + " numbers>]}");
    std::vector<float> v;
    for (const auto& x : j["image"]) {
      if (!x.is_number()) throw Error(where + ": \"image\" holds something that is not a number");
      v.push_back(x.get<float>());
    }
    if (v.size() != dim)
      throw Error(where + ": \"image\" has " + std::to_string(v.size()) + " values, the model takes " +
                  std::to_string(dim));
    const std::string a = j["audio"].get<std::string>();
    if (out.count(a)) throw Error(where + ": a second line for " + a);
    out[a] = v;
    // Also by file name, unless two lines' files share it (then only their full paths match).
    const std::string name = fs::path(a).filename().string();
    if (name != a) {
      if (names.count(name) && names[name] != a) ambiguous.insert(name);
      names[name] = a;
    }
  }
  for (const auto& [name, path] : names)
    if (!ambiguous.count(name) && !out.count(name)) out[name] = out[path];
  return out;
}

}  // namespace

void add_reference_commands(CLI::App& app) {
  auto* r = app.add_subcommand("reference",
                               "The CLASP authors' released fusion encoder (llm-lab-org/CLASP) with its HuBERT and "
                               "LaBSE: import it, embed audio with it");
  r->require_subcommand(1);
  static ReferenceImportOptions io;
  static bool raw_inputs = false;
  auto* im = r->add_subcommand("import",
                               "Convert a reference checkpoint (torch.save of HubertLabseConcat / HubertLabseGating, "
                               "whole or its state_dict) into a clasp directory beside its speech and text models");
  im->add_option("checkpoint", io.checkpoint, "The .pt file (e.g. their clasp.pt)")->required()->check(CLI::ExistingFile);
  im->add_option("--speech-model", io.speech_model, "Hugging Face HuBERT directory (hubert-large-ls960-ft)")
      ->required()
      ->check(CLI::ExistingDirectory);
  im->add_option("--text-model", io.text_model, "Text encoder directory (sentence-transformers LaBSE)")
      ->required()
      ->check(CLI::ExistingDirectory);
  im->add_option("-o,--out", io.out_dir, "Directory to write")->required();
  im->add_flag("--raw-inputs", raw_inputs,
               "Feed the branch inputs as they are (default: L2-normalised first, as the reference's inference "
               "notes ask)");
  im->callback([] {
    io.normalize_inputs = !raw_inputs;
    import_reference_model(io);
    std::printf("wrote %s (reference.json, fusion.safetensors)\n", io.out_dir.c_str());
  });

  static std::string model, features;
  static std::vector<std::string> files;
  static int threads = 2;
  auto* em = r->add_subcommand("embed",
                               "Embed audio files with an imported reference model, one JSON line each; the image "
                               "branch's input (EfficientNet-B7 logits of the clip's spectrogram image, computed "
                               "as the reference does) comes from --image-features");
  em->add_option("-m,--model", model, "Directory written by clasp reference import")->required();
  em->add_option("--image-features", features, "JSON lines {\"audio\": file, \"image\": [1000 numbers]}")
      ->required()
      ->check(CLI::ExistingFile);
  em->add_option("files", files, "Audio files")->required();
  em->add_option("--threads", threads, "Torch threads")->capture_default_str()->check(CLI::Range(1, 256));
  em->callback([] {
    set_compute_threads(threads);
    ReferenceAudioEmbedder emb(model);
    auto img = read_image_features(features, emb.image_dim());
    for (const auto& f : files) {
      auto it = img.find(f);
      if (it == img.end()) it = img.find(fs::path(f).filename().string());
      if (it == img.end()) throw Error(features + ": no image feature for " + f);
      auto a = read_audio(f);
      std::printf("%s\n", nlohmann::json({{"file", f}, {"embedding", emb.embed(a.samples, it->second)}}).dump().c_str());
    }
  });
}

}  // namespace clasp::cli
