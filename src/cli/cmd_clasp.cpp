#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "util/paths.h"
#include "eval/clasp_eval.h"
#include "report/svg_plot.h"
#include "train/clasp_train.h"
#include "util/fs.h"

namespace clasp::cli {

namespace {
struct TrainArgs {
  std::string config, manifest, out, work_dir, init, fusion, frame_inputs, frame_norm, text_phones, target;
  int64_t phonetic_dim = 0;
  int steps = 0, threads = 0;
  double translation_targets = -1, frame_dropout = -1, phone_noise = -1, phone_view_prob = -1;
  int64_t phone_views = -1;
  bool no_speech = false, no_spectrogram = false, frames = false, no_frames = false,
       augment = false, no_augment = false, frame_augment = false, no_frame_augment = false,
       balance_languages = false;
};
}  // namespace

void add_clasp_commands(CLI::App& app) {
  static TrainArgs t;
  auto* tr = app.add_subcommand("train", "Train CLASP's audio side against the frozen text encoder");
  tr->add_option("-c,--config", t.config, "Training config (JSON); flags below override it")->check(CLI::ExistingFile);
  tr->add_option("-i,--in", t.manifest, "Synthesised corpus manifest");
  tr->add_option("-o,--out", t.out, "Output model directory");
  tr->add_option("--work-dir", t.work_dir, "Checkpoints, feature cache and metrics");
  tr->add_option("--init", t.init, "Start from this CLASP model's weights (same branches and sizes): fine-tuning")
      ->check(CLI::ExistingDirectory);
  tr->add_option("--fusion", t.fusion, "concat or gating")->check(CLI::IsMember({"concat", "gating"}));
  tr->add_option("--steps", t.steps, "Maximum training steps");
  tr->add_option("--threads", t.threads, "Torch threads");
  tr->add_flag("--no-speech", t.no_speech, "Ablation: no mean-pooled speech branch (the frame and spectrogram branches remain if on)");
  tr->add_flag("--no-spectrogram", t.no_spectrogram, "Ablation: no spectrogram branch");
  tr->add_flag("--frames", t.frames, "Add the frame branch over the speech encoder's frames");
  tr->add_flag("--no-frames", t.no_frames, "Ablation: no frame branch");
  tr->add_flag("--augment", t.augment, "Train on random views (tempo, vocal tract, noise, SpecAugment) of each clip");
  tr->add_flag("--no-augment", t.no_augment, "Train on the clean cached features");
  tr->add_flag("--frame-augment", t.frame_augment, "Train the frame branch on random views (rate, time masks) of the cached frames");
  tr->add_flag("--no-frame-augment", t.no_frame_augment, "Train the frame branch on the cached frames as they are");
  tr->add_option("--frame-dropout", t.frame_dropout,
                 "Dropout on the encoder's hidden states before the CTC head, training only (0-1)")
      ->check(CLI::Range(0.0, 0.95));
  tr->add_option("--translation-targets", t.translation_targets,
                 "Chance that a clip's target is its sentence in another language (0-1)")
      ->check(CLI::Range(0.0, 1.0));
  tr->add_option("--frame-norm", t.frame_norm, "utterance: normalise the encoder's hidden states per clip over time")
      ->check(CLI::IsMember({"none", "utterance"}));
  tr->add_option("--frame-inputs", t.frame_inputs, "What the frame branch reads")
      ->check(CLI::IsMember({"hidden+posteriors", "posteriors", "phones"}));
  tr->add_option("--phone-noise", t.phone_noise,
                 "With --frame-inputs phones: each training clip's phonemes get errors at a rate drawn from U(0, P)")
      ->check(CLI::Range(0.0, 0.95));
  tr->add_option("--phone-views", t.phone_views,
                 "With --frame-inputs phones: decode N random views (tempo, warp, noise) of each training clip once "
                 "and train on them too")
      ->check(CLI::Range(0, 16));
  tr->add_option("--phone-view-prob", t.phone_view_prob,
                 "Chance that a training clip reads one of its decoded views (default 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  tr->add_flag("--balance-languages", t.balance_languages,
              "Each epoch draws as many training clips from every language as the smallest has");
  tr->add_option("--text-phones", t.text_phones,
                 "Sentences with phonemes (clasp data phonemize) added as text-only examples of the phone branch")
      ->check(CLI::ExistingFile);
  tr->add_option("--target", t.target,
                 "text: the frozen text encoder's embeddings (CLASP); phonemes: a phone-branch model against its own "
                 "phoneme-text tower (the phonetic part of a model)")
      ->check(CLI::IsMember({"text", "phonemes"}));
  tr->add_option("--phonetic-dim", t.phonetic_dim, "With --target phonemes: size of the phonetic space (default 256)")
      ->check(CLI::Range(8, 4096));
  tr->callback([] {
    ClaspTrainOptions o = t.config.empty() ? ClaspTrainOptions{} : ClaspTrainOptions::from_json_file(t.config);
    if (!t.manifest.empty()) o.manifest = t.manifest;
    if (!t.out.empty()) o.out_dir = t.out;
    if (!t.work_dir.empty()) o.work_dir = t.work_dir;
    if (!t.init.empty()) o.init = t.init;
    if (!t.fusion.empty()) o.fusion = t.fusion;
    if (t.steps > 0) o.steps = t.steps;
    if (t.threads > 0) o.threads = t.threads;
    if (t.no_speech) o.use_speech = false;
    if (t.no_spectrogram) o.use_spectrogram = false;
    if (t.frames) o.use_frames = true;
    if (t.no_frames) o.use_frames = false;
    if (!t.frame_inputs.empty()) o.frame_inputs = t.frame_inputs;
    if (!t.frame_norm.empty()) o.frame_norm = t.frame_norm;
    if (t.translation_targets >= 0) o.translation_targets = t.translation_targets;
    if (t.frame_dropout >= 0) o.frame_dropout = t.frame_dropout;
    if (t.phone_noise >= 0) o.phone_noise = t.phone_noise;
    if (t.phone_views >= 0) o.phone_views = t.phone_views;
    if (t.phone_view_prob >= 0) o.phone_view_prob = t.phone_view_prob;
    if (!t.text_phones.empty()) o.text_phones = t.text_phones;
    if (t.balance_languages) o.balance_languages = true;
    if (!t.target.empty()) o.target = t.target;
    if (t.phonetic_dim > 0) o.phonetic_dim = t.phonetic_dim;
    if (t.augment) o.augment = true;
    if (t.no_augment) o.augment = false;
    if (t.frame_augment) o.frame_augment = true;
    if (t.no_frame_augment) o.frame_augment = false;
    if (o.manifest.empty()) throw CLI::ValidationError("--in", "a corpus manifest is required (flag or config)");
    train_clasp(o);
    // The loss curve beside the model (drawn here: the trainer does not reach up into report/).
    const std::string metrics = o.out_dir + "/training-metrics.jsonl";
    if (std::filesystem::exists(metrics))
      write_file_atomic(o.out_dir + "/loss-curve.svg",
                        line_plot_svg("CLASP contrastive training (" + o.model_id + ")", "step", "InfoNCE loss",
                                      series_from_jsonl(metrics, {"train_loss", "val_loss"})));
  });

  static ClaspEvalOptions e;
  static std::string json_out;
  auto* ev = app.add_subcommand("eval", "HITS@1, MRR, meanR, R@5, R@10: soft and hard protocols, cross-lingual");
  ev->add_option("-m,--model", e.model_dir, "CLASP model directory")->capture_default_str();
  ev->add_option("-i,--in", e.manifest, "Synthesised corpus manifest")->required();
  ev->add_option("--cache", e.cache_dir, "Mel cache directory (default: <corpus>/mel-cache)");
  ev->add_option("--split", e.split, "Split to evaluate")->capture_default_str();
  ev->add_option("--soft-distractors", e.soft_distractors, "Random candidates beside the gold one (soft protocol)")
      ->capture_default_str();
  ev->add_option("--seed", e.seed, "Seed of the soft protocol's draws")->capture_default_str();
  ev->add_option("--json", json_out, "Write the full report as JSON");
  ev->add_option("--ensemble", e.ensemble,
                 "More CLASP model directories (same text encoder): clips get the normalised sum of the models' vectors")
      ->check(CLI::ExistingDirectory);
  ev->add_option("--phonetic", e.phonetic,
                 "A target-phonemes model (same speech encoder) whose vectors are appended, as clasp.json's "
                 "\"phonetic\" does, instead of the model's own")
      ->check(CLI::ExistingDirectory);
  ev->add_option("--phonetic-weight", e.phonetic_weight, "Share of the phonetic part in the cosine (0-1)")
      ->check(CLI::Range(0.01, 0.99));
  ev->add_option("--rerank", e.rerank_k,
                 "Also report a two-stage search: each query's best K clips by CLASP score re-ranked by how closely "
                 "its phonemes occur in theirs (0 = off)");
  ev->add_option("--rerank-weight", e.rerank_weight, "Weight of the phoneme match (0-1) added in the second stage")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  ev->add_option("--rerank-posteriors", e.posterior_top,
                 "With --rerank: CTC posterior classes kept per frame for the second stage's posterior match, as an "
                 "index keeps them (0 = the decoded phonemes alone)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  ev->add_option("--posterior-span", e.posterior_span,
                 "Nats per phoneme below the clip's best path at which the posterior match reaches 0")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 100.0));
  ev->add_option("--lexicon", e.lexicon,
                 "With --rerank: English glosses of the queries (clasp text lexicon), matched in the second stage "
                 "as well; default: the model's lexicon.json if it has one; \"none\": no glosses");
  ev->add_flag("--translate", e.translate,
              "Cross-lingual queries are also machine-translated (apertium) into the audio's language: the "
              "translation's vector is mixed in, and with --rerank it is matched as one more gloss");
  ev->add_option("--translation-vector-weight", e.translation_vector_weight,
                 "With --translate: share of the translation's vector in the query's (0 = the query's own)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  ev->add_option("--misses", e.misses,
                 "With --rerank: write every query whose clip the two-stage search did not put first, and the clip "
                 "it did put first (JSONL), for reading the errors");
  ev->add_option("--phone-costs", e.phone_costs,
                 "With --rerank: the recogniser's confusions as edit costs (clasp baseline phonetic --learn-costs); "
                 "default: the model's phone-costs.json if it has one; \"none\": plain edit distance");
  ev->add_option("--view-seed", e.view_seed,
                 "Hear every clip through a random view seeded by this and its id (tempo, vocal-tract warp, noise): "
                 "voices unlike any in training (0 = the clips as they are)");
  ev->callback([] {
    e.model_dir = resolve_project_relative(e.model_dir);
    e.tables = &std::cout;
    auto r = evaluate_clasp(e);
    if (!json_out.empty()) {
      write_file_atomic(json_out, r.dump(2) + "\n");
      std::printf("\nwrote %s\n", json_out.c_str());
    }
  });
}

}  // namespace clasp::cli
