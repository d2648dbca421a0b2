#pragma once

// Whether this build runs under AddressSanitizer. Its allocator keeps freed memory in
// quarantine (256 MB by default) and pads every block, so a process's RSS says nothing about
// what it holds: tests that bound memory print the figure but check it only without ASan.
namespace smsgw::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAsan = true;
#else
inline constexpr bool kUnderAsan = false;
#endif
#else
inline constexpr bool kUnderAsan = false;
#endif

}  // namespace smsgw::testing
