#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "data/manifest.h"
#include "eval/eval_bitext.h"
#include "text/parallel_pairs.h"
#include "text/sentence_encoder.h"
#include "train/train_text.h"
#include "text/word_lexicon.h"
#include "util/error.h"
#include "util/npy.h"
#include "util/utf8.h"

namespace clasp::cli {

namespace {
struct EmbedArgs {
  std::string model = default_text_encoder_dir(), in, out;
};
struct EvalArgs {
  std::string model = default_text_encoder_dir(), split = "test";
  std::vector<std::string> manifests = {"data/brown-multilingual.jsonl"};
  size_t candidates = 1000;
  uint64_t seed = 1;
  std::string json_out;
};

void run_embed(const EmbedArgs& a) {
  auto enc = SentenceEncoder::load(a.model);
  std::vector<std::string> lines;
  std::string line;
  std::ifstream file;
  if (!a.in.empty() && a.in != "-") {
    file.open(a.in);
    if (!file) throw Error(a.in + ": cannot open");
  }
  std::istream& in = a.in.empty() || a.in == "-" ? std::cin : file;
  const std::string src = a.in.empty() || a.in == "-" ? "stdin" : a.in;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    require_utf8(line, src + ":" + std::to_string(n));
    lines.push_back(line);
  }
  auto v = enc->embed(lines);
  const size_t d = static_cast<size_t>(enc->dim());
  if (!a.out.empty() && a.out.size() > 4 && a.out.substr(a.out.size() - 4) == ".npy") {
    write_npy_f32(a.out, v, lines.size(), d);
    std::fprintf(stderr, "wrote %s (%zu x %zu)\n", a.out.c_str(), lines.size(), d);
    return;
  }
  FILE* out = a.out.empty() ? stdout : std::fopen(a.out.c_str(), "w");
  if (!out) throw Error(a.out + ": cannot write");
  for (size_t i = 0; i < lines.size(); ++i) {
    nlohmann::json j = {{"text", lines[i]}, {"embedding", std::vector<float>(v.begin() + i * d, v.begin() + (i + 1) * d)}};
    std::fprintf(out, "%s\n", j.dump().c_str());
  }
  if (out != stdout) std::fclose(out);
}

void run_eval(const EvalArgs& a) {
  auto enc = SentenceEncoder::load(a.model);
  std::printf("Bitext retrieval, %s split, accuracy@1 (model %s, %lld parameters)\n", a.split.c_str(), a.model.c_str(),
              static_cast<long long>(enc->info().parameters));
  // One table per test source (Brown-apertium, DDTP, gettext, Asterisk, ...);
  // the JSON keeps one manifest's layout as before, several under their paths.
  nlohmann::json all;
  for (const auto& manifest : a.manifests) {
    auto utts = read_manifest(manifest);
    auto scores = eval_bitext(*enc, utts, a.split, a.candidates, a.seed);
    double same = eval_same_language(*enc, utts, a.split, a.candidates, a.seed);
    std::printf("\n%s\n  %-4s %10s %8s %8s\n", manifest.c_str(), "lang", "candidates", "en->x", "x->en");
    nlohmann::json j;
    for (const auto& s : scores) {
      std::printf("  %-4s %10zu %8.3f %8.3f\n", s.lang.c_str(), s.candidates, s.en_to_x, s.x_to_en);
      j["bitext"][s.lang] = {{"candidates", s.candidates}, {"en_to_x", s.en_to_x}, {"x_to_en", s.x_to_en}};
    }
    std::printf("  same-language (en vs lower-cased, unpunctuated en): %.3f\n", same);
    j["same_language_en"] = same;
    if (a.manifests.size() == 1) all = std::move(j);
    else all[manifest] = std::move(j);
  }
  if (!a.json_out.empty()) {
    std::ofstream(a.json_out) << all.dump(2) << "\n";
    std::printf("wrote %s\n", a.json_out.c_str());
  }
}
struct LexiconArgs {
  std::string manifest = "data/brown-mlall.jsonl", split = "train", out, base;
  bool learned_wins = false, alternatives = false;
  LexiconOptions opt;
};

void run_lexicon(const LexiconArgs& a) {
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> pairs;
  for (const auto& g : parallel_groups(read_manifest(a.manifest), a.split))
    for (const auto& [lang, text] : g.translations) pairs[lang].emplace_back(text, g.english);
  if (pairs.empty()) throw Error(a.manifest + ": no " + a.split + " sentences with translations");
  auto lex = WordLexicon::learn(pairs, a.opt);
  for (const auto& [lang, p] : pairs)
    std::printf("%s: %zu sentence pairs, %zu words glossed\n", lang.c_str(), p.size(), lex.size(lang));
  if (!a.base.empty()) {
    // The base lexicon, with what was learned here filling its gaps (or overriding it).
    auto merged = WordLexicon::load(a.base);
    using M = WordLexicon::Merge;
    merged.merge(lex, a.alternatives ? M::Alternatives : a.learned_wins ? M::OtherWins : M::KeepMine);
    lex = std::move(merged);
    std::printf("merged with %s (%s where both gloss a word)\n", a.base.c_str(),
                a.alternatives   ? "the learned gloss kept as an alternative"
                : a.learned_wins ? "the learned gloss wins"
                                 : "the base's gloss stays");
  }
  lex.save(a.out);
  std::printf("lexicon written to %s\n", a.out.c_str());
}

}  // namespace

void add_text_commands(CLI::App& app) {
  auto* text = app.add_subcommand("text", "Multilingual sentence encoder: train, embed, evaluate");
  text->require_subcommand(1);

  static TextTrainOptions tr;
  auto* t = text->add_subcommand("train", "Train the default multilingual sentence encoder");
  t->add_option("-i,--in", tr.manifests,
                "Manifests with English sentences and translations (repeat -i to train on several together)")
      ->capture_default_str();
  t->add_option("-o,--out", tr.out_dir, "Output model directory")->capture_default_str();
  t->add_option("--work-dir", tr.work_dir, "Checkpoints, vocabulary and metrics")->capture_default_str();
  t->add_option("--steps", tr.steps, "Training steps")->capture_default_str();
  t->add_option("--batch", tr.batch, "Sentence pairs per step")->capture_default_str();
  t->add_option("--lr", tr.lr, "Peak learning rate")->capture_default_str();
  t->add_option("--warmup", tr.warmup, "Warm-up steps")->capture_default_str();
  t->add_option("--eval-every", tr.eval_every, "Validate and checkpoint every N steps")->capture_default_str();
  t->add_option("--vocab", tr.vocab_size, "SentencePiece vocabulary size")->capture_default_str();
  t->add_option("--hidden", tr.hidden, "Hidden size")->capture_default_str();
  t->add_option("--layers", tr.layers, "Transformer layers")->capture_default_str();
  t->add_option("--heads", tr.heads, "Attention heads")->capture_default_str();
  t->add_option("--intermediate", tr.intermediate, "Feed-forward size")->capture_default_str();
  t->add_option("--max-len", tr.max_len, "Maximum tokens per sentence")->capture_default_str();
  t->add_option("--seed", tr.seed, "Seed")->capture_default_str();
  t->add_option("--threads", tr.threads, "Torch threads (1 when another job shares the cores)")->capture_default_str();
  t->add_option("--teacher", tr.teacher,
                "Distil from this text model: the student starts from it, keeps its vocabulary and architecture, "
                "keeps English where the teacher puts it and brings every translation there")
      ->check(CLI::ExistingDirectory);
  t->add_option("--anchor", tr.anchor, "With --teacher: weight of staying on the teacher's English vectors")
      ->capture_default_str();
  t->callback([] {
    if (tr.anchor < 0) throw Error("--anchor: expected a weight >= 0, got " + std::to_string(tr.anchor));
    train_text_encoder(tr);
  });

  static EmbedArgs em;
  auto* e = text->add_subcommand("embed", "Embed lines of text (stdin or a file) as JSONL or .npy");
  e->add_option("-m,--model", em.model, "Text encoder directory")->capture_default_str();
  e->add_option("-i,--in", em.in, "Input file, one sentence per line (default stdin)");
  e->add_option("-o,--out", em.out, "Output .jsonl or .npy (default JSONL on stdout)");
  e->callback([] { run_embed(em); });

  static LexiconArgs lx;
  auto* l = text->add_subcommand("lexicon", "Learn word-for-word English glosses from parallel sentences (IBM Model 1)");
  l->add_option("-i,--in", lx.manifest, "Manifest with English sentences and translations")->capture_default_str();
  l->add_option("--split", lx.split, "Split to learn from")->capture_default_str();
  l->add_option("-o,--out", lx.out, "Lexicon JSON to write")->required();
  l->add_option("--iterations", lx.opt.iterations, "EM iterations")->capture_default_str()->check(CLI::Range(1, 100));
  l->add_option("--min-count", lx.opt.min_count, "Leave out words seen fewer times")->capture_default_str();
  l->add_option("--min-prob", lx.opt.min_prob, "Leave out words whose best English word is less likely")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  auto* base = l->add_option("--base", lx.base, "A lexicon to start from: the learned glosses fill the words it lacks")
                   ->check(CLI::ExistingFile);
  auto* wins = l->add_flag("--learned-wins", lx.learned_wins, "With --base: where both gloss a word, keep the learned gloss")
                   ->needs(base);
  l->add_flag("--alternatives", lx.alternatives,
              "With --base: where both gloss a word differently, keep the learned gloss as an alternative (the "
              "second stage tries each)")
      ->excludes(wins)
      ->needs(base);
  l->callback([] { run_lexicon(lx); });

  static EvalArgs ev;
  auto* v = text->add_subcommand("eval", "Bitext retrieval accuracy@1 between English and each language");
  v->add_option("-m,--model", ev.model, "Text encoder directory")->capture_default_str();
  v->add_option("-i,--in", ev.manifests,
                "Manifest with translations; repeat -i for several test sources, each reported on its own")
      ->capture_default_str();
  v->add_option("--split", ev.split, "Split to evaluate on")->capture_default_str();
  v->add_option("--candidates", ev.candidates, "Candidates per language")->capture_default_str();
  v->add_option("--seed", ev.seed, "Sample seed")->capture_default_str();
  v->add_option("--json", ev.json_out, "Also write the scores as JSON");
  v->callback([] { run_eval(ev); });
}

}  // namespace clasp::cli
