#pragma once
#include <string_view>

namespace clasp {

// The search page served at "/": one self-contained HTML document.
std::string_view search_page_html();
// The page's icon (also answered at /favicon.ico, which browsers ask for).
std::string_view favicon_svg();

}  // namespace clasp
