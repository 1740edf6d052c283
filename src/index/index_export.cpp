#include "index/index_export.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "index/audio_index.h"
#include "index/search_json.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/npy.h"
#include "util/utf8.h"

namespace fs = std::filesystem;

namespace clasp {

IndexExportReport export_index(AudioIndex& index, const std::string& out_dir, const std::function<void(size_t)>& progress) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) fail_file(out_dir, "cannot make the export folder: " + ec.message());
  const auto model = index.status().model;
  const std::string rows_path = out_dir + "/segments.jsonl", rows_tmp = rows_path + ".tmp." + std::to_string(::getpid());
  struct RemoveTmp {
    std::string path;
    ~RemoveTmp() {
      std::error_code e;
      fs::remove(path, e);
    }
  } remove_tmp{rows_tmp};
  std::ofstream rows(rows_tmp, std::ios::binary | std::ios::trunc);
  if (!rows) fail_file(rows_tmp, std::string("cannot write: ") + std::strerror(errno));
  NpyF32Writer vectors(out_dir + "/vectors.npy", static_cast<size_t>(model.dim));
  IndexExportReport r;
  r.dim = model.dim;
  index.each_stored_segment([&](const StoredSegment& s) {
    vectors.add_row(s.vec);  // a vector of the wrong size is an Error naming the export
    bool escaped = false;
    nlohmann::json j = {{"row", r.segments},
                        {"segment_id", s.segment.id},
                        {"file_id", s.segment.file_id},
                        {"path", escape_invalid_utf8(s.segment.path, &escaped)},
                        {"start", rounded(s.segment.start, 1e3)},
                        {"end", rounded(s.segment.end, 1e3)},
                        {"lang", escape_invalid_utf8(s.segment.lang)},
                        {"text", escape_invalid_utf8(s.segment.text)},
                        {"heard", escape_invalid_utf8(readable_transcript(s.phones))}};
    if (escaped) j["file_escaped"] = true;
    rows << j.dump() << '\n';
    if (++r.segments % 4096 == 0 && progress) progress(r.segments);
  });
  rows.flush();
  if (!rows) fail_file(rows_tmp, "write failed (disk full?)");
  rows.close();
  vectors.finish();
  fs::rename(rows_tmp, rows_path, ec);
  if (ec) fail_file(rows_path, "cannot rename temporary file into place: " + ec.message());
  const nlohmann::json m = {{"model_id", model.id}, {"model_version", model.version}, {"dim", model.dim},
                            {"segments", r.segments}, {"index", fs::absolute(index.dir()).string()},
                            {"vectors", "vectors.npy: float32 (segments, dim), row i = line i of segments.jsonl; "
                                        "unit length, so a dot product is the cosine the search ranks by"}};
  write_file_atomic(out_dir + "/model.json", m.dump(2) + "\n");
  if (progress) progress(r.segments);
  return r;
}

}  // namespace clasp
