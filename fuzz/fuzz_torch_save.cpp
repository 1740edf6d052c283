// Target: the restricted torch.save reader (src/models/torch_pickle.*), which
// reads pytorch_model.bin files and the CLASP authors' pickled modules.
// Feeds: the input as data.pkl inside an otherwise valid torch.save archive
// (written with libtorch's own zip writer) that also holds sixteen storages,
// data/0 .. data/15 of 4 KiB each, so the pickle's storage references resolve
// and the fuzzer reaches the opcodes, tensor rebuilding and module walking.
// Why: checkpoints come from the internet; the reader must return tensors or
// a clasp::Error naming the file, never run anything, crash, loop or blow up
// memory (memo indices, cycles, sizes, strides and offsets are all untrusted).
#include <caffe2/serialize/inline_container.h>

#include <string>
#include <vector>

#include "fuzz_common.h"
#include "models/torch_pickle.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static clasp_fuzz::TempFile file("torch-save");
  {
    caffe2::serialize::PyTorchStreamWriter w(file.path());
    w.writeRecord("data.pkl", data, size);
    static const std::vector<uint8_t> storage = [] {
      std::vector<uint8_t> b(4096);
      for (size_t k = 0; k < b.size(); ++k) b[k] = static_cast<uint8_t>(k * 37 + 11);
      return b;
    }();
    for (int k = 0; k < 16; ++k) w.writeRecord("data/" + std::to_string(k), storage.data(), storage.size());
    w.writeEndOfFile();
  }
  try {
    auto state = clasp::read_torch_save(file.path());
    for (const auto& [name, t] : state) {
      CLASP_FUZZ_CHECK(t.defined());
      CLASP_FUZZ_CHECK(t.numel() <= 4096);  // every element lies in one 4 KiB storage
      if (t.numel() > 0) (void)t.sum().item<double>();  // every element readable
    }
  } catch (const clasp::Error&) {
  }
  return 0;
}
