// A byte range of a scanned text.
#pragma once

#include <cstddef>

namespace homeport::privacy {

struct TextSpan {
  size_t offset = 0;
  size_t length = 0;
};

}  // namespace homeport::privacy
