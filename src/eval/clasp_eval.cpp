#include "eval/clasp_eval.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <numeric>
#include <spdlog/spdlog.h>
#include <ostream>

#include "data/manifest.h"
#include "data/translate.h"
#include "eval/retrieval_metrics.h"
#include "index/phonetic_rerank.h"
#include "speech/audio_embedder.h"
#include "speech/clasp_audio_model.h"
#include "speech/ctc_match.h"
#include "speech/mel_cache.h"
#include "speech/phoneme_vocab.h"
#include "speech/query_embedder.h"
#include "text/query_translator.h"
#include "text/word_lexicon.h"
#include "train/frozen_features.h"
#include "tts/phonemizer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

nlohmann::json to_json(const RetrievalMetrics& m) {
  return {{"queries", m.queries}, {"hits1", m.hits1}, {"mrr", m.mrr}, {"mean_rank", m.mean_rank},
          {"r5", m.r5},           {"r10", m.r10}};
}

std::vector<float> rows(const std::vector<float>& m, size_t d, const std::vector<size_t>& idx) {
  std::vector<float> out;
  out.reserve(idx.size() * d);
  for (size_t i : idx) out.insert(out.end(), m.begin() + static_cast<long>(i * d), m.begin() + static_cast<long>((i + 1) * d));
  return out;
}

// What the second stage of a two-stage search reads of each clip: its
// greedy CTC phonemes, and its CTC posteriors as an index keeps them.
struct ClipPhones {
  std::vector<std::vector<int64_t>> phones;
  std::vector<PhonePosteriors> posteriors;  // empty: the transcript match alone
};

// Audio embeddings of clips from the mel cache (or a seeded random view of
// each, view_seed != 0), through the whole model; with `side`, also each
// clip's phonemes from the same pass.
std::vector<float> embed_audio(const std::vector<const Utterance*>& clips, const MelCache& cache, ClaspAudioModel& model,
                               uint64_t view_seed, ClipPhones* side = nullptr, int posterior_top = 0) {
  torch::NoGradGuard ng;
  model->eval();
  const int64_t D = model->embedding_dim();
  std::vector<float> out(clips.size() * static_cast<size_t>(D));
  Progress prog("eval-embed", static_cast<int64_t>(clips.size()), "clips");
  for (size_t s = 0; s < clips.size(); s += 32) {
    size_t e = std::min(clips.size(), s + 32);
    std::vector<std::string> ids;
    for (size_t i = s; i < e; ++i) ids.push_back(clips[i]->id);
    auto [x, len] = pad_mels(clip_mels(cache, ids, view_seed), MelCache::kMels);
    auto feat = model->speech_features(x, len);
    auto emb = model->embed(feat, x, len).contiguous();
    if (side) {
      for (auto& p : model->phone_rows(feat.frames, feat.frame_lengths, posterior_top > 0 ? &side->posteriors : nullptr,
                                       posterior_top))
        side->phones.push_back(std::move(p));
    }
    prog.update(static_cast<int64_t>(e));
    std::copy(emb.data_ptr<float>(), emb.data_ptr<float>() + emb.numel(), out.begin() + static_cast<long>(s * D));
  }
  prog.finish();
  return out;
}

// The two-stage scoring of queries q [n x d] against candidates a [m x d]:
// CLASP cosine, then the phonetic re-ranking of the best rerank_k.
// clip_of maps a candidate row to its clip in `side`.
// q_gloss: each query's glosses in the audio's language, in that language's
// phonemes (none = none).
ListScore two_stage(const std::vector<float>& q, const std::vector<std::vector<int64_t>>& q_phones,
                    const std::vector<std::vector<std::vector<int64_t>>>& q_gloss, const std::vector<float>& a, size_t d,
                    const std::vector<size_t>& clip_of, const ClipPhones& side, const PhoneticRerankOptions& ro,
                    const CtcMatchOptions& co) {
  return [&q, &q_phones, &q_gloss, &a, d, &clip_of, &side, ro, co](size_t i, const std::vector<size_t>& cands) {
    std::vector<float> sc(cands.size());
    for (size_t k = 0; k < cands.size(); ++k) sc[k] = dot_product(&q[i * d], &a[cands[k] * d], d);
    auto o = ro;
    if (!side.posteriors.empty())
      o.posterior_match = [&](const std::vector<int64_t>& query, const std::vector<size_t>& top) {
        std::vector<const PhonePosteriors*> p;
        for (size_t k : top) p.push_back(&side.posteriors[clip_of[cands[k]]]);
        return ctc_match(query, p, co);
      };
    o.glosses = &q_gloss[i];
    phonetic_rerank(
        sc, q_phones[i], [&](size_t k) -> const std::vector<int64_t>& { return side.phones[clip_of[cands[k]]]; }, o);
    return sc;
  };
}

// Tables go to the caller's stream as they are computed (the CLI passes
// standard output); the library itself never writes to the terminal.
void print_row(std::ostream* out, const std::string& name, const RetrievalMetrics& m) {
  if (out)
    *out << fmt::format("| {:<28} | {:>6} | {:>6.3f} | {:>6.3f} | {:>8.1f} | {:>6.3f} | {:>6.3f} |\n", name, m.queries,
                        m.hits1, m.mrr, m.mean_rank, m.r5, m.r10)
         << std::flush;
}

void print_header(std::ostream* out, const std::string& title) {
  if (out)
    *out << fmt::format("\n{}\n| {:<28} | {:>6} | {:>6} | {:>6} | {:>8} | {:>6} | {:>6} |\n|{}|--------|--------|--------|"
                        "----------|--------|--------|\n",
                        title, "", "n", "HITS@1", "MRR", "meanR", "R@5", "R@10", std::string(30, '-'));
}

// Cross-lingual queries of one language: translations of the English test
// sentences, the position of their English clip among the English clips,
// and their query vectors.
struct CrossLingualQueries {
  std::vector<std::string> texts;
  std::vector<size_t> gold;
  std::vector<float> vectors;
  // With ClaspEvalOptions::translate: each text's machine translation into
  // the audio's language ("" where apertium failed or has no route).
  std::vector<std::string> translations;
};

// The queries' apertium translations from `from` to `to` (none without a route).
std::vector<std::string> machine_translations(const std::vector<std::string>& texts, const std::string& from,
                                              const std::string& to) {
  std::vector<std::string> out(texts.size());
  const auto route = find_translation_route(from, to);
  if (!route) return out;
  const auto tr = translate_sentences(texts, *route);
  for (size_t i = 0; i < texts.size(); ++i)
    if (tr[i].error.empty()) out[i] = tr[i].text;
  return out;
}

// The queries' vectors: the texts' own, or with translations mixed in at
// `weight` (a text without one keeps its own).
std::vector<float> query_vectors(QueryEmbedder& embedder, const CrossLingualQueries& q, const std::string& lang,
                                 const std::string& to, double weight) {
  auto v = embedder.embed(q.texts, lang);
  if (q.translations.empty() || weight <= 0) return v;
  std::vector<std::string> have;
  std::vector<size_t> at;
  for (size_t i = 0; i < q.translations.size(); ++i)
    if (!q.translations[i].empty()) {
      have.push_back(q.translations[i]);
      at.push_back(i);
    }
  if (have.empty()) return v;
  const auto t = embedder.embed(have, to);
  const size_t D = v.size() / q.texts.size();
  for (size_t k = 0; k < at.size(); ++k) mix_in_translation(v.data() + at[k] * D, t.data() + k * D, D, weight);
  return v;
}

// The translations in `utts` of the English clips `en`, by language (vectors left empty).
std::map<std::string, CrossLingualQueries> cross_lingual_queries(const std::vector<Utterance>& utts,
                                                                 const std::vector<const Utterance*>& clips,
                                                                 const std::vector<size_t>& en) {
  std::map<std::string, size_t> en_pos;
  for (size_t k = 0; k < en.size(); ++k) en_pos[clips[en[k]]->id] = k;
  std::map<std::string, CrossLingualQueries> queries;
  for (const auto& u : utts)
    if (u.lang != "en" && !u.source_id.empty() && en_pos.count(u.source_id) && !u.text.empty()) {
      queries[u.lang].texts.push_back(u.text);
      queries[u.lang].gold.push_back(en_pos[u.source_id]);
    }
  return queries;
}

// The other direction: the English source of each clip of one language
// (positions `idx` in `clips`; `english` = the manifest's English utterances
// by id) as a query against that language's audio; gold = the clip's position
// in idx. Clips without an English source are left out.
CrossLingualQueries english_source_queries(const std::map<std::string, const Utterance*>& english,
                                           const std::vector<const Utterance*>& clips, const std::vector<size_t>& idx) {
  CrossLingualQueries q;
  for (size_t k = 0; k < idx.size(); ++k) {
    const auto it = english.find(clips[idx[k]]->source_id);
    if (it == english.end() || it->second->text.empty()) continue;
    q.texts.push_back(it->second->text);
    q.gold.push_back(k);
  }
  return q;
}

// Hard and soft figures of the ranks, overall and by the voice engine of
// each query's gold clip (engine_of(query index)).
nlohmann::json figures_by_engine(const std::vector<size_t>& hard, const std::vector<size_t>& soft,
                                 const std::function<const std::string&(size_t)>& engine_of) {
  nlohmann::json j = {{"hard", to_json(RetrievalMetrics::from_ranks(hard))},
                      {"soft", to_json(RetrievalMetrics::from_ranks(soft))}};
  std::map<std::string, std::pair<std::vector<size_t>, std::vector<size_t>>> engines;
  for (size_t i = 0; i < hard.size(); ++i) {
    auto& e = engines[engine_of(i)];
    e.first.push_back(hard[i]);
    e.second.push_back(soft[i]);
  }
  for (const auto& [e, r] : engines) {
    j["by_engine"][e] = to_json(RetrievalMetrics::from_ranks(r.first));
    j["by_engine_soft"][e] = to_json(RetrievalMetrics::from_ranks(r.second));
  }
  return j;
}

// A to_json result read back, for printing.
RetrievalMetrics from_json(const nlohmann::json& s) {
  return {s["queries"], s["hits1"], s["mrr"], s["mean_rank"], s["r5"], s["r10"]};
}

// The same queries through the two-stage search: same-language (hard, soft,
// by engine) and cross-lingual, into report["two_stage"].
void evaluate_two_stage(const ClaspEvalOptions& opt, ClaspAudioModel& model, const std::vector<const Utterance*>& clips,
                        const std::map<std::string, CrossLingualQueries>& cross_lingual,
                        const std::map<std::string, CrossLingualQueries>& from_english,
                        const std::map<std::string, std::vector<size_t>>& by_lang,
                        const std::vector<float>& text, const std::vector<float>& audio, size_t D, const ClipPhones& side,
                        const std::pair<PhoneCosts, std::string>& costs, const std::pair<WordLexicon, std::string>& lexicon,
                        nlohmann::json& report, std::vector<nlohmann::json>& misses) {
  const auto vocab = PhonemeVocab::from_symbols(model->speech->cfg.phonemes);
  // A query's machine translation, pronounced in `to`, goes first among its glosses.
  auto add_translations = [&](std::vector<std::vector<std::vector<int64_t>>>& out,
                              const std::vector<std::string>& translations, const std::string& to) {
    for (size_t i = 0; i < translations.size(); ++i)
      if (!translations[i].empty()) out[i].insert(out[i].begin(), vocab.encode(phonemize_ipa(translations[i], to)));
  };
  // Each query's English gloss, pronounced in English, for a language the lexicon has.
  auto glosses = [&](const std::vector<std::string>& texts, const std::string& lang) {
    std::vector<std::vector<std::vector<int64_t>>> out(texts.size());
    if (lang != "en" && lexicon.first.has(lang))
      for (size_t i = 0; i < texts.size(); ++i)
        for (const auto& g : lexicon.first.glosses(texts[i], lang)) out[i].push_back(vocab.encode(phonemize_ipa(g, "en")));
    return out;
  };
  // Each English query's gloss into `lang`, pronounced in `lang`.
  auto glosses_from_english = [&](const std::vector<std::string>& texts, const std::string& lang) {
    std::vector<std::vector<std::vector<int64_t>>> out(texts.size());
    if (lexicon.first.has_from_english(lang))
      for (size_t i = 0; i < texts.size(); ++i)
        for (const auto& g : lexicon.first.glosses_from_english(texts[i], lang))
          out[i].push_back(vocab.encode(phonemize_ipa(g, lang)));
    return out;
  };
  PhoneticRerankOptions ro;
  ro.top_k = opt.rerank_k;
  ro.weight = static_cast<float>(opt.rerank_weight);
  ro.costs = &costs.first;
  CtcMatchOptions co;
  co.span = opt.posterior_span;
  // Every query whose own clip the two-stage search did not put first, with
  // what it put there (opt.misses; for reading the errors).
  auto note_misses = [&](const std::string& set, const std::vector<std::string>& texts, const std::vector<size_t>& gold,
                         const std::vector<size_t>& ranks, const ListScore& score, const std::vector<size_t>& cand) {
    if (opt.misses.empty()) return;
    std::vector<size_t> all(cand.size());
    std::iota(all.begin(), all.end(), 0);
    for (size_t i = 0; i < ranks.size(); ++i) {
      if (ranks[i] == 1) continue;
      const auto sc = score(i, all);
      size_t first = gold[i] == 0 ? 1 : 0;  // the best clip other than the wanted one (which may tie with it)
      for (size_t k = 0; k < sc.size(); ++k)
        if (k != gold[i] && sc[k] > sc[first]) first = k;
      const Utterance& want = *clips[cand[gold[i]]];
      const Utterance& got = *clips[cand[first]];
      misses.push_back({{"set", set}, {"query", texts[i]}, {"rank", ranks[i]}, {"want", want.id},
                        {"want_text", want.text}, {"first", got.id}, {"first_text", got.text},
                        {"score_want", sc[gold[i]]}, {"score_first", sc[first]}});
    }
  };
  auto& R = report["two_stage"];
  R = {{"top_k", opt.rerank_k}, {"weight", opt.rerank_weight}, {"phone_costs", costs.second},
       {"posterior_top", opt.posterior_top}, {"posterior_span", opt.posterior_span}, {"lexicon", lexicon.second}};
  print_header(opt.tables, "Two-stage search: the best " + std::to_string(opt.rerank_k) +
               " by CLASP score re-ranked by phoneme match, text -> audio");
  for (const auto& [lang, idx] : by_lang) {
    auto a = rows(audio, D, idx), t = rows(text, D, idx);
    std::vector<std::vector<int64_t>> qp;
    std::vector<std::string> texts;
    for (size_t i : idx) {
      texts.push_back(clips[i]->text);
      qp.push_back(vocab.encode(phonemize_ipa(clips[i]->text, lang)));
    }
    const auto qg = glosses(texts, lang);
    std::vector<size_t> gold(idx.size());
    std::iota(gold.begin(), gold.end(), 0);
    auto score = two_stage(t, qp, qg, a, D, idx, side, ro, co);
    auto hard = ranks_hard_list(score, idx.size(), gold);
    note_misses(lang, texts, gold, hard, score, idx);
    auto soft = ranks_soft_list(score, idx.size(), gold, opt.soft_distractors, opt.seed);
    auto& L = R["languages"][lang];
    L = figures_by_engine(hard, soft, [&](size_t k) -> const std::string& { return clips[idx[k]]->engine; });
    print_row(opt.tables, lang + " (hard)", from_json(L["hard"]));
    print_row(opt.tables, lang + " (soft)", from_json(L["soft"]));
    for (const auto& [e, m] : L["by_engine"].items()) {
      print_row(opt.tables, lang + " / " + e + " (hard)", from_json(m));
      print_row(opt.tables, lang + " / " + e + " (soft)", from_json(L["by_engine_soft"][e]));
    }
  }
  for (const auto& [lang, q] : from_english) {
    const auto& idx = by_lang.at(lang);
    std::vector<std::vector<int64_t>> qp;
    for (const auto& t : q.texts) qp.push_back(vocab.encode(phonemize_ipa(t, "en")));
    auto gl = glosses_from_english(q.texts, lang);
    add_translations(gl, q.translations, lang);
    const auto a = rows(audio, D, idx);  // two_stage's scorer keeps references: no temporaries
    auto score = two_stage(q.vectors, qp, gl, a, D, idx, side, ro, co);
    auto hard = ranks_hard_list(score, idx.size(), q.gold);
    note_misses("en->" + lang, q.texts, q.gold, hard, score, idx);
    auto soft = ranks_soft_list(score, idx.size(), q.gold, opt.soft_distractors, opt.seed);
    R["cross_lingual_from_en"][lang] =
        figures_by_engine(hard, soft, [&](size_t i) -> const std::string& { return clips[idx[q.gold[i]]]->engine; });
    print_row(opt.tables, "en -> " + lang + " audio (hard)", RetrievalMetrics::from_ranks(hard));
    print_row(opt.tables, "en -> " + lang + " audio (soft)", RetrievalMetrics::from_ranks(soft));
  }
  if (!by_lang.count("en")) return;
  const auto& en = by_lang.at("en");
  auto a = rows(audio, D, en);
  for (const auto& [lang, qg] : cross_lingual) {
    std::vector<std::vector<int64_t>> qp;
    for (const auto& t : qg.texts) qp.push_back(vocab.encode(phonemize_ipa(t, lang)));
    auto gl = glosses(qg.texts, lang);
    add_translations(gl, qg.translations, "en");
    auto score = two_stage(qg.vectors, qp, gl, a, D, en, side, ro, co);
    auto hard = ranks_hard_list(score, en.size(), qg.gold);
    note_misses(lang + "->en", qg.texts, qg.gold, hard, score, en);
    auto soft = ranks_soft_list(score, en.size(), qg.gold, opt.soft_distractors, opt.seed);
    R["cross_lingual"][lang] =
        figures_by_engine(hard, soft, [&](size_t i) -> const std::string& { return clips[en[qg.gold[i]]]->engine; });
    print_row(opt.tables, lang + " -> en audio (hard)", RetrievalMetrics::from_ranks(hard));
    print_row(opt.tables, lang + " -> en audio (soft)", RetrievalMetrics::from_ranks(soft));
  }
}

// The evaluation itself, on a model loaded by one of the two evaluate_clasp.
nlohmann::json evaluate_loaded(const ClaspEvalOptions& opt, ClaspAudioModel& model, QueryEmbedder& queries_of) {
  const std::string cache_dir =
      opt.cache_dir.empty() ? (fs::path(opt.manifest).parent_path() / "mel-cache").string() : opt.cache_dir;
  auto utts = read_manifest(opt.manifest);
  build_mel_cache(utts, fs::path(opt.manifest).parent_path().string(), cache_dir, opt.threads);
  MelCache cache(cache_dir, &utts, fs::path(opt.manifest).parent_path().string());
  const size_t D = static_cast<size_t>(queries_of.dim());
  if (static_cast<int64_t>(D) != model->embedding_dim())
    throw Error(opt.model_dir + ": its text side gives " + std::to_string(D) + "-d vectors, its audio side " +
                std::to_string(model->embedding_dim()));

  std::vector<const Utterance*> clips;
  for (const auto& u : utts)
    if (u.split == opt.split && cache.has(u.id) && !u.text.empty()) clips.push_back(&u);
  if (clips.empty()) throw Error(opt.manifest + ": no " + opt.split + " clips with audio");
  const bool rerank = opt.rerank_k > 0;
  if (!opt.misses.empty() && !rerank) throw Error("--misses lists the two-stage search's misses: give --rerank K too");
  if (rerank && (!model->speech || !model->speech->ctc_head || model->speech->cfg.phonemes.empty()))
    throw Error(opt.model_dir + ": --rerank needs a speech encoder with a CTC phoneme head");
  if (rerank && !model->wants_frames())
    throw Error(opt.model_dir + ": --rerank needs a model that reads the speech encoder's frames");
  // The second stage's edit costs, and the file they came from ("" = unit costs).
  std::pair<PhoneCosts, std::string> costs;
  if (rerank && opt.phone_costs != "none") {
    costs.second = opt.phone_costs.empty() ? opt.model_dir + "/phone-costs.json" : opt.phone_costs;
    if (!opt.phone_costs.empty() && !fs::exists(opt.phone_costs))
      throw Error(opt.phone_costs + ": no such phone-costs file (make one with clasp baseline phonetic --learn-costs)");
    costs.first = PhoneCosts::load(costs.second, model->speech->cfg.phonemes);
    if (costs.first.empty()) costs.second.clear();
  }
  // The queries' English glosses, and the file they came from ("" = none).
  std::pair<WordLexicon, std::string> lexicon;
  if (rerank && opt.lexicon != "none") {
    lexicon.second = opt.lexicon.empty() ? opt.model_dir + "/lexicon.json" : opt.lexicon;
    if (!opt.lexicon.empty() && !fs::exists(opt.lexicon))
      throw Error(opt.lexicon + ": no such lexicon (make one with clasp text lexicon)");
    if (fs::exists(lexicon.second))
      lexicon.first = WordLexicon::load(lexicon.second);
    else
      lexicon.second.clear();
  }
  ClipPhones side;
  auto audio = embed_audio(clips, cache, model, opt.view_seed, rerank ? &side : nullptr, static_cast<int>(opt.posterior_top));
  // More models' semantic vectors summed into this one's semantic part (the
  // first out_dim columns, sqrt(1 - w) * vector with a phonetic part), then
  // that part normalised again, as ClaspAudioModelImpl::embed does for members.
  const int64_t Dt = model->cfg.out_dim;
  const float sem_scale = model->phonetic ? static_cast<float>(std::sqrt(1 - model->cfg.phonetic_weight)) : 1.0f;
  for (const auto& dir : opt.ensemble) {
    if (fs::weakly_canonical(clasp_text_encoder_dir(dir)) != fs::weakly_canonical(clasp_text_encoder_dir(opt.model_dir)))
      throw Error(dir + ": --ensemble needs models with the same text encoder as " + opt.model_dir);
    auto member = load_clasp_model(dir);
    if (member->phonetic) member->phonetic = nullptr;  // its semantic vector only: the phonetic part is -m's
    auto more = embed_audio(clips, cache, member, opt.view_seed);
    for (size_t i = 0; i < clips.size(); ++i)
      for (int64_t k = 0; k < Dt; ++k) audio[i * D + static_cast<size_t>(k)] += sem_scale * more[i * static_cast<size_t>(Dt) + static_cast<size_t>(k)];
  }
  if (!opt.ensemble.empty()) {
    auto a = torch::from_blob(audio.data(), {static_cast<int64_t>(clips.size()), static_cast<int64_t>(D)}).slice(1, 0, Dt);
    a.copy_(sem_scale * torch::nn::functional::normalize(a, torch::nn::functional::NormalizeFuncOptions().dim(1)));
  }
  nlohmann::json report = {{"model", opt.model_dir}, {"ensemble", opt.ensemble}, {"manifest", opt.manifest}, {"split", opt.split},
                           {"soft_candidates", opt.soft_distractors + 1}, {"seed", opt.seed}};
  if (opt.view_seed) report["view_seed"] = opt.view_seed;
  if (model->phonetic) {
    report["phonetic"] = opt.phonetic.empty() ? model->cfg.phonetic : opt.phonetic;
    report["phonetic_weight"] = model->cfg.phonetic_weight;
  }
  std::map<std::string, std::vector<size_t>> by_lang;
  for (size_t i = 0; i < clips.size(); ++i) by_lang[clips[i]->lang].push_back(i);
  // Each transcript as a query in its own language (the phonetic part pronounces it so).
  std::vector<float> text(clips.size() * D);
  for (auto& [lang, idx] : by_lang) {
    std::vector<std::string> texts;
    for (size_t i : idx) texts.push_back(clips[i]->text);
    auto v = queries_of.embed(texts, lang);
    for (size_t k = 0; k < idx.size(); ++k)
      std::copy(v.begin() + static_cast<long>(k * D), v.begin() + static_cast<long>((k + 1) * D),
                text.begin() + static_cast<long>(idx[k] * D));
  }

  print_header(opt.tables, "Same-language retrieval, hard protocol (all test clips of the language), text -> audio");
  std::map<std::string, std::vector<std::pair<std::string, RetrievalMetrics>>> breakdown_rows, soft_engine_rows;
  for (auto& [lang, idx] : by_lang) {
    auto a = rows(audio, D, idx), t = rows(text, D, idx);
    std::vector<size_t> gold(idx.size());
    std::iota(gold.begin(), gold.end(), 0);
    auto hard = ranks_hard(t, a, D, gold), soft = ranks_soft(t, a, D, gold, opt.soft_distractors, opt.seed);
    auto hard_a2t = ranks_hard(a, t, D, gold), soft_a2t = ranks_soft(a, t, D, gold, opt.soft_distractors, opt.seed);
    auto& L = report["languages"][lang];
    L["clips"] = idx.size();
    L["text_to_audio"] = {{"hard", to_json(RetrievalMetrics::from_ranks(hard))},
                          {"soft", to_json(RetrievalMetrics::from_ranks(soft))}};
    L["audio_to_text"] = {{"hard", to_json(RetrievalMetrics::from_ranks(hard_a2t))},
                          {"soft", to_json(RetrievalMetrics::from_ranks(soft_a2t))}};
    print_row(opt.tables, lang, RetrievalMetrics::from_ranks(hard));
    // Breakdowns of the text->audio ranks by what the query's clip is: hard
    // by category and engine, soft by engine (a held-out synthesiser's
    // queries, each against its gold clip and 99 random clips of the language).
    auto breakdown = [&](const std::vector<size_t>& ranks, std::string Utterance::*field, const std::string& key,
                         std::vector<std::pair<std::string, RetrievalMetrics>>* table) {
      std::map<std::string, std::vector<size_t>> groups;
      for (size_t k = 0; k < idx.size(); ++k) groups[clips[idx[k]]->*field].push_back(ranks[k]);
      for (auto& [g, r] : groups) {
        auto m = RetrievalMetrics::from_ranks(r);
        L[key][g] = to_json(m);
        if (table) table->emplace_back(g, m);
      }
    };
    breakdown(hard, &Utterance::category, "by_category", nullptr);
    breakdown(hard, &Utterance::engine, "by_engine", &breakdown_rows[lang]);
    breakdown(soft, &Utterance::engine, "by_engine_soft", &soft_engine_rows[lang]);
  }
  print_header(opt.tables, "Same-language retrieval, soft protocol (gold + " + std::to_string(opt.soft_distractors) +
               " random), text -> audio");
  for (auto& [lang, L] : report["languages"].items()) print_row(opt.tables, lang, from_json(L["text_to_audio"]["soft"]));
  print_header(opt.tables, "Audio -> text, hard protocol");
  for (auto& [lang, L] : report["languages"].items()) print_row(opt.tables, lang, from_json(L["audio_to_text"]["hard"]));
  print_header(opt.tables, "By voice engine (hard, text -> audio)");
  for (auto& [lang, rowsv] : breakdown_rows)
    for (auto& [g, m] : rowsv) print_row(opt.tables, lang + " / " + g, m);
  print_header(opt.tables, "By voice engine (soft, text -> audio)");
  for (auto& [lang, rowsv] : soft_engine_rows)
    for (auto& [g, m] : rowsv) print_row(opt.tables, lang + " / " + g, m);

  if (opt.translate)
    report["query_translation"] = {{"engine", "apertium"}, {"vector_weight", opt.translation_vector_weight}};
  // Cross-lingual: translations of the English test sentences against English audio.
  std::map<std::string, CrossLingualQueries> cross_lingual;
  if (by_lang.count("en")) {
    const auto& en = by_lang["en"];
    auto a = rows(audio, D, en);
    cross_lingual = cross_lingual_queries(utts, clips, en);
    print_header(opt.tables, "Cross-lingual: queries in language X against the English test audio");
    for (auto& [lang, qg] : cross_lingual) {
      if (opt.translate) qg.translations = machine_translations(qg.texts, lang, "en");
      qg.vectors = query_vectors(queries_of, qg, lang, "en", opt.translation_vector_weight);
      auto hard = ranks_hard(qg.vectors, a, D, qg.gold);
      auto soft = ranks_soft(qg.vectors, a, D, qg.gold, opt.soft_distractors, opt.seed);
      report["cross_lingual"][lang] =
          figures_by_engine(hard, soft, [&](size_t i) -> const std::string& { return clips[en[qg.gold[i]]]->engine; });
      print_row(opt.tables, lang + " -> en audio (hard)", RetrievalMetrics::from_ranks(hard));
      print_row(opt.tables, lang + " -> en audio (soft)", RetrievalMetrics::from_ranks(soft));
    }
  }
  // Cross-lingual the other way: English sources against the audio of each other language.
  std::map<std::string, CrossLingualQueries> from_english;
  std::map<std::string, const Utterance*> english;
  for (const auto& u : utts)
    if (u.lang == "en") english[u.id] = &u;
  for (const auto& [lang, idx] : by_lang) {
    if (lang == "en") continue;
    auto q = english_source_queries(english, clips, idx);
    if (q.texts.empty()) continue;
    if (from_english.empty()) print_header(opt.tables, "Cross-lingual: English sources against the audio of language X");
    if (opt.translate) q.translations = machine_translations(q.texts, "en", lang);
    q.vectors = query_vectors(queries_of, q, "en", lang, opt.translation_vector_weight);
    auto a = rows(audio, D, idx);
    auto hard = ranks_hard(q.vectors, a, D, q.gold);
    auto soft = ranks_soft(q.vectors, a, D, q.gold, opt.soft_distractors, opt.seed);
    report["cross_lingual_from_en"][lang] =
        figures_by_engine(hard, soft, [&](size_t i) -> const std::string& { return clips[idx[q.gold[i]]]->engine; });
    print_row(opt.tables, "en -> " + lang + " audio (hard)", RetrievalMetrics::from_ranks(hard));
    print_row(opt.tables, "en -> " + lang + " audio (soft)", RetrievalMetrics::from_ranks(soft));
    from_english[lang] = std::move(q);
  }
  if (rerank) {
    std::vector<nlohmann::json> misses;
    evaluate_two_stage(opt, model, clips, cross_lingual, from_english, by_lang, text, audio, D, side, costs, lexicon,
                       report, misses);
    if (!opt.misses.empty()) {
      std::string lines;
      for (const auto& m : misses) lines += m.dump() + "\n";
      write_file_atomic(opt.misses, lines);
      spdlog::info("wrote {} ({} queries not answered first)", opt.misses, misses.size());
    }
  }
  return report;
}

}  // namespace

nlohmann::json evaluate_clasp(const ClaspEvalOptions& opt) {
  set_compute_threads(opt.threads);
  auto model = load_clasp_model(opt.model_dir);
  if (!opt.phonetic.empty()) attach_phonetic_model(model, opt.model_dir, opt.phonetic, opt.phonetic_weight);
  QueryEmbedder queries(opt.model_dir, model.ptr());
  return evaluate_loaded(opt, model, queries);
}

nlohmann::json evaluate_clasp(const ClaspEvalOptions& opt, const AudioEmbedder& audio, QueryEmbedder& queries) {
  if (!opt.phonetic.empty())
    throw Error(opt.model_dir + ": a phonetic part given at evaluation needs the model loaded for it (evaluate_clasp(opt))");
  set_compute_threads(opt.threads);
  ClaspAudioModel model(audio.model());
  return evaluate_loaded(opt, model, queries);
}

}  // namespace clasp
