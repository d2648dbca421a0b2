#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace smsgw::sms {

// Returned by DecodeUtf8 for a malformed sequence; not a Unicode scalar value.
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the code point that starts at text[*pos] and advances *pos past it.
// Strict RFC 3629: overlong forms, UTF-16 surrogates (U+D800..U+DFFF), values above U+10FFFF,
// stray continuation bytes and truncated sequences are malformed; for those it returns
// kInvalidCodePoint and leaves *pos at the start of the bad sequence.
// Precondition: *pos < text.size().
char32_t DecodeUtf8(std::string_view text, size_t* pos);

// The byte offset (0-based) of the first malformed sequence, or nullopt if `text` is valid UTF-8.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

// Appends the UTF-8 form of `cp`, which must be a Unicode scalar value.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace smsgw::sms
