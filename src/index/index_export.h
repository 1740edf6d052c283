#pragma once
// `clasp index export`: an index's segments for other tools. <out>/vectors.npy
// holds every segment's vector (float32, one row per segment, in id order),
// <out>/segments.jsonl one line per row (row, segment and file ids, path,
// span, language, manifest text, what the recogniser heard) and
// <out>/model.json the model the vectors come from. Read and written one
// segment at a time; each file appears whole or not at all.
#include <cstddef>
#include <functional>
#include <string>

namespace clasp {

class AudioIndex;

struct IndexExportReport {
  size_t segments = 0;
  int dim = 0;
};

// Called every 4,096 segments with the number written so far.
IndexExportReport export_index(AudioIndex& index, const std::string& out_dir,
                               const std::function<void(size_t)>& progress = {});

}  // namespace clasp
