#include "asr/ctc_vocabulary.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "text/unicode_case.h"
#include "util/error.h"

namespace clasp {

namespace {

nlohmann::json read_object(const std::string& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (required) throw Error(path + ": cannot open (a CTC checkpoint needs its vocab.json)");
    return nlohmann::json::object();
  }
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(path + ": not a JSON object");
  return j;
}

// A special token is a string or, in newer files, an AddedToken object {"content": ...}.
void token_field(const nlohmann::json& j, const std::string& path, const char* key, std::string& out) {
  if (!j.contains(key) || j[key].is_null()) return;
  const auto& v = j[key];
  if (v.is_string()) out = v.get<std::string>();
  else if (v.is_object() && v.contains("content") && v["content"].is_string()) out = v["content"].get<std::string>();
  else throw Error(path + ": field \"" + key + "\" is neither a string nor {\"content\": string}");
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
}

}  // namespace

CtcVocabulary CtcVocabulary::from_dir(const std::string& dir) {
  CtcVocabulary v;
  const std::string vpath = dir + "/vocab.json";
  auto vocab = read_object(vpath, true);
  std::map<std::string, int64_t> ids;
  for (auto& [tok, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0)
      throw Error(vpath + ": token \"" + tok + "\" has no non-negative integer id");
    ids[tok] = id.get<int64_t>();
    v.tokens_[id.get<int64_t>()] = tok;
  }
  if (v.tokens_.empty()) throw Error(vpath + ": empty vocabulary");
  // Wav2Vec2CTCTokenizer's defaults, then tokenizer_config.json, then special_tokens_map.json.
  std::string bos = "<s>", eos = "</s>";
  v.unk_ = "<unk>";
  v.pad_ = "<pad>";
  for (const char* file : {"/tokenizer_config.json", "/special_tokens_map.json"}) {
    const std::string path = dir + file;
    auto j = read_object(path, false);
    token_field(j, path, "bos_token", bos);
    token_field(j, path, "eos_token", eos);
    token_field(j, path, "unk_token", v.unk_);
    token_field(j, path, "pad_token", v.pad_);
    token_field(j, path, "word_delimiter_token", v.delimiter_);
    if (j.contains("replace_word_delimiter_char") && j["replace_word_delimiter_char"].is_string())
      v.delimiter_text_ = j["replace_word_delimiter_char"].get<std::string>();
    if (j.contains("do_lower_case") && j["do_lower_case"].is_boolean()) v.lower_case_ = j["do_lower_case"].get<bool>();
    if (j.contains("clean_up_tokenization_spaces") && j["clean_up_tokenization_spaces"].is_boolean())
      v.clean_up_spaces_ = j["clean_up_tokenization_spaces"].get<bool>();
  }
  if (!ids.count(v.pad_))
    throw Error(vpath + ": the pad token \"" + v.pad_ + "\" (the CTC blank) is not in the vocabulary");
  v.pad_id_ = ids[v.pad_];
  // As transformers' convert_tokens_to_ids: a special token missing from the vocabulary maps to <unk>'s id.
  for (const auto& t : {bos, eos, v.unk_, v.pad_}) {
    auto it = ids.find(t);
    if (it != ids.end()) v.special_ids_.push_back(it->second);
    else if (ids.count(v.unk_)) v.special_ids_.push_back(ids[v.unk_]);
  }
  return v;
}

std::string CtcVocabulary::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> toks;
  for (int64_t id : ids) {
    if (skip_special_tokens && std::find(special_ids_.begin(), special_ids_.end(), id) != special_ids_.end()) continue;
    auto it = tokens_.find(id);
    toks.push_back(it == tokens_.end() ? unk_ : it->second);
  }
  std::string text;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (i && toks[i] == toks[i - 1]) continue;  // a repeat (CTC)
    if (toks[i] == pad_) continue;              // the blank
    text += toks[i] == delimiter_ ? delimiter_text_ : toks[i];
  }
  const char* ws = " \t\n\r\f\v";
  const size_t b = text.find_first_not_of(ws);
  text = b == std::string::npos ? "" : text.substr(b, text.find_last_not_of(ws) - b + 1);
  if (lower_case_) text = utf8_lower(text);
  // The tokenizer's clean_up_tokenization, in its order.
  if (clean_up_spaces_)
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
           {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}})
      replace_all(text, from, to);
  return text;
}

std::vector<int64_t> CtcVocabulary::best_path(const std::vector<float>& logits, size_t frames, size_t classes) {
  if (logits.size() != frames * classes) throw Error("CTC logits: size does not match frames x classes");
  std::vector<int64_t> out(frames);
  for (size_t t = 0; t < frames; ++t) {
    const float* row = logits.data() + t * classes;
    out[t] = std::max_element(row, row + classes) - row;  // the first of equal maxima, as torch.argmax
  }
  return out;
}

}  // namespace clasp
