#include "speech/mel_cache.h"

#include <ATen/Parallel.h>

#include <c10/util/Half.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>

#include "audio/audio_file.h"
#include "audio/mel.h"
#include "audio/mel_augment.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

struct IndexEntry {
  int64_t offset = 0;
  int frames = 0;
  std::string key;  // content_key of the audio it was made from ("" in caches made before keys)
};

// Later lines win: a clip whose audio changed is appended again.
std::unordered_map<std::string, IndexEntry> read_index(const std::string& path, int64_t* end) {
  std::unordered_map<std::string, IndexEntry> idx;
  *end = 0;
  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream ss(line);
    std::string id, key;
    int64_t off = -1;
    int frames = -1;
    if (!std::getline(ss, id, '\t') || !(ss >> off >> frames) || off < 0 || frames <= 0)
      throw Error(path + ":" + std::to_string(n) + ": malformed mel-cache index line");
    ss >> key;
    idx[id] = {off, frames, key};
    *end = std::max(*end, off + static_cast<int64_t>(frames) * MelCache::kMels);
  }
  return idx;
}

// What a clip's mels are made from: its audio file's absolute path, size
// and modification time, hashed. Another file under the same id, or the
// same file changed, gives another key.
std::string content_key(const Utterance& u, const std::string& root) {
  const std::string path = fs::absolute(fs::path(root) / u.audio).lexically_normal().string();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(path + "|" + file_stamp(path))));
  return hex;
}

struct Computed {
  std::string id, key;
  std::vector<uint16_t> half;
  int frames = 0;
  double seconds = 0;
  std::string error;
};

Computed compute_one(const Utterance& u, const std::string& root, const MelExtractor& ex) {
  Computed c;
  c.id = u.id;
  c.key = content_key(u, root);
  try {
    auto audio = read_audio((fs::path(root) / u.audio).string());
    auto mel = ex.compute(audio.samples);
    c.frames = mel.frames;
    c.seconds = audio.duration();
    c.half.resize(mel.data.size());
    for (size_t i = 0; i < mel.data.size(); ++i) c.half[i] = c10::Half(mel.data[i]).x;
  } catch (const std::exception& e) {
    c.error = e.what();
  }
  return c;
}

}  // namespace

MelCacheStats build_mel_cache(const std::vector<Utterance>& utts, const std::string& audio_root,
                              const std::string& cache_dir, int threads) {
  fs::create_directories(cache_dir);
  const std::string data_path = cache_dir + "/mel.f16", index_path = cache_dir + "/index.tsv";
  int64_t end = 0;
  auto done = read_index(index_path, &end);
  // Drop bytes of a clip whose index line was never written (killed mid-clip).
  if (fs::exists(data_path) && static_cast<int64_t>(fs::file_size(data_path)) > end * 2)
    fs::resize_file(data_path, static_cast<uintmax_t>(end * 2));
  if (!fs::exists(data_path) && end > 0) throw Error(data_path + ": missing but " + index_path + " lists clips");

  MelCacheStats st;
  std::vector<const Utterance*> todo;
  for (const auto& u : utts) {
    if (u.audio.empty() || !u.error.empty()) continue;
    auto it = done.find(u.id);
    if (it != done.end() && it->second.key == content_key(u, audio_root)) ++st.already;
    else todo.push_back(&u);
  }
  if (todo.empty()) return st;
  std::ofstream data(data_path, std::ios::binary | std::ios::app);
  std::ofstream index(index_path, std::ios::app);
  if (!data || !index) throw Error(cache_dir + ": cannot write the mel cache");
  threads = std::max(1, threads);
  std::vector<std::unique_ptr<MelExtractor>> ex;
  for (int t = 0; t < threads; ++t) ex.push_back(std::make_unique<MelExtractor>());
  Progress prog("mel-cache", static_cast<int64_t>(todo.size()), "clips");
  const size_t chunk = 16 * static_cast<size_t>(threads);
  for (size_t s = 0; s < todo.size(); s += chunk) {
    size_t e = std::min(todo.size(), s + chunk);
    std::vector<std::future<std::vector<Computed>>> jobs;
    for (int t = 0; t < threads; ++t)
      jobs.push_back(std::async(std::launch::async, [&, t] {
        std::vector<Computed> out;
        for (size_t i = s + static_cast<size_t>(t); i < e; i += static_cast<size_t>(threads))
          out.push_back(compute_one(*todo[i], audio_root, *ex[static_cast<size_t>(t)]));
        return out;
      }));
    std::string lines;
    for (auto& j : jobs)
      for (auto& c : j.get()) {
        if (!c.error.empty()) {
          spdlog::warn("mel-cache: skipping {}: {}", c.id, c.error);
          ++st.failed;
          continue;
        }
        data.write(reinterpret_cast<const char*>(c.half.data()), static_cast<std::streamsize>(c.half.size() * 2));
        lines += c.id + "\t" + std::to_string(end) + "\t" + std::to_string(c.frames) + "\t" + c.key + "\n";
        end += static_cast<int64_t>(c.half.size());
        st.audio_s += c.seconds;
        ++st.added;
      }
    data.flush();
    if (!data) throw Error(data_path + ": write failed (disk full?)");
    index << lines;
    index.flush();
    char extra[64];
    std::snprintf(extra, sizeof extra, "%.2f h audio", st.audio_s / 3600);
    prog.update(static_cast<int64_t>(e), extra);
  }
  prog.finish();
  return st;
}

MelCache::MelCache(const std::string& cache_dir, const std::vector<Utterance>* manifest, const std::string& audio_root)
    : dir_(cache_dir) {
  int64_t end = 0;
  const std::string index_path = cache_dir + "/index.tsv", data_path = cache_dir + "/mel.f16";
  if (!fs::exists(index_path)) throw Error(cache_dir + ": no mel cache here (index.tsv missing)");
  auto entries = read_index(index_path, &end);
  if (manifest) {  // only the manifest's clips, as their audio is now
    std::unordered_map<std::string, IndexEntry> mine;
    for (const auto& u : *manifest) {
      if (u.audio.empty() || !u.error.empty()) continue;
      auto it = entries.find(u.id);
      if (it != entries.end() && it->second.key == content_key(u, audio_root)) mine[u.id] = it->second;
    }
    entries.swap(mine);
  }
  for (auto& [id, e] : entries) index_[id] = {e.offset, e.frames};
  int fd = ::open(data_path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(data_path + ": cannot open");
  struct stat sb {};
  fstat(fd, &sb);
  bytes_ = static_cast<size_t>(sb.st_size);
  if (static_cast<int64_t>(bytes_) < end * 2) {
    ::close(fd);
    throw Error(data_path + ": shorter than its index says (rebuild with clasp speech cache)");
  }
  if (bytes_ > 0) {
    void* p = mmap(nullptr, bytes_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw Error(data_path + ": mmap failed");
    }
    data_ = static_cast<const uint16_t*>(p);
  }
  ::close(fd);
}

MelCache::~MelCache() {
  if (data_) munmap(const_cast<uint16_t*>(data_), bytes_);
}

int MelCache::frames(const std::string& id) const {
  auto it = index_.find(id);
  if (it == index_.end()) throw Error(dir_ + ": clip " + id + " is not in the mel cache");
  return it->second.frames;
}

std::vector<float> MelCache::get(const std::string& id) const {
  auto it = index_.find(id);
  if (it == index_.end()) throw Error(dir_ + ": clip " + id + " is not in the mel cache");
  std::vector<float> out(static_cast<size_t>(it->second.frames) * kMels);
  const uint16_t* p = data_ + it->second.offset;
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(c10::Half(p[i], c10::Half::from_bits()));
  return out;
}

std::vector<std::vector<float>> augmented_views(const MelCache& cache, const std::vector<std::string>& ids,
                                                uint64_t seed, const MelAugmentOptions& opt) {
  std::vector<std::vector<float>> mels(ids.size());
  at::parallel_for(0, static_cast<int64_t>(ids.size()), 1, [&](int64_t lo, int64_t hi) {
    for (auto k = static_cast<size_t>(lo); k < static_cast<size_t>(hi); ++k) {
      std::mt19937_64 rng(seeded_hash(seed, ids[k]));
      mels[k] = augment_mel(cache.get(ids[k]), MelCache::kMels, rng, opt);
    }
  });
  return mels;
}

std::vector<std::vector<float>> clip_mels(const MelCache& cache, const std::vector<std::string>& ids,
                                          uint64_t view_seed) {
  if (view_seed) return augmented_views(cache, ids, view_seed);
  std::vector<std::vector<float>> mels;
  mels.reserve(ids.size());
  for (const auto& id : ids) mels.push_back(cache.get(id));
  return mels;
}

}  // namespace clasp
