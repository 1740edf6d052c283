#pragma once
// Debian's klettres-data (KDE's KLettres: letters and syllables spoken by
// people, about 25 languages, Ogg/Vorbis) -> manifest utterances: a test of
// short utterances only, never trained on (every utterance is split "test").
//
// Layout (as scripts/fetch_klettres.sh leaves it under --root):
//   usr/share/klettres/<dir>/sounds.xml   <alphabet> and <syllables> lists of
//                                         <sound name="TEXT" file="<dir>/alpha/x.ogg"/>
//   usr/share/klettres/<dir>/{alpha,syllab}/*.ogg
// <dir> is a language folder: "en", "en_GB", "pt_BR", "nds", ...
#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

// One <sound> of a sounds.xml.
struct KlettresSound {
  std::string kind;  // "letters" (<alphabet>) or "syllables" (<syllables>)
  std::string name;  // the letter or syllable as written (XML entities decoded)
  std::string file;  // relative to usr/share/klettres, e.g. "en/alpha/A.ogg"
  int line = 0;
};

// Parses one sounds.xml. Comments are skipped; a <sound> outside <alphabet>
// or <syllables> is ignored. Errors "path:LINE: ..." for a <sound> without a
// name or file, an unterminated tag or comment, or a file with no <language>.
std::vector<KlettresSound> read_klettres_sounds(const std::string& path);

// ISO 639-1 of a language folder: the part before '_' ("en_GB" -> "en",
// "pt_BR" -> "pt"; "nds" has no two-letter code and stays "nds").
std::string klettres_lang(const std::string& dir);

// <root>/usr/share/klettres, or an Error naming it and the script that makes it.
std::string klettres_data_dir(const std::string& root);
// Language folders with a sounds.xml, sorted.
std::vector<std::string> klettres_languages(const std::string& root);

struct KlettresStats {
  std::string dir;           // language folder
  size_t listed = 0;         // <sound> entries
  size_t letters = 0, syllables = 0;  // kept
  size_t duplicate = 0;      // a text already kept in this folder (first kept)
  size_t empty = 0;          // empty name
  double seconds = 0;
  std::vector<std::string> missing_audio;  // listed files that are not there
};

// One language folder: id "klettres.<dir>.<letters|syllables>.<name>" (dir as
// written, e.g. "en" or "en_GB"; whitespace, '/' and '.' in the name become
// '_'), text = name, lang = klettres_lang(dir), category "klettres-letters" /
// "klettres-syllables", doc "klettres.<dir>", engine "human", voice
// "klettres:<dir>", split "test", audio relative to manifest_dir, duration
// from the decoded file (an undecodable file is an Error naming it).
std::vector<Utterance> import_klettres_language(const std::string& root, const std::string& dir,
                                                const std::string& manifest_dir, KlettresStats* stats);

// The language folders named in `langs`, in that order, by exact folder name
// ("en" takes en/ but not en_GB/; ask for "en_GB" to get it). Requested names
// with no folder (e.g. "ca": klettres has no Catalan) go to *absent.
std::vector<Utterance> import_klettres(const std::string& root, const std::vector<std::string>& langs,
                                       const std::string& manifest_path, std::vector<KlettresStats>* stats,
                                       std::vector<std::string>* absent);

}  // namespace clasp
