#include "index/audio_index.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <chrono>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>

#include <spdlog/spdlog.h>

#include "audio/audio_file.h"
#include "index/phone_gram_index.h"
#include "index/phonetic_match.h"
#include "speech/phoneme_vocab.h"
#include "index/sqlite_db.h"
#include "speech/audio_embedder.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
  id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, hash TEXT NOT NULL, bytes INTEGER NOT NULL,
  mtime INTEGER NOT NULL, duration REAL NOT NULL, lang TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments(
  id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  start_s REAL NOT NULL, end_s REAL NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, vec BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS segments_file ON segments(file_id);
CREATE TABLE IF NOT EXISTS segment_phones(
  segment_id INTEGER PRIMARY KEY REFERENCES segments(id) ON DELETE CASCADE, phones TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segment_posteriors(
  segment_id INTEGER PRIMARY KEY REFERENCES segments(id) ON DELETE CASCADE, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS file_heard_lang(
  file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE, lang TEXT NOT NULL, confidence REAL NOT NULL);
CREATE TABLE IF NOT EXISTS segment_heard_lang(
  segment_id INTEGER PRIMARY KEY REFERENCES segments(id) ON DELETE CASCADE, lang TEXT NOT NULL, confidence REAL NOT NULL);
)";

std::string db_path(const std::string& dir) { return dir + "/index.sqlite"; }


struct HeardLanguage {
  std::string lang;
  double confidence = 0;
};

// A file's language as the model hears it: its segments' probabilities
// averaged, each weighted by its length (a short "okay" says little).
std::optional<HeardLanguage> heard_language(const std::vector<std::vector<float>>& probs,
                                            const std::vector<TimeSpan>& spans, const std::vector<std::string>& langs) {
  if (langs.empty() || probs.size() != spans.size()) return std::nullopt;
  std::vector<double> sum(langs.size(), 0.0);
  double total = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (probs[i].size() != langs.size()) return std::nullopt;
    const double w = spans[i].end - spans[i].start;
    for (size_t l = 0; l < langs.size(); ++l) sum[l] += w * probs[i][l];
    total += w;
  }
  if (total <= 0) return std::nullopt;
  const auto best = static_cast<size_t>(std::max_element(sum.begin(), sum.end()) - sum.begin());
  return HeardLanguage{langs[best], sum[best] / total};
}

// Runs `st` (one "?" for a segment id) for each of `ids`; read(id) sees each row found.
template <class Read>
void for_each_row(SqliteStmt& st, const std::vector<int64_t>& ids, Read&& read) {
  for (int64_t id : ids) {
    st.bind(1, id);
    if (st.step()) read(id);
    st.reset();
  }
}

std::string get_meta(SqliteDb& db, const std::string& key) {
  auto st = db.prepare("SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  return st.step() ? st.text(0) : "";
}

void set_meta(SqliteDb& db, const std::string& key, const std::string& value) {
  db.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .run();
}

// A whole number kept in meta; a damaged one is an Error naming the index
// and the key (never a bare "stoi").
int64_t meta_int(SqliteDb& db, const std::string& dir, const std::string& key, int64_t lo, int64_t hi) {
  const std::string v = get_meta(db, key);
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi)
    throw Error(db_path(dir) + ": meta \"" + key + "\" is \"" + v.substr(0, 40) + "\", expected a whole number from " +
                std::to_string(lo) + " to " + std::to_string(hi) + " (the index is damaged: build it again)");
  return n;
}
constexpr int64_t kMaxDim = 1 << 16;

// FNV-1a over the whole file, streamed: the content identity of a file.
std::string content_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open to hash");
  uint64_t h = 1469598103934665603ull;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buf[static_cast<size_t>(i)]);
      h *= 1099511628211ull;
    }
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return "";
  return read_file(path, 64);
}

// Size and a hash of a file's bytes: a FAISS file is trusted only when they
// are what was written with it (a flipped count makes FAISS spin and eat
// memory while reading; flipped vector data gives wild scores).
std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::vector<char> buf(1 << 20);
  uint64_t h = 0x9E3779B97F4A7C15ULL, size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    size += n;
    h = splitmix64(h ^ fnv1a64(std::string_view(buf.data(), n)));
  }
  char out[48];
  std::snprintf(out, sizeof out, "%llu:%016llx", static_cast<unsigned long long>(size), static_cast<unsigned long long>(h));
  return out;
}

// <file>.gen holds "<generation> <digest>" of the database generation the file was made from.
void write_stamp(const std::string& path, int64_t gen) {
  write_file_atomic(path + ".gen", std::to_string(gen) + " " + file_digest(path));
}
std::string stamp_generation(const std::string& path) {
  std::string s = read_text_file(path + ".gen");
  return s.substr(0, s.find(' '));
}
// The file exists, was made from generation `gen`, and is byte for byte what was written.
bool stamp_matches(const std::string& path, int64_t gen) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return false;
  std::string s = read_text_file(path + ".gen");
  auto sp = s.find(' ');
  if (sp == std::string::npos || s.substr(0, sp) != std::to_string(gen)) return false;  // stale: rebuilt quietly
  if (s.substr(sp + 1) == file_digest(path)) return true;
  spdlog::warn("{}: its bytes are not the ones written (damaged?); building it again", path);
  return false;
}

}  // namespace

IndexModel AudioIndex::model_of(const std::string& dir) {
  if (!fs::exists(db_path(dir))) throw Error(dir + ": not an index (no index.sqlite); create one with `clasp index add`");
  SqliteDb db(db_path(dir));
  IndexModel m;
  m.id = get_meta(db, "model_id");
  m.version = get_meta(db, "model_version");
  m.dir = get_meta(db, "model_dir");
  if (m.id.empty() || get_meta(db, "dim").empty())
    throw Error(db_path(dir) + ": index has no model record (not made by clasp?)");
  m.dim = static_cast<int>(meta_int(db, dir, "dim", 1, kMaxDim));
  return m;
}

AudioIndex::AudioIndex(const std::string& dir, const IndexModel& model, Access access)
    : dir_(dir), model_(model), read_only_(access == Access::ReadOnly) {
  std::error_code ec;
  if (read_only_) {
    if (!fs::exists(db_path(dir), ec))
      throw Error(dir + ": not an index (no index.sqlite); create one with `clasp index add`");
  } else {
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir + ": cannot create the index directory: " + ec.message());
  }
  db_ = std::make_unique<SqliteDb>(db_path(dir));
  db_->exec(kSchema);  // CREATE ... IF NOT EXISTS: writes only to bring an old index up to date
  std::string have = get_meta(*db_, "model_id");
  if (have.empty()) {
    SqliteTransaction tx(*db_);
    set_meta(*db_, "model_id", model.id);
    set_meta(*db_, "model_version", model.version);
    set_meta(*db_, "model_dir", model.dir);
    set_meta(*db_, "dim", std::to_string(model.dim));
    set_meta(*db_, "generation", "0");
    tx.commit();
  } else {
    std::string ver = get_meta(*db_, "model_version");
    if (have != model.id || ver != model.version)
      throw Error(dir + ": this index was built with model \"" + have + "\" (weights " + ver +
                  ", from " + get_meta(*db_, "model_dir") + "), but the model given is \"" + model.id +
                  "\" (weights " + model.version + ", from " + model.dir +
                  "). Query it with the model it was built with (-m), or build a new index with this one.");
    model_.dim = static_cast<int>(meta_int(*db_, dir_, "dim", 1, kMaxDim));
  }
  load_vectors();
}

AudioIndex::~AudioIndex() = default;

int64_t AudioIndex::next_id(const char* table) {
  auto st = db_->prepare(std::string("SELECT COALESCE(MAX(id), 0) + 1 FROM ") + table);
  int64_t n = st.step() ? st.int64(0) : 1;
  const std::string key = std::string(table) == "files" ? "next_file_id" : "next_segment_id";
  const std::string kept = get_meta(*db_, key);
  if (!kept.empty() && kept.find_first_not_of("0123456789") == std::string::npos && kept.size() < 19)
    n = std::max<int64_t>(n, std::stoll(kept));
  return n;
}

size_t AudioIndex::segment_count() {
  auto st = db_->prepare("SELECT COUNT(*) FROM segments");
  return st.step() ? static_cast<size_t>(st.int64(0)) : 0;
}

int64_t AudioIndex::generation() {
  return meta_int(*db_, dir_, "generation", 0, std::numeric_limits<int64_t>::max());
}

void AudioIndex::bump_generation() { set_meta(*db_, "generation", std::to_string(generation() + 1)); }

void AudioIndex::load_vectors() {
  const std::string path = dir_ + "/vectors.faiss";
  const int64_t gen = generation();
  std::error_code ec;
  exact_gen_ = gen;
  if (stamp_matches(path, gen)) {
    exact_ = std::make_unique<VectorIndex>(VectorIndex::load(path));
    if (exact_->dim() == model_.dim && exact_->size() == segment_count()) return;
  }
  // Missing or stale (a killed `index add`): rebuild from the database.
  exact_ = std::make_unique<VectorIndex>(VectorIndex::exact(model_.dim));
  auto st = db_->prepare("SELECT id, vec FROM segments");
  std::vector<int64_t> ids;
  std::vector<float> vecs;
  auto flush = [&] {
    exact_->add(ids, vecs.data());
    ids.clear();
    vecs.clear();
  };
  while (st.step()) {
    auto v = st.floats(1);
    if (v.size() != static_cast<size_t>(model_.dim))
      throw Error(db_path(dir_) + ": segment " + std::to_string(st.int64(0)) + " has a vector of " +
                  std::to_string(v.size()) + " values, expected " + std::to_string(model_.dim));
    ids.push_back(st.int64(0));
    vecs.insert(vecs.end(), v.begin(), v.end());
    if (ids.size() == 4096) flush();
  }
  flush();
  save_vectors();
}

void AudioIndex::save_vectors() {
  // A copy that missed another process's commit is never saved as current:
  // the next open rebuilds it from the database instead.
  if (read_only_ || exact_gen_ != generation()) return;
  exact_->save(dir_ + "/vectors.faiss");
  write_stamp(dir_ + "/vectors.faiss", exact_gen_);
}

AddReport AudioIndex::add(const std::vector<IndexInput>& inputs, AudioEmbedder& embedder, const AddOptions& opt,
                          const AddProgress& progress) {
  if (embedder.dim() != model_.dim)
    throw Error(dir_ + ": the model gives " + std::to_string(embedder.dim()) + "-dim vectors, the index holds " +
                std::to_string(model_.dim));
  const auto t0 = std::chrono::steady_clock::now();
  auto last_save = t0;
  AddReport rep;
  rep.seen = inputs.size();

  struct Pending {
    IndexInput in;
    std::string hash;
    int64_t bytes = 0, mtime = 0, old_id = -1;
    double duration = 0;
    std::vector<TimeSpan> spans;
    std::vector<std::vector<float>> audio;  // samples per span, until embedded
    std::vector<float> vecs;
    std::vector<std::string> phones;  // CTC phoneme transcript per span ("" = none)
    std::vector<PhonePosteriors> posteriors;  // CTC posteriors per span (empty = none)
    std::vector<std::vector<float>> langs;    // language probabilities per span (empty = no language head)
  };
  std::vector<Pending> pending;
  size_t pending_segments = 0, done = 0;

  // The pending files' segments are embedded in one call, so that a folder
  // of short clips is batched (sorted by length) like a long recording's
  // segments. Should that call fail, each file is embedded alone and only
  // the file that fails is dropped and reported.
  auto embed_pending = [&] {
    std::vector<std::vector<float>> all;
    for (auto& p : pending)
      for (auto& a : p.audio) all.push_back(std::move(a));
    std::vector<std::string> phones;
    std::vector<PhonePosteriors> posteriors;
    std::vector<std::vector<float>> langs;
    std::vector<float> vecs;
    bool batched = true;
    try {
      if (!all.empty()) vecs = embedder.embed(all, opt.embed_batch, &phones, &posteriors, &langs);
    } catch (const std::exception&) {
      batched = false;
    }
    const size_t D = static_cast<size_t>(model_.dim);
    size_t off = 0;
    std::vector<Pending> kept;
    for (auto& p : pending) {
      const size_t n = p.spans.size();
      try {
        if (batched) {
          p.vecs.assign(vecs.begin() + static_cast<long>(off * D), vecs.begin() + static_cast<long>((off + n) * D));
          p.phones.assign(phones.begin() + static_cast<long>(off), phones.begin() + static_cast<long>(off + n));
          p.posteriors.assign(std::make_move_iterator(posteriors.begin() + static_cast<long>(off)),
                              std::make_move_iterator(posteriors.begin() + static_cast<long>(off + n)));
          p.langs.assign(langs.begin() + static_cast<long>(off), langs.begin() + static_cast<long>(off + n));
        } else if (n > 0) {
          std::vector<std::vector<float>> mine(std::make_move_iterator(all.begin() + static_cast<long>(off)),
                                               std::make_move_iterator(all.begin() + static_cast<long>(off + n)));
          p.vecs = embedder.embed(mine, opt.embed_batch, &p.phones, &p.posteriors, &p.langs);
        }
        (p.old_id >= 0 ? rep.replaced : rep.added)++;
        rep.segments += n;
        rep.audio_s += p.duration;
        kept.push_back(std::move(p));
      } catch (const std::exception& e) {
        ++rep.failed;
        rep.failures.push_back(p.in.path + ": " + e.what());
      }
      off += n;
    }
    pending = std::move(kept);
  };

  auto commit = [&] {
    if (pending.empty()) return;
    embed_pending();  // drops the files that fail
    pending_segments = 0;
    if (pending.empty()) return;
    std::unique_lock lock(mu_);
    std::vector<int64_t> removed, added;
    std::vector<float> added_vecs;
    SqliteTransaction tx(*db_);
    auto old_segs = db_->prepare("SELECT id FROM segments WHERE file_id = ?");
    auto del = db_->prepare("DELETE FROM files WHERE id = ?");
    auto ins_file = db_->prepare(
        "INSERT INTO files(id, path, hash, bytes, mtime, duration, lang) VALUES(?, ?, ?, ?, ?, ?, ?)");
    auto ins_seg =
        db_->prepare("INSERT INTO segments(id, file_id, start_s, end_s, lang, text, vec) VALUES(?, ?, ?, ?, ?, ?, ?)");
    // Ids are never reused: a link to /audio/<file id> or a segment id held
    // by a client never comes to mean another file after `rm` + `add`.
    int64_t next_file = next_id("files"), next_seg = next_id("segments");
    auto ins_phones = db_->prepare("INSERT INTO segment_phones(segment_id, phones) VALUES(?, ?)");
    auto ins_post = db_->prepare("INSERT INTO segment_posteriors(segment_id, data) VALUES(?, ?)");
    auto ins_heard = db_->prepare("INSERT INTO file_heard_lang(file_id, lang, confidence) VALUES(?, ?, ?)");
    auto ins_seg_heard = db_->prepare("INSERT INTO segment_heard_lang(segment_id, lang, confidence) VALUES(?, ?, ?)");
    for (auto& p : pending) {
      std::optional<HeardLanguage> heard;
      if (p.in.lang.empty()) heard = heard_language(p.langs, p.spans, embedder.heard_languages());
      if (heard && heard->confidence >= opt.min_language_confidence) p.in.lang = heard->lang;
      if (p.old_id >= 0) {
        old_segs.bind(1, p.old_id);
        while (old_segs.step()) removed.push_back(old_segs.int64(0));
        old_segs.reset();
        del.bind(1, p.old_id).run();
      }
      const int64_t fid = next_file++;
      ins_file.bind(1, fid).bind(2, p.in.path).bind(3, p.hash).bind(4, p.bytes).bind(5, p.mtime).bind(6, p.duration)
          .bind(7, p.in.lang).run();
      if (heard) ins_heard.bind(1, fid).bind(2, heard->lang).bind(3, heard->confidence).run();
      const size_t D = static_cast<size_t>(model_.dim);
      for (size_t i = 0; i < p.spans.size(); ++i) {
        // A transcript belongs to the whole file, so only a one-segment file carries it.
        std::string text = p.spans.size() == 1 ? p.in.text : "";
        // A file in no one language (a recording in several): each segment
        // gets the language heard in it, when the model is sure enough.
        std::optional<HeardLanguage> seg_heard;
        if (p.in.lang.empty() && i < p.langs.size())
          seg_heard = heard_language({p.langs[i]}, {p.spans[i]}, embedder.heard_languages());
        if (seg_heard && seg_heard->confidence < opt.min_segment_language_confidence) seg_heard.reset();
        ins_seg.bind(1, next_seg).bind(2, fid).bind(3, p.spans[i].start).bind(4, p.spans[i].end)
            .bind(5, seg_heard ? seg_heard->lang : p.in.lang).bind(6, text)
            .bind_blob(7, p.vecs.data() + i * D, D * sizeof(float)).run();
        if (seg_heard) ins_seg_heard.bind(1, next_seg).bind(2, seg_heard->lang).bind(3, seg_heard->confidence).run();
        added.push_back(next_seg++);
        if (i < p.phones.size() && !p.phones[i].empty()) ins_phones.bind(1, added.back()).bind(2, p.phones[i]).run();
        if (i < p.posteriors.size() && !p.posteriors[i].empty()) {
          const std::string blob = p.posteriors[i].to_blob();
          ins_post.bind(1, added.back()).bind_blob(2, blob.data(), blob.size()).run();
        }
      }
      added_vecs.insert(added_vecs.end(), p.vecs.begin(), p.vecs.end());
    }
    set_meta(*db_, "next_file_id", std::to_string(next_file));
    set_meta(*db_, "next_segment_id", std::to_string(next_seg));
    const bool current = exact_gen_ == generation();  // no other process wrote since we loaded
    bump_generation();
    tx.commit();
    exact_->remove(removed);
    exact_->add(added, added_vecs.data());
    exact_gen_ = current ? exact_gen_ + 1 : -1;
    pending.clear();
    if (std::chrono::steady_clock::now() - last_save > std::chrono::seconds(30)) {
      save_vectors();
      last_save = std::chrono::steady_clock::now();
    }
    if (progress) progress(done, inputs.size(), rep.audio_s);
  };

  auto find = db_->prepare("SELECT id, hash, bytes, mtime FROM files WHERE path = ?");
  auto touch = db_->prepare("UPDATE files SET mtime = ? WHERE id = ?");
  for (const auto& in : inputs) {
    ++done;
    try {
      std::error_code ec;
      fs::path fp(in.path);
      if (!fs::is_regular_file(fp, ec)) throw Error(in.path + ": not a regular file (missing?)");
      Pending p;
      p.in = in;
      p.bytes = static_cast<int64_t>(fs::file_size(fp));
      p.mtime = file_mtime_ns(in.path);
      find.bind(1, in.path);
      std::string old_hash;
      if (find.step()) {
        p.old_id = find.int64(0);
        old_hash = find.text(1);
        bool same_stat = find.int64(2) == p.bytes && find.int64(3) == p.mtime;
        find.reset();
        if (same_stat) {
          ++rep.unchanged;
          continue;
        }
      } else {
        find.reset();
      }
      p.hash = content_hash(in.path);
      if (p.old_id >= 0 && p.hash == old_hash) {  // touched, same content
        touch.bind(1, p.mtime).bind(2, p.old_id).run();
        ++rep.unchanged;
        continue;
      }
      ReadOptions ro;
      ro.max_seconds = opt.max_file_seconds;
      Audio a = read_audio(in.path, ro);
      p.duration = a.duration();
      if (!in.text.empty() && p.duration <= opt.segments.max_segment)
        p.spans = {{0.0, p.duration}};  // a known sentence clip: one segment
      else
        p.spans = speech_segments(a.samples, a.sample_rate, opt.segments);
      std::vector<std::vector<float>> audio_segs;
      for (auto it = p.spans.begin(); it != p.spans.end();) {
        size_t s = static_cast<size_t>(it->start * a.sample_rate);
        size_t e = std::min(a.samples.size(), static_cast<size_t>(it->end * a.sample_rate));
        if (e < s + static_cast<size_t>(a.sample_rate / 10)) {  // too short to embed
          it = p.spans.erase(it);
          continue;
        }
        audio_segs.emplace_back(a.samples.begin() + static_cast<long>(s), a.samples.begin() + static_cast<long>(e));
        ++it;
      }
      if (p.spans.empty()) {
        char dur[32];
        std::snprintf(dur, sizeof dur, "%.2f", p.duration);
        rep.no_speech.push_back(in.path + ": no speech found in " + dur + " s (" + speech_rule(opt.segments) + ")");
      }
      p.audio = std::move(audio_segs);
      pending_segments += std::max<size_t>(1, p.spans.size());
      pending.push_back(std::move(p));
      if (pending_segments >= opt.batch_segments) commit();
    } catch (const Error& e) {
      ++rep.failed;
      rep.failures.push_back(e.what());
    }
  }
  commit();
  {
    std::unique_lock lock(mu_);
    save_vectors();
  }
  if (progress) progress(done, inputs.size(), rep.audio_s);
  rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

size_t AudioIndex::remove(const std::string& path) {
  std::unique_lock lock(mu_);
  std::string p = fs::absolute(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::vector<int64_t> files, segs;
  auto sel = db_->prepare("SELECT id FROM files WHERE path = ? OR substr(path, 1, ?) = ?");
  sel.bind(1, p).bind(2, static_cast<int64_t>(p.size() + 1)).bind(3, p + "/");
  while (sel.step()) files.push_back(sel.int64(0));
  if (files.empty()) return 0;
  SqliteTransaction tx(*db_);
  auto ss = db_->prepare("SELECT id FROM segments WHERE file_id = ?");
  auto del = db_->prepare("DELETE FROM files WHERE id = ?");
  for (int64_t f : files) {
    ss.bind(1, f);
    while (ss.step()) segs.push_back(ss.int64(0));
    ss.reset();
    del.bind(1, f).run();
  }
  const bool current = exact_gen_ == generation();
  bump_generation();
  tx.commit();
  exact_->remove(segs);
  exact_gen_ = current ? exact_gen_ + 1 : -1;
  save_vectors();
  return files.size();
}

std::vector<IndexedSegment> AudioIndex::lookup(const std::vector<int64_t>& ids) {
  std::vector<IndexedSegment> out;
  auto st = db_->prepare(
      "SELECT s.id, s.file_id, f.path, s.start_s, s.end_s, s.lang, s.text FROM segments s "
      "JOIN files f ON f.id = s.file_id "
      "WHERE s.id = ?");
  for (int64_t id : ids) {
    st.bind(1, id);
    if (st.step()) out.push_back({st.int64(0), st.int64(1), st.text(2), st.real(3), st.real(4), st.text(5), st.text(6)});
    st.reset();
  }
  return out;
}

void AudioIndex::refresh(const std::function<bool()>& stale, const std::function<void()>& rebuild) {
  {
    std::shared_lock lock(mu_);
    if (!stale()) return;
  }
  std::unique_lock lock(mu_);
  if (stale()) rebuild();  // another thread may have rebuilt in between
}

void AudioIndex::build_approx(int nprobe) {
  std::unique_lock lock(mu_);
  make_approx(nprobe);
}

void AudioIndex::make_approx(int nprobe) {
  const int64_t gen = generation();
  const std::string path = dir_ + "/vectors-ivf.faiss";
  approx_.reset();
  if (stamp_matches(path, gen)) approx_ = std::make_unique<VectorIndex>(VectorIndex::load(path));
  if (!approx_ || approx_->dim() != model_.dim || approx_->size() != segment_count()) {
    std::vector<int64_t> ids;
    std::vector<float> vecs;
    auto st = db_->prepare("SELECT id, vec FROM segments");
    while (st.step()) {
      ids.push_back(st.int64(0));
      auto v = st.floats(1);
      vecs.insert(vecs.end(), v.begin(), v.end());
    }
    if (ids.empty()) throw Error(dir_ + ": the index is empty; nothing to build an approximate index from");
    // 8-bit scalar codes: a quarter of the memory of float vectors (0.9 GB
    // for a million 896-d vectors) for 0.970 against 0.987 of the exact best
    // 10 at 100,000 segments (docs/search.md).
    approx_ = std::make_unique<VectorIndex>(VectorIndex::ivf(model_.dim, vecs.data(), ids.size(), 0, nprobe, "SQ8"));
    approx_->add(ids, vecs.data());
    if (!read_only_) {
      approx_->save(path);
      write_stamp(path, gen);
    }
  }
  approx_->set_nprobe(nprobe);
  approx_gen_ = gen;
}

std::vector<SearchHit> AudioIndex::search(const std::vector<float>& q, const SearchOptions& opt) {
  if (q.size() != static_cast<size_t>(model_.dim))
    throw Error("query vector has " + std::to_string(q.size()) + " values, the index holds " +
                std::to_string(model_.dim));
  if (opt.k <= 0) throw Error("search: k must be positive");
  refresh([&] { return exact_gen_ != generation(); }, [&] { load_vectors(); });
  bool approx;
  {
    std::shared_lock lock(mu_);
    // A large collection is searched through IVF on its own: the exact scan
    // is linear in it (55 ms at 100,000 segments against 6 ms, same recall of
    // the two-stage answer; docs/search.md).
    approx = opt.approx || (opt.approx_above > 0 && exact_->size() > opt.approx_above);
  }
  if (approx) refresh([&] { return !approx_ || approx_gen_ != generation(); }, [&] { make_approx(opt.nprobe); });
  std::shared_lock lock(mu_);
  const VectorIndex& vi = approx ? *approx_ : *exact_;
  size_t want = static_cast<size_t>(opt.k);
  size_t fetch = opt.lang.empty() ? want : want * 8;
  for (;;) {
    auto hits = vi.search(q.data(), 1, static_cast<int>(std::min(fetch, vi.size()))).at(0);
    std::vector<int64_t> ids;
    std::map<int64_t, float> score;
    for (const auto& h : hits) {
      ids.push_back(h.id);
      score[h.id] = h.score;
    }
    std::vector<SearchHit> out;
    for (auto& s : lookup(ids)) {
      if (!opt.lang.empty() && s.lang != opt.lang) continue;
      float sc = score[s.id];
      out.push_back({std::move(s), sc});
      if (out.size() == want) break;
    }
    if (out.size() == want || fetch >= vi.size()) return out;
    fetch *= 4;
  }
}

void AudioIndex::prepare_for_search(const SearchOptions& opt) {
  std::unique_lock lock(mu_);
  if (generation() != grams_gen_) make_phone_grams();
  if (opt.approx_above > 0 && segment_count() > opt.approx_above && approx_gen_ != generation())
    make_approx(opt.nprobe);
}

void AudioIndex::build_phone_grams() {
  std::unique_lock lock(mu_);
  make_phone_grams();
}

void AudioIndex::make_phone_grams() {
  const int64_t gen = generation();
  // Saved beside the index like the FAISS files: trusted only when its stamp
  // names this generation and its bytes are what was written.
  const std::string path = dir_ + "/phone-grams.bin";
  if (stamp_matches(path, gen)) {
    try {
      grams_ = std::make_unique<PhoneGramIndex>(PhoneGramIndex::load(path));
      grams_gen_ = gen;
      return;
    } catch (const Error& e) {
      spdlog::warn("{}; building it again", e.what());
    }
  }
  auto g = std::make_unique<PhoneGramIndex>();
  auto st = db_->prepare("SELECT p.segment_id, s.lang, p.phones FROM segment_phones p JOIN segments s ON s.id = p.segment_id");
  while (st.step()) g->add(st.int64(0), st.text(1), st.text(2));
  g->freeze();
  try {
    if (!read_only_) {
      g->save(path);
      write_stamp(path, gen);
    }
  } catch (const Error& e) {  // an index on a read-only disk still searches
    spdlog::warn("{}: cannot save the phonetic candidate index: {}", dir_, e.what());
  }
  grams_ = std::move(g);
  grams_gen_ = gen;
}

std::vector<SearchHit> AudioIndex::scored_hits(std::vector<std::pair<float, int64_t>> scored, size_t k) {
  k = std::min(scored.size(), k);
  std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(k), scored.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  std::vector<int64_t> ids;
  std::map<int64_t, float> score;
  for (size_t i = 0; i < k; ++i) {
    ids.push_back(scored[i].second);
    score[scored[i].second] = scored[i].first;
  }
  std::vector<SearchHit> out;
  for (auto& seg : lookup(ids)) {
    float sc = score[seg.id];
    out.push_back({std::move(seg), sc});
  }
  std::stable_sort(out.begin(), out.end(), [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; });
  return out;
}

std::vector<SearchHit> AudioIndex::search_phonetic(const std::vector<int64_t>& query, const PhonemeVocab& vocab,
                                                   const SearchOptions& opt, const std::string& query_ipa) {
  if (opt.k <= 0) throw Error("search: k must be positive");
  if (query.empty()) throw Error("phonetic search: the query has no phonemes");
  const bool candidates = opt.phonetic_candidates > 0 && !query_ipa.empty();
  if (candidates)
    refresh([&] { return !grams_ || grams_gen_ != generation(); }, [&] { make_phone_grams(); });
  std::shared_lock lock(mu_);
  std::vector<std::pair<float, int64_t>> scored;
  // A collection no larger than the candidate set is scanned whole: the same cost, nothing missed.
  if (candidates && grams_->size() > opt.phonetic_candidates) {
    // The candidate index's best, then the exact match on their transcripts.
    auto top = grams_->top(query_ipa, opt.phonetic_candidates, opt.lang);
    auto st = db_->prepare("SELECT phones FROM segment_phones WHERE segment_id = ?");
    for (const auto& [id, bm25] : top) {
      st.bind(1, id);
      if (st.step()) scored.push_back({phonetic_match(query, vocab.encode(st.text(0))), id});
      st.reset();
    }
    return scored_hits(std::move(scored), static_cast<size_t>(opt.k));
  } else {
    std::string sql = "SELECT p.segment_id, p.phones FROM segment_phones p JOIN segments s ON s.id = p.segment_id";
    if (!opt.lang.empty()) sql += " WHERE s.lang = ? OR s.lang = ''";  // unknown ones may be in it too
    auto st = db_->prepare(sql);
    if (!opt.lang.empty()) st.bind(1, opt.lang);
    while (st.step()) scored.push_back({phonetic_match(query, vocab.encode(st.text(1))), st.int64(0)});
  }
  if (scored.empty()) {
    auto any = db_->prepare("SELECT COUNT(*) FROM segment_phones");
    any.step();
    if (any.int64(0) == 0)
      throw Error(dir_ + ": this index holds no phoneme transcripts (made before phonetic search, or with a model "
                         "without a CTC head); build it again to search phonetically");
    return {};
  }
  return scored_hits(std::move(scored), static_cast<size_t>(opt.k));
}

std::map<int64_t, std::string> AudioIndex::phones_of(const std::vector<int64_t>& ids) {
  std::shared_lock lock(mu_);
  std::map<int64_t, std::string> out;
  auto st = db_->prepare("SELECT phones FROM segment_phones WHERE segment_id = ?");
  for_each_row(st, ids, [&](int64_t id) { out[id] = st.text(0); });
  return out;
}

bool AudioIndex::has_phones() {
  std::shared_lock lock(mu_);
  return db_->prepare("SELECT 1 FROM segment_phones LIMIT 1").step();
}

std::map<int64_t, float> AudioIndex::cosines_of(const std::vector<float>& query, const std::vector<int64_t>& ids) {
  if (query.size() != static_cast<size_t>(model_.dim))
    throw Error("search: a " + std::to_string(query.size()) + "-d query for an index of " + std::to_string(model_.dim) +
                "-d vectors");
  std::shared_lock lock(mu_);
  std::map<int64_t, float> out;
  auto st = db_->prepare("SELECT vec FROM segments WHERE id = ?");
  for_each_row(st, ids, [&](int64_t id) {
    const auto v = st.floats(0);
    if (v.size() == query.size()) out[id] = std::inner_product(v.begin(), v.end(), query.begin(), 0.0f);
  });
  return out;
}

std::map<int64_t, PhonePosteriors> AudioIndex::posteriors_of(const std::vector<int64_t>& ids) {
  std::shared_lock lock(mu_);
  std::map<int64_t, PhonePosteriors> out;
  auto st = db_->prepare("SELECT data FROM segment_posteriors WHERE segment_id = ?");
  for_each_row(st, ids, [&](int64_t id) {
    // A damaged row costs that segment its posterior match, not the search.
    try {
      out[id] = PhonePosteriors::from_blob(st.blob(0), db_path(dir_) + ": segment " + std::to_string(id) + "'s posteriors");
    } catch (const Error& e) {
      spdlog::warn("{}", e.what());
    }
  });
  return out;
}

std::string readable_transcript(std::string stored) {
  std::replace(stored.begin(), stored.end(), '|', ' ');
  return stored;
}

std::vector<StoredSegment> AudioIndex::stored_segments() {
  std::vector<StoredSegment> out;
  each_stored_segment([&](const StoredSegment& s) { out.push_back(s); });
  return out;
}

void AudioIndex::each_stored_segment(const std::function<void(const StoredSegment&)>& fn) {
  std::shared_lock lock(mu_);
  auto st = db_->prepare(
      "SELECT s.id, s.file_id, f.path, s.start_s, s.end_s, s.lang, s.text, s.vec, COALESCE(p.phones, '') "
      "FROM segments s JOIN files f ON f.id = s.file_id LEFT JOIN segment_phones p ON p.segment_id = s.id "
      "ORDER BY s.id");
  while (st.step())
    fn({{st.int64(0), st.int64(1), st.text(2), st.real(3), st.real(4), st.text(5), st.text(6)}, st.floats(7),
        st.text(8)});
}

IndexStatus AudioIndex::status() {
  std::shared_lock lock(mu_);
  IndexStatus s;
  s.model = model_;
  auto f = db_->prepare("SELECT COUNT(*), COALESCE(SUM(duration), 0) FROM files");
  if (f.step()) {
    s.files = static_cast<size_t>(f.int64(0));
    s.audio_s = f.real(1);
  }
  auto l = db_->prepare("SELECT lang, COUNT(*) FROM segments GROUP BY lang ORDER BY lang");
  while (l.step()) {
    s.languages.push_back({l.text(0), static_cast<size_t>(l.int64(1))});
    s.segments += static_cast<size_t>(l.int64(1));
  }
  auto count = [&](const char* table) {
    auto c = db_->prepare(std::string("SELECT COUNT(*) FROM ") + table);
    return c.step() ? static_cast<size_t>(c.int64(0)) : size_t{0};
  };
  auto h = db_->prepare(
      "SELECT s.lang, COUNT(*) FROM segments s LEFT JOIN file_heard_lang h ON h.file_id = s.file_id "
      "LEFT JOIN segment_heard_lang g ON g.segment_id = s.id "
      "WHERE s.lang = h.lang OR s.lang = g.lang GROUP BY s.lang ORDER BY s.lang");
  while (h.step()) s.languages_heard.push_back({h.text(0), static_cast<size_t>(h.int64(1))});
  s.with_phones = count("segment_phones");
  s.with_posteriors = count("segment_posteriors");
  s.approx_ready = approx_ && approx_gen_ == generation();
  if (!s.approx_ready) {
    s.approx_ready = stamp_generation(dir_ + "/vectors-ivf.faiss") == std::to_string(generation());
  }
  const std::string grams = dir_ + "/phone-grams.bin";
  std::error_code ec;
  if (s.with_phones == 0) s.phonetic_index = "";
  else if (grams_ && grams_gen_ == generation()) s.phonetic_index = "current";
  else if (!fs::exists(grams, ec)) s.phonetic_index = "not built yet (the first phonetic or two-stage search builds it)";
  else if (stamp_generation(grams) != std::to_string(generation()))
    s.phonetic_index = "out of date (the next phonetic or two-stage search rebuilds it)";
  else if (!PhoneGramIndex::current_version(grams))
    s.phonetic_index = "made by an older clasp (the next phonetic or two-stage search rebuilds it)";
  else s.phonetic_index = "current";
  return s;
}

bool AudioIndex::has_file(const std::string& path) {
  auto st = db_->prepare("SELECT 1 FROM files WHERE path = ?");
  st.bind(1, path);
  return st.step();
}

std::optional<AudioIndex::FileRecord> AudioIndex::file_record(int64_t file_id) {
  auto st = db_->prepare("SELECT path, bytes, mtime FROM files WHERE id = ?");
  st.bind(1, file_id);
  if (!st.step()) return std::nullopt;
  return FileRecord{st.text(0), st.int64(1), st.int64(2)};
}

int64_t file_mtime_ns(const std::string& path) {
  return static_cast<int64_t>(fs::last_write_time(path).time_since_epoch().count());
}

std::vector<IndexedSegment> AudioIndex::segments_of(const std::string& path) {
  std::vector<IndexedSegment> out;
  auto st = db_->prepare(
      "SELECT s.id, s.file_id, f.path, s.start_s, s.end_s, s.lang, s.text FROM segments s "
      "JOIN files f ON f.id = s.file_id "
      "WHERE f.path = ? ORDER BY s.start_s");
  st.bind(1, path);
  while (st.step()) out.push_back({st.int64(0), st.int64(1), st.text(2), st.real(3), st.real(4), st.text(5), st.text(6)});
  return out;
}

std::optional<AudioIndex::SegmentContext> AudioIndex::context_of(int64_t segment_id) {
  std::shared_lock lock(mu_);
  const auto found = lookup({segment_id});
  if (found.empty()) return std::nullopt;
  SegmentContext c{found[0], std::nullopt, std::nullopt};
  // Equal start times (an add never writes them, a damaged index might) are
  // ordered by id, so no segment is skipped or its own neighbour.
  auto neighbour = [&](const std::string& where_order) -> std::optional<IndexedSegment> {
    auto st = db_->prepare(
        "SELECT s.id, s.file_id, f.path, s.start_s, s.end_s, s.lang, s.text FROM segments s "
        "JOIN files f ON f.id = s.file_id WHERE s.file_id = ?1 AND " + where_order + " LIMIT 1");
    st.bind(1, c.segment.file_id).bind(2, c.segment.start).bind(3, c.segment.id);
    if (!st.step()) return std::nullopt;
    return IndexedSegment{st.int64(0), st.int64(1), st.text(2), st.real(3), st.real(4), st.text(5), st.text(6)};
  };
  c.previous = neighbour("(s.start_s < ?2 OR (s.start_s = ?2 AND s.id < ?3)) ORDER BY s.start_s DESC, s.id DESC");
  c.next = neighbour("(s.start_s > ?2 OR (s.start_s = ?2 AND s.id > ?3)) ORDER BY s.start_s, s.id");
  return c;
}

}  // namespace clasp
