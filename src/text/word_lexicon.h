#pragma once
// Word-for-word glosses into English, learned from the corpus's parallel
// sentences (IBM Model 1: which English word each word of a translation
// most likely produced). The second stage of a search matches a query's
// phonemes against what was heard, which says nothing across languages;
// a query's English gloss, pronounced in English, can be matched against
// English speech. The gloss is crude (word order, one sense per word) but
// a phoneme alignment forgives much of that.
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clasp {

// Lower-cased words of a text: runs of letters and digits (any non-ASCII
// letter included); punctuation and spaces separate them.
std::vector<std::string> lexicon_words(const std::string& text);

struct LexiconOptions {
  int iterations = 5;       // EM iterations of Model 1
  int min_count = 2;        // words seen fewer times are left out (they pass through as they are)
  double min_prob = 0.1;    // and so are words whose best English word is less likely than this
};

class WordLexicon {
 public:
  // Learns language -> English glosses from (translation, English) sentence
  // pairs, per language, and English -> language glosses from the same pairs
  // read the other way.
  static WordLexicon learn(const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& pairs,
                           const LexiconOptions& opt = {});
  // Reads a file written by save(); errors name the file and what is wrong.
  static WordLexicon load(const std::string& path);
  void save(const std::string& path) const;

  // How merge() treats a word both lexicons gloss.
  enum class Merge {
    KeepMine,     // this lexicon's glosses stay
    OtherWins,    // other's replace them
    Alternatives  // other's are kept after them, as alternatives (at most kMaxAlternatives in all)
  };
  static constexpr size_t kMaxAlternatives = 3;
  // Adds `other`'s glosses (both directions): words this lexicon lacks
  // always; words both have as `how` says. New languages come whole.
  void merge(const WordLexicon& other, Merge how);

  bool has(const std::string& lang) const { return glosses_.count(lang) > 0; }
  size_t size(const std::string& lang) const;
  // The English gloss of a text in `lang`: each word replaced by its
  // English word, unknown words (names, numbers) kept. A word written
  // without its accents ("numero", "contrasena": people often type them
  // so) takes the gloss of the accented word when the lexicon lacks the
  // bare form. "" for a language the lexicon does not have.
  std::string gloss(const std::string& text, const std::string& lang) const;
  // Every distinct gloss of the text when words have alternatives (from
  // merges with Merge::Alternatives): the k-th takes each word's k-th
  // gloss (its last where it has fewer). The first is gloss(). {} for a
  // language the lexicon does not have.
  std::vector<std::string> glosses(const std::string& text, const std::string& lang) const;
  // The other way: an English text glossed word for word into `lang`, so
  // an English query can be matched against speech in `lang`. "" for a
  // language the lexicon has no English glosses into (a file made before
  // they were learned).
  bool has_from_english(const std::string& lang) const { return from_english_.count(lang) > 0; }
  std::string gloss_from_english(const std::string& text, const std::string& lang) const;
  std::vector<std::string> glosses_from_english(const std::string& text, const std::string& lang) const;

 private:
  // lang -> word -> its glosses, the first the likeliest
  using Glosses = std::map<std::string, std::map<std::string, std::vector<std::string>>>;
  Glosses glosses_;       // into English
  Glosses from_english_;  // English into lang
  // The same tables keyed by words without accents (an accented word's
  // gloss under its bare form); kept in step by reindex().
  Glosses bare_glosses_, bare_from_english_;
  void reindex();
};

}  // namespace clasp
