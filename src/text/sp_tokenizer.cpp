#include "text/sp_tokenizer.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "util/error.h"
#include "util/utf8.h"

namespace clasp {

namespace {
// The shim's functions, resolved once.
struct Shim {
  void* (*load)(const char*, char*, int);
  void (*free)(void*);
  int (*encode)(void*, const char*, size_t, int*, int, char*, int);
  int (*info)(void*, int);
  int (*train)(const char*, char*, int);
};

std::string shim_path() {
  // Next to the executable first (installed layout), then the build tree.
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    auto p = std::filesystem::path(self).parent_path() / "libclasp_spm_shim.so";
    if (std::filesystem::exists(p)) return p.string();
  }
#ifdef CLASP_SPM_SHIM_PATH
  return CLASP_SPM_SHIM_PATH;
#else
  return "libclasp_spm_shim.so";
#endif
}

const Shim& shim() {
  static Shim s;
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    std::string path = shim_path();
    // A separate link-map namespace: the shim gets its own libstdc++ and its
    // own protobuf, so nothing binds across. Only plain C types cross over.
    void* h = dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      error = path + ": cannot load the SentencePiece shim: " + dlerror();
      return;
    }
    s.load = reinterpret_cast<decltype(s.load)>(dlsym(h, "clasp_spm_load"));
    s.free = reinterpret_cast<decltype(s.free)>(dlsym(h, "clasp_spm_free"));
    s.encode = reinterpret_cast<decltype(s.encode)>(dlsym(h, "clasp_spm_encode"));
    s.info = reinterpret_cast<decltype(s.info)>(dlsym(h, "clasp_spm_info"));
    s.train = reinterpret_cast<decltype(s.train)>(dlsym(h, "clasp_spm_train"));
    if (!s.load || !s.free || !s.encode || !s.info || !s.train) error = path + ": SentencePiece shim is incomplete";
  });
  if (!error.empty()) throw Error(error);
  return s;
}
}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path, bool fairseq_ids)
    : fairseq_(fairseq_ids) {
  if (!std::filesystem::exists(model_path)) throw Error(model_path + ": no such file (SentencePiece model)");
  char err[512] = {0};
  sp_ = shim().load(model_path.c_str(), err, sizeof err);
  if (!sp_) throw Error(model_path + ": cannot load SentencePiece model: " + err);
  pieces_ = shim().info(sp_, 0);
  spm_unk_ = shim().info(sp_, 1);
  if (fairseq_) {
    bos_ = 0;
    pad_ = 1;
    eos_ = 2;
    unk_ = 3;
  } else {
    unk_ = spm_unk_;
    bos_ = shim().info(sp_, 2);
    eos_ = shim().info(sp_, 3);
    pad_ = shim().info(sp_, 4);
    if (bos_ < 0 || eos_ < 0 || pad_ < 0)
      throw Error(model_path + ": SentencePiece model needs <s>, </s> and <pad> pieces");
  }
}

SentencePieceTokenizer::~SentencePieceTokenizer() {
  if (sp_) shim().free(sp_);
}

int64_t SentencePieceTokenizer::vocab_size() const { return pieces_ + (fairseq_ ? 1 : 0); }

Encoded SentencePieceTokenizer::encode(const std::string& text, size_t max_len) const {
  require_utf8(text, "text to tokenise");
  if (max_len < 2) throw Error("tokeniser: max_len must be at least 2");
  std::vector<int> pieces(text.size() + 8);
  char err[512] = {0};
  int n = shim().encode(sp_, text.data(), text.size(), pieces.data(), static_cast<int>(pieces.size()), err, sizeof err);
  if (n < 0) throw Error(std::string("SentencePiece encode failed: ") + err);
  if (n > static_cast<int>(pieces.size())) {
    pieces.resize(static_cast<size_t>(n));
    n = shim().encode(sp_, text.data(), text.size(), pieces.data(), n, err, sizeof err);
  }
  pieces.resize(static_cast<size_t>(n));
  Encoded e;
  e.ids.push_back(bos_);
  for (int p : pieces)
    e.ids.push_back(fairseq_ ? (p == spm_unk_ ? unk_ : p + 1) : p);  // fairseq shifts spm ids by one
  if (e.ids.size() + 1 > max_len) {
    e.ids.resize(max_len - 1);
    e.truncated = true;
  }
  e.ids.push_back(eos_);
  return e;
}

void train_sentencepiece(const std::string& text_file, const std::string& prefix, int vocab_size) {
  std::string args = "--input=" + text_file + " --model_prefix=" + prefix +
                     " --vocab_size=" + std::to_string(vocab_size) +
                     " --model_type=unigram --character_coverage=0.9995 --pad_id=0 --unk_id=1"
                     " --bos_id=2 --eos_id=3 --input_sentence_size=2000000 --shuffle_input_sentence=true"
                     " --num_threads=2 --minloglevel=1";
  char err[512] = {0};
  if (shim().train(args.c_str(), err, sizeof err) != 0)
    throw Error(text_file + ": SentencePiece training failed: " + err);
}

}  // namespace clasp
