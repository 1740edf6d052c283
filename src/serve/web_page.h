#pragma once
#include <string_view>

namespace clasp {

// The search page served at "/": one self-contained HTML document.
std::string_view search_page_html();

}  // namespace clasp
