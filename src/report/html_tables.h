#pragma once
// HTML tables for `clasp report`. Every number cell carries
// data-key="<path in the report JSON>" so a reader (or the browser test) can
// check each shown figure against the JSON it came from.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace clasp {

std::string html_escape(const std::string& s);

struct Column {
  std::string title;
  // Appended to the row's key prefix, e.g. "hard.hits1"; where it holds
  // "{row}", the row's prefix goes there instead (a row that is deeper in
  // the JSON than its columns, e.g. a category under each language).
  std::string key;
  int decimals = 3;
  bool from_paper = false;  // read under the row's `paper` path, not its prefix
};

struct Row {
  std::string label;
  std::string prefix;  // JSON pointer-like dotted path of the row, e.g. "clasp.languages.en.text_to_audio"
  std::string paper{};  // where the paper's figures for this row are ("" = the paper gives none)
};

// Looks up a dotted path ("a.b.c") in j; null when absent.
const nlohmann::json* json_at(const nlohmann::json& j, const std::string& dotted);

// Whether a smaller value of the metric at `key` is better (mean rank, error
// rates): such columns are marked "↓" in the header.
bool lower_is_better(const std::string& key);

// A caption (p.caption) and the table in its own box that scrolls sideways
// when the page is narrower than the table (the page itself never does);
// "" when there are no rows.
std::string html_table(const std::string& id, const std::string& caption, const nlohmann::json& report,
                       const std::vector<Row>& rows, const std::vector<Column>& cols);

}  // namespace clasp
