// clasp baseline asr | phonetic: transcribe-then-retrieve baselines on the test split.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "eval/asr_baseline.h"
#include "eval/phonetic_baseline.h"
#include "util/fs.h"
#include "util/paths.h"

namespace clasp::cli {

void add_baseline_commands(CLI::App& app) {
  auto* b = app.add_subcommand("baseline", "Baselines CLASP is compared with");
  b->require_subcommand(1);
  static AsrBaselineOptions o;
  static std::string json_out;
  auto* a = b->add_subcommand("asr",
                              "A recogniser's transcripts (PocketSphinx, or a Hugging Face wav2vec2 / HuBERT CTC "
                              "model) embedded by a text encoder, retrieved as CLASP is");
  a->add_option("-i,--in", o.manifest, "Synthesised corpus manifest")->required();
  a->add_option("-m,--model", o.model_dir,
                 "Embeds the transcripts: a CLASP model (its text encoder) or a text encoder directory (clasp's, "
                 "Hugging Face BERT / XLM-R, sentence-transformers such as LaBSE)")
      ->capture_default_str();
  a->add_option("--asr-model", o.asr_model,
                "\"pocketsphinx\" (default) or a Hugging Face Wav2Vec2ForCTC / HubertForCTC directory (config.json, "
                "model.safetensors or pytorch_model.bin, vocab.json): greedy CTC with its own vocabulary");
  a->add_option("-o,--out-dir", o.out_dir, "Transcripts (resumable) and report")->capture_default_str();
  a->add_option("--split", o.split, "Split")->capture_default_str();
  a->add_option("--lang", o.lang, "Language of the clips (PocketSphinx's model is English)")->capture_default_str();
  a->add_option("--threads", o.threads, "Decoders in parallel (PocketSphinx) or torch threads (CTC models)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  a->add_option("--json", json_out, "Write the report as JSON");
  a->callback([] {
    o.model_dir = resolve_project_relative(o.model_dir);
    if (o.asr_model != "pocketsphinx" && !o.asr_model.empty()) o.asr_model = resolve_project_relative(o.asr_model);
    o.tables = &std::cout;
    auto rep = run_asr_baseline(o);
    if (!json_out.empty()) {
      write_file_atomic(json_out, rep.dump(2) + "\n");
      std::printf("wrote %s\n", json_out.c_str());
    }
  });

  static PhoneticBaselineOptions p;
  static std::string pjson;
  auto* ph = b->add_subcommand("phonetic",
                               "The speech encoder's own phoneme recogniser: query phonemes (espeak-ng) matched to "
                               "greedy CTC transcripts by edit distance, every language");
  ph->add_option("-i,--in", p.manifest, "Synthesised corpus manifest")->required();
  ph->add_option("--speech", p.speech_dir, "Speech encoder with a CTC head")->capture_default_str();
  ph->add_option("--split", p.split, "Split")->capture_default_str();
  ph->add_option("--threads", p.threads, "Torch threads")->capture_default_str()->check(CLI::Range(1, 256));
  ph->add_option("--seed", p.seed, "Seed of the soft protocol's draws")->capture_default_str();
  ph->add_option("--json", pjson, "Write the report as JSON");
  ph->add_option("--view-seed", p.view_seed,
                 "Hear every clip through a random view seeded by this and its id (tempo, vocal-tract warp, noise)");
  ph->add_option("--learn-costs", p.learn_costs,
                 "Also learn the recogniser's confusions from these clips and write them (JSON) here: the "
                 "two-stage search reads <model>/phone-costs.json");
  ph->callback([] {
    p.speech_dir = resolve_project_relative(p.speech_dir);
    p.tables = &std::cout;
    auto rep = run_phonetic_baseline(p);
    if (!pjson.empty()) {
      write_file_atomic(pjson, rep.dump(2) + "\n");
      std::printf("wrote %s\n", pjson.c_str());
    }
  });
}

}  // namespace clasp::cli
