#include "tts/phonemize_job.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <unordered_set>
#include <spdlog/spdlog.h>

#include "data/manifest.h"
#include "tts/phonemizer.h"
#include "util/error.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

size_t run_phonemize(const PhonemizeOptions& opt) {
  check_split_filter(opt.splits);
  if (opt.out.empty()) throw Error("phonemize: no output path");
  auto utts = read_manifest(opt.in);
  std::vector<Utterance> todo;
  for (auto& u : utts)
    if (opt.splits.empty() || std::find(opt.splits.begin(), opt.splits.end(), u.split) != opt.splits.end())
      todo.push_back(std::move(u));

  std::unordered_map<std::string, std::pair<std::string, std::string>> known;  // id -> text, phonemes
  for (const auto& path : opt.reuse)
    for (const auto& u : read_manifest(path))
      if (!u.phonemes.empty()) known[u.id] = {u.text, u.phonemes};

  // Resume: ids already in the partial file are done.
  const std::string partial = opt.out + ".partial";
  std::unordered_set<std::string> done;
  if (fs::exists(partial)) {
    std::ifstream in(partial);
    size_t line_no = 0, kept = 0;
    std::string line, good;
    while (std::getline(in, line)) {
      ++line_no;
      try {
        done.insert(parse_utterance(line, partial + ":" + std::to_string(line_no)).id);
        good += line + "\n";
        ++kept;
      } catch (const Error&) {
        break;  // a line cut by a kill: redo from here
      }
    }
    in.close();
    std::ofstream rewrite(partial, std::ios::trunc);
    rewrite << good;
    spdlog::info("phonemize: resuming, {} of {} sentences already done", kept, todo.size());
  }
  std::ofstream out(partial, std::ios::app);
  if (!out) throw Error(partial + ": cannot write");
  Progress prog("phonemize", static_cast<int64_t>(todo.size()), "sentences", static_cast<int64_t>(done.size()));
  size_t n = done.size(), reused = 0;
  std::vector<std::string> failed;
  std::string first_error;
  for (size_t i = 0; i < todo.size(); ++i) {
    auto& u = todo[i];
    if (done.count(u.id)) continue;
    auto k = known.find(u.id);
    if (k != known.end() && k->second.first == u.text) {
      u.phonemes = k->second.second;
      ++reused;
    } else {
      try {
        u.phonemes = phonemize_ipa(u.text, u.lang);
      } catch (const Error& e) {
        u.phonemes.clear();
        if (first_error.empty()) first_error = u.id + ": " + e.what();
      }
    }
    if (u.phonemes.empty()) {
      failed.push_back(u.id);
    } else {
      out << utterance_to_json(u) << "\n";
      ++n;
    }
    if (i % 256 == 0) {
      out.flush();
      prog.update(static_cast<int64_t>(i + 1));
    }
  }
  out.close();
  prog.finish();
  if (!failed.empty())
    spdlog::warn("phonemize: {} sentences gave no phonemes and were left out (first: {}{}{})", failed.size(),
                 failed.front(), first_error.empty() ? "" : "; first error: ", first_error);
  spdlog::info("phonemize: {} sentences ({} phonemes reused)", n, reused);
  fs::rename(partial, opt.out);
  return n;
}

}  // namespace clasp
