#include "tts/synth_job.h"

#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <spdlog/spdlog.h>

#include "audio/audio_file.h"
#include "audio/wav_writer.h"
#include "tts/engine.h"
#include "tts/phonemizer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

struct Job {
  Utterance utt;      // output record template (id = clip id)
  VoiceChoice voice;
  std::string error;  // set when no voice could be chosen
};

// Counters a worker shares with the parent through an anonymous mapping.
struct WorkerSlot {
  std::atomic<int64_t> next{0};     // position in this worker's job list
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> audio_ms{0};
};

std::unordered_map<std::string, std::unique_ptr<TtsEngine>>& engines() {
  static std::unordered_map<std::string, std::unique_ptr<TtsEngine>> e;
  return e;
}

std::string clip_rel_path(const Utterance& u) { return "audio/" + u.lang + "/" + u.id + ".wav"; }

bool record_matches(const Utterance& rec, const Job& j) {
  return rec.error.empty() && rec.voice == j.voice.voice.id && rec.text == j.utt.text;
}

// Reads every worker log; within a log later records of a clip supersede
// earlier ones. Records of one clip in different logs (the manifest's text
// changed between runs) have no order between them, so the one that matches
// the current job wins.
std::unordered_map<std::string, Utterance> read_logs(const std::string& log_dir,
                                                     const std::unordered_map<std::string, const Job*>& jobs) {
  std::unordered_map<std::string, Utterance> recs;
  if (!fs::is_directory(log_dir)) return recs;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(log_dir))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      try {
        Utterance u = parse_utterance(line, f.string() + ":" + std::to_string(n));
        auto old = recs.find(u.id);
        auto job = jobs.find(u.id);
        if (old != recs.end() && job != jobs.end() && record_matches(old->second, *job->second) &&
            !record_matches(u, *job->second))
          continue;
        recs[u.id] = std::move(u);
      } catch (const Error&) {
        // A line cut short by a kill: that clip is simply redone.
      }
    }
  }
  return recs;
}

bool finished(const Job& j, const std::unordered_map<std::string, Utterance>& recs,
              const std::string& out_dir) {
  auto it = recs.find(j.utt.id);
  if (it == recs.end() || !record_matches(it->second, j)) return false;
  return fs::exists(fs::path(out_dir) / it->second.audio);
}

void append_line(int fd, const std::string& line) {
  std::string s = line + "\n";
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t k = ::write(fd, p, left);
    if (k <= 0) throw Error("cannot append to synthesis log (disk full?)");
    p += k;
    left -= static_cast<size_t>(k);
  }
}

int open_log(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw Error(path + ": cannot open synthesis log for writing");
  // If the previous writer was killed mid-line, start on a fresh line.
  auto size = fs::file_size(path);
  if (size > 0) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(size) - 1);
    char last = 0;
    in.get(last);
    if (last != '\n') append_line(fd, "");
  }
  return fd;
}

void run_worker(int k, const std::vector<const Job*>& mine, WorkerSlot* slot,
                const std::string& out_dir) {
  int fd = open_log(out_dir + "/log/worker-" + std::to_string(k) + ".jsonl");
  for (int64_t i = slot->next.load(); i < static_cast<int64_t>(mine.size()); i = ++slot->next) {
    const Job& j = *mine[static_cast<size_t>(i)];
    Utterance rec = j.utt;
    try {
      ClipResult c = synthesize_clip(j.utt.text, j.utt.lang, j.voice);
      rec.audio = clip_rel_path(j.utt);
      write_wav_atomic(out_dir + "/" + rec.audio, c.samples, kModelSampleRate);
      rec.duration = static_cast<double>(c.samples.size()) / kModelSampleRate;
      rec.phonemes = c.phonemes;
      slot->audio_ms += static_cast<int64_t>(rec.duration * 1000);
      ++slot->done;
    } catch (const std::exception& e) {
      rec.error = e.what();
      ++slot->failed;
    }
    append_line(fd, utterance_to_json(rec));
  }
  ::close(fd);
}

}  // namespace

ClipResult synthesize_clip(const std::string& text, const std::string& lang, const VoiceChoice& v) {
  auto& eng = engines()[v.voice.engine];
  if (!eng) eng = make_engine(v.voice.engine);
  Audio a = eng->synthesize(text, v);
  float peak = 0;
  for (float s : a.samples) peak = std::max(peak, std::fabs(s));
  if (a.samples.size() < kModelSampleRate / 10 || peak < 1e-3f)
    throw Error("engine " + v.voice.engine + " produced no audible speech for voice " + v.voice.id);
  ClipResult r;
  r.samples = std::move(a.samples);
  r.phonemes = phonemize_ipa(text, lang);
  return r;
}

SynthSummary run_synth(const SynthOptions& opt) {
  if (opt.workers < 1 || opt.workers > 64) throw Error("--workers: expected 1..64");
  if (opt.voices_per_utt < 1) throw Error("--voices-per-utt: expected >= 1");
  if (opt.id_suffix.find_first_of("/\\ \t\n") != std::string::npos)
    throw Error("--id-suffix: \"" + opt.id_suffix + "\" would not make a file name (no slashes or spaces)");
  check_split_filter(opt.splits);
  auto utts = read_manifest(opt.manifest);
  if (utts.empty()) throw Error(opt.manifest + ": manifest has no utterances");
  VoiceAssigner assigner(opt.policy, opt.seed);
  SynthSummary sum;

  std::vector<Job> jobs;
  for (const auto& u : utts) {
    if (!opt.langs.empty() && std::find(opt.langs.begin(), opt.langs.end(), u.lang) == opt.langs.end())
      continue;
    if (!opt.splits.empty() && std::find(opt.splits.begin(), opt.splits.end(), u.split) == opt.splits.end())
      continue;
    for (int v = 0; v < opt.voices_per_utt; ++v) {
      Job j;
      j.utt = u;
      j.utt.audio.clear();
      j.utt.error.clear();
      j.utt.id += opt.id_suffix;
      if (opt.voices_per_utt > 1) j.utt.id += ".v" + std::to_string(v);
      // Both become the clip's path under --out-dir: audio/<lang>/<id>.wav.
      require_path_component(j.utt.id, opt.manifest + ": utterance id");
      require_path_component(j.utt.lang, opt.manifest + ": language of utterance " + j.utt.id);
      try {
        j.voice = assigner.choose(j.utt.id, u.lang, u.split);
        j.utt.voice = j.voice.voice.id;
        j.utt.engine = j.voice.voice.engine;
      } catch (const Error& e) {
        j.error = e.what();
      }
      jobs.push_back(std::move(j));
    }
  }
  sum.clips = jobs.size();
  fs::create_directories(opt.out_dir + "/log");
  // One synthesis run per output directory at a time.
  std::string lock_path = opt.out_dir + "/.lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
    throw Error(opt.out_dir + ": another synthesis run is using this directory");
  struct LockGuard {
    int fd;
    ~LockGuard() { ::close(fd); }
  } lock_guard{lock_fd};
  // Half-written clips of a killed run never got their final name; drop them.
  if (fs::is_directory(opt.out_dir + "/audio"))
    for (const auto& e : fs::recursive_directory_iterator(opt.out_dir + "/audio"))
      if (e.is_regular_file() && e.path().filename().string().find(".part.") != std::string::npos)
        fs::remove(e.path());
  std::unordered_map<std::string, const Job*> job_of;
  for (const auto& j : jobs) job_of[j.utt.id] = &j;
  auto recs = read_logs(opt.out_dir + "/log", job_of);

  std::vector<const Job*> pending;
  for (const auto& j : jobs) {
    if (!j.error.empty()) continue;
    if (finished(j, recs, opt.out_dir)) ++sum.already_done;
    else pending.push_back(&j);
  }

  // Strided shares keep long and short sentences mixed across workers.
  int nw = std::max(1, std::min<int>(opt.workers, static_cast<int>(pending.size())));
  std::vector<std::vector<const Job*>> shares(nw);
  for (size_t i = 0; i < pending.size(); ++i) shares[i % nw].push_back(pending[i]);
  auto* slots = static_cast<WorkerSlot*>(mmap(nullptr, sizeof(WorkerSlot) * nw, PROT_READ | PROT_WRITE,
                                              MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (slots == MAP_FAILED) throw Error("synth: cannot allocate shared memory for workers");
  for (int k = 0; k < nw; ++k) new (&slots[k]) WorkerSlot();

  std::vector<pid_t> pids(nw, -1);
  auto spawn = [&](int k) {
    pid_t pid = fork();
    if (pid < 0) throw Error("synth: fork failed");
    if (pid == 0) {
      int rc = 0;
      try {
        run_worker(k, shares[k], &slots[k], opt.out_dir);
      } catch (const std::exception& e) {
        spdlog::error("synth worker {}: {}", k, e.what());
        rc = 2;
      }
      _exit(rc);
    }
    pids[k] = pid;
  };
  std::vector<Utterance> crashed;  // clips whose worker died under them
  if (!pending.empty()) {
    for (int k = 0; k < nw; ++k) spawn(k);
    Progress bar("synth", static_cast<int64_t>(pending.size()), "clips");
    int alive = nw;
    while (alive > 0) {
      for (int k = 0; k < nw; ++k) {
        if (pids[k] < 0) continue;
        int status = 0;
        if (waitpid(pids[k], &status, WNOHANG) != pids[k]) continue;
        pids[k] = -1;
        --alive;
        int64_t at = slots[k].next.load();
        bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!clean && at < static_cast<int64_t>(shares[k].size())) {
          // The engine crashed on this clip: record it and carry on after it.
          Utterance u = shares[k][static_cast<size_t>(at)]->utt;
          u.error = WIFSIGNALED(status) ? "synthesis process killed by signal " + std::to_string(WTERMSIG(status))
                                        : "synthesis process failed";
          crashed.push_back(u);
          ++slots[k].failed;
          slots[k].next = at + 1;
          if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
            throw Error("synth: interrupted; re-run the same command to resume");
          spawn(k);
          ++alive;
        }
      }
      if (opt.show_progress) {
        int64_t done = 0, failed = 0, ms = 0;
        for (int k = 0; k < nw; ++k) {
          done += slots[k].done;
          failed += slots[k].failed;
          ms += slots[k].audio_ms;
        }
        char extra[96];
        std::snprintf(extra, sizeof extra, "audio %.2f h, failed %lld", ms / 3.6e6,
                      static_cast<long long>(failed));
        bar.update(done + failed, extra);
        if (alive == 0) bar.finish(extra);
      }
      if (alive > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    sum.wall_seconds = bar.elapsed_s();
  }
  munmap(slots, sizeof(WorkerSlot) * nw);

  // Assemble the outputs from the logs, in manifest order.
  recs = read_logs(opt.out_dir + "/log", job_of);
  for (const auto& u : crashed) recs[u.id] = u;
  std::vector<Utterance> ok, bad;
  for (const auto& j : jobs) {
    if (!j.error.empty()) {
      Utterance u = j.utt;
      u.error = j.error;
      bad.push_back(u);
      continue;
    }
    auto it = recs.find(j.utt.id);
    if (it != recs.end() && finished(j, recs, opt.out_dir)) {
      ok.push_back(it->second);
    } else {
      Utterance u = j.utt;
      u.error = it != recs.end() && !it->second.error.empty() ? it->second.error : "not synthesised";
      bad.push_back(u);
    }
  }
  std::unordered_map<std::string, bool> was_pending;
  for (const Job* j : pending) was_pending[j->utt.id] = true;
  for (const auto& u : ok) {
    sum.audio_seconds += u.duration;
    ++sum.per_voice[u.voice];
    ++sum.per_engine[u.engine];
    ++sum.per_lang[u.lang];
    if (was_pending.count(u.id)) {
      ++sum.synthesized;
      sum.new_audio_seconds += u.duration;
    }
  }
  for (const auto& u : bad) {
    std::string reason = u.error.substr(0, u.error.find(" for voice"));
    ++sum.failures_by_reason[reason.substr(0, 120)];
  }
  sum.failed = bad.size();
  sum.manifest_out = opt.out_dir + "/manifest.jsonl";
  sum.failures_out = opt.out_dir + "/failures.jsonl";
  write_manifest(sum.manifest_out, ok);
  write_manifest(sum.failures_out, bad);
  return sum;
}

}  // namespace clasp
