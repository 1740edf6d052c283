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
  std::string key;  // appended to the row's key prefix, e.g. "hard.hits1"
  int decimals = 3;
};

struct Row {
  std::string label;
  std::string prefix;  // JSON pointer-like dotted path of the row, e.g. "clasp.languages.en.text_to_audio"
};

// Looks up a dotted path ("a.b.c") in j; null when absent.
const nlohmann::json* json_at(const nlohmann::json& j, const std::string& dotted);

std::string html_table(const std::string& id, const std::string& caption, const nlohmann::json& report,
                       const std::vector<Row>& rows, const std::vector<Column>& cols);

}  // namespace clasp
