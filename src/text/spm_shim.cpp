// A C interface over libsentencepiece, built as its own shared library and
// loaded with dlmopen() into a separate namespace. Debian's libsentencepiece
// carries its own copy of protobuf-lite with exported symbols; in a process
// that also loads libtorch (and so libprotobuf.so) those symbols bind to the
// wrong protobuf and crash at start-up. (RTLD_DEEPBIND is not enough: it
// breaks libstdc++'s iostreams.)
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <string>
#include <vector>

namespace {
void set_err(char* err, int len, const std::string& msg) {
  if (err && len > 0) {
    std::strncpy(err, msg.c_str(), static_cast<size_t>(len) - 1);
    err[len - 1] = '\0';
  }
}
}  // namespace

extern "C" {

void* clasp_spm_load(const char* path, char* err, int errlen) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  auto st = sp->Load(path);
  if (!st.ok()) {
    set_err(err, errlen, st.ToString());
    delete sp;
    return nullptr;
  }
  return sp;
}

void clasp_spm_free(void* h) { delete static_cast<sentencepiece::SentencePieceProcessor*>(h); }

// Writes up to cap ids; returns how many there are (call again with a larger
// buffer if that exceeds cap), or -1 on error.
int clasp_spm_encode(void* h, const char* text, size_t len, int* out, int cap, char* err, int errlen) {
  std::vector<int> ids;
  auto st = static_cast<sentencepiece::SentencePieceProcessor*>(h)->Encode(std::string(text, len), &ids);
  if (!st.ok()) {
    set_err(err, errlen, st.ToString());
    return -1;
  }
  for (int i = 0; i < static_cast<int>(ids.size()) && i < cap; ++i) out[i] = ids[static_cast<size_t>(i)];
  return static_cast<int>(ids.size());
}

// which: 0 piece count, 1 unk, 2 bos, 3 eos, 4 pad
int clasp_spm_info(void* h, int which) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(h);
  switch (which) {
    case 0: return sp->GetPieceSize();
    case 1: return sp->unk_id();
    case 2: return sp->bos_id();
    case 3: return sp->eos_id();
    default: return sp->pad_id();
  }
}

int clasp_spm_train(const char* args, char* err, int errlen) {
  auto st = sentencepiece::SentencePieceTrainer::Train(args);
  if (!st.ok()) {
    set_err(err, errlen, st.ToString());
    return -1;
  }
  return 0;
}
}
