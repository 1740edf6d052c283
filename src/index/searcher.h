#pragma once
// Everything a query needs: the index, the CLASP audio model it was built
// with (for audio queries) and that model's text encoder (for text queries).
// Shared by `clasp search` and `clasp serve`; safe to call from many threads.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "index/audio_index.h"
#include "index/phone_costs.h"
#include "speech/phoneme_vocab.h"
#include "text/query_translator.h"
#include "text/word_lexicon.h"

namespace clasp {

class AudioEmbedder;
class QueryEmbedder;

// A query pronounced longer than this (about 25 s of speech, more than any
// segment holds) skips the second stage and is ranked by the vectors alone:
// matching its phonemes would cost seconds and hundreds of MB (a 4 KB query
// took 4.7 s and 0.9 GB) and could not find it whole in any segment anyway.
constexpr size_t kMaxSecondStagePhonemes = 300;

// An English query with SearchOptions::translate is translated into at most
// this many of its candidates' languages (the most common first).
constexpr size_t kMaxTranslatedLanguages = 3;

// What a text query becomes before it meets the index.
struct TextQuery {
  std::vector<float> vec;        // CLASP text vector
  std::string ipa;               // espeak-ng phonemes in the query's language ("" without one)
  std::vector<int64_t> phones;   // ipa as the model's phoneme ids
  // The English glosses' phoneme ids (non-English queries with a lexicon;
  // several when words have alternatives).
  std::vector<std::vector<int64_t>> glosses;
  // With a translation asked for (SearchOptions::translate): the query's
  // machine translation and its language ("" when none was made). Its
  // vector is mixed into vec and, with phonemes, it is the first gloss.
  std::string translation, translation_lang;
};

// A CLASP model loaded for search, once: its audio and text sides, the
// phoneme vocabulary, edit costs and English lexicon of its second stage.
// Several Searchers (indexes) may share one. Text queries run side by side
// (their forward passes only read the weights; espeak-ng locks itself,
// tts/engine.h); the audio side (audio queries, index adds) takes `mu`, one
// at a time per model.
struct SearchModel {
  std::string dir;
  std::unique_ptr<AudioEmbedder> audio;
  std::unique_ptr<QueryEmbedder> text;
  PhonemeVocab vocab;  // empty without a CTC head
  PhoneCosts costs;    // <dir>/phone-costs.json; unit costs without one
  WordLexicon lexicon; // <dir>/lexicon.json; none without one
  QueryTranslator translator;  // apertium, for SearchOptions::translate
  std::mutex mu;
  static std::shared_ptr<SearchModel> load(const std::string& dir);
  ~SearchModel();
};

class Searcher {
 public:
  // model_dir "" = the model recorded in the index.
  // read_only: the index must exist and is never written (AudioIndex::Access).
  Searcher(const std::string& index_dir, const std::string& model_dir = "", bool read_only = false);
  // An index searched (and added to) with a model already loaded.
  Searcher(const std::string& index_dir, std::shared_ptr<SearchModel> model, bool read_only = false);
  ~Searcher();
  // query_lang: the query's language (ISO 639-1). A model with a phonetic
  // part then also matches how the query sounds in that language; "" leaves
  // that part out (the semantic vectors alone rank, in any language).
  // translations: when given, receives the machine translations the search
  // also matched (opt.translate), so the user can see what was searched.
  std::vector<SearchHit> search_text(const std::string& query, const SearchOptions& opt,
                                     const std::string& query_lang = "",
                                     std::vector<QueryTranslation>* translations = nullptr);
  // The query's vector, and with query_lang and a model with a CTC head,
  // its phonemes and gloss (the second stage's inputs; none when the query
  // has more than kMaxSecondStagePhonemes). translate_to: a language to
  // machine-translate the query into as well ("" = none; TextQuery).
  TextQuery prepare_text_query(const std::string& query, const std::string& query_lang, bool phonemes,
                               const std::string& translate_to = "");
  const PhonemeVocab& vocab() const { return model_->vocab; }
  const PhoneCosts& costs() const { return model_->costs; }
  // Same-language phonetic search: the query's espeak-ng phonemes in
  // `lang` (required) against the segments' CTC transcripts; only segments
  // in `lang` unless the index has no languages recorded for them.
  std::vector<SearchHit> search_phonetic(const std::string& query, const std::string& lang, const SearchOptions& opt);
  // Why a text query in `query_lang` is matched by meaning alone ("" when
  // its sounds are matched too): no language given, or one the model never
  // heard speech in (AudioEmbedder::heard_languages, when it names them).
  std::string meaning_only_reason(const std::string& query_lang) const;
  // Fills each hit's `heard` from the index's stored transcripts; with the
  // text query and its language, also where in it the query was heard
  // (heard_match_begin / end, when the alignment is close).
  void attach_heard(std::vector<SearchHit>& hits, const std::string& query = "", const std::string& query_lang = "");
  // 16 kHz mono samples of the spoken query.
  std::vector<SearchHit> search_audio(const std::vector<float>& samples, const SearchOptions& opt);
  AudioIndex& index() { return *index_; }
  AudioEmbedder& embedder() { return *model_->audio; }
  SearchModel& model() { return *model_; }

 private:
  std::shared_ptr<SearchModel> model_;
  std::unique_ptr<AudioIndex> index_;
};

// Index identity of a loaded model.
IndexModel index_model_of(const AudioEmbedder& e, const std::string& model_dir);

}  // namespace clasp
