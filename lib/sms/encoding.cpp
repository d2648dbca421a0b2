#include "sms/encoding.h"

#include <cstdint>
#include <cstdio>

#include "sms/gsm7.h"
#include "sms/utf8.h"

namespace smsgw::sms {

namespace {

// What one pass over the text learns: whether it is all GSM-7 and its size in both encodings.
struct Scan {
  bool all_gsm7 = true;
  char32_t first_non_gsm7 = 0;
  int64_t septets = 0;
  int64_t utf16_units = 0;
};

Result<Scan> ScanText(std::string_view utf8) {
  if (utf8.empty()) return Status::InvalidArgument("text: must not be empty");
  Scan scan;
  size_t pos = 0;
  while (pos < utf8.size()) {
    const char32_t cp = DecodeUtf8(utf8, &pos);
    if (cp == kInvalidCodePoint) {
      return Status::InvalidArgument("text: not valid UTF-8 at byte " + std::to_string(pos));
    }
    scan.utf16_units += cp > 0xFFFF ? 2 : 1;
    if (!scan.all_gsm7) continue;
    if (const auto gsm = LookupGsm7(cp)) {
      scan.septets += gsm->septets();
    } else {
      scan.all_gsm7 = false;
      scan.first_non_gsm7 = cp;
    }
  }
  return scan;
}

// The one rule for cutting a text into parts, shared by Analyze and EncodeParts so their counts
// cannot drift apart. Characters are placed greedily; a character that would overflow the
// current part starts the next one, so a 2-unit character is never split. With items of 1 or 2
// units, greedy filling also gives the fewest parts.
class PartSplitter {
 public:
  PartSplitter(Encoding encoding, int64_t total_units) {
    const bool gsm = encoding == Encoding::kGsm7;
    const int single = gsm ? kGsm7SingleSeptets : kUcs2SingleUnits;
    limit_ = total_units <= single ? single : (gsm ? kGsm7PartSeptets : kUcs2PartUnits);
  }

  // Places a character of `units` units and returns the 0-based index of its part.
  int64_t Place(int units) {
    if (used_ + units > limit_) {
      ++part_;
      used_ = 0;
    }
    used_ += units;
    return part_;
  }

  int64_t parts() const { return part_ + 1; }

 private:
  int64_t limit_ = 0;
  int64_t used_ = 0;
  int64_t part_ = 0;
};

int UnitsOf(char32_t cp, Encoding encoding) {
  if (encoding == Encoding::kUcs2) return cp > 0xFFFF ? 2 : 1;
  return LookupGsm7(cp)->septets();  // only called once the text is known to be all GSM-7
}

Status TooLong(int64_t segments) {
  return Status::InvalidArgument("text: too long (" + std::to_string(segments) +
                                 " segments, at most " + std::to_string(kMaxSegments) + ")");
}

void AppendUtf16Be(char32_t cp, std::string* out) {
  const auto put = [out](uint32_t unit) {
    out->push_back(static_cast<char>(unit >> 8));
    out->push_back(static_cast<char>(unit & 0xFF));
  };
  if (cp <= 0xFFFF) {
    put(cp);
    return;
  }
  const uint32_t v = cp - 0x10000;
  put(0xD800 | (v >> 10));
  put(0xDC00 | (v & 0x3FF));
}

std::string CodePointName(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

}  // namespace

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kGsm7: return "gsm7";
    case Encoding::kUcs2: return "ucs2";
  }
  return "unknown";
}

Result<TextInfo> Analyze(std::string_view utf8) {
  auto scan = ScanText(utf8);
  if (!scan.ok()) return scan.status();
  const Encoding encoding = scan->all_gsm7 ? Encoding::kGsm7 : Encoding::kUcs2;
  const int64_t units = scan->all_gsm7 ? scan->septets : scan->utf16_units;

  PartSplitter splitter(encoding, units);
  size_t pos = 0;
  while (pos < utf8.size()) {
    splitter.Place(UnitsOf(DecodeUtf8(utf8, &pos), encoding));
  }
  // Every part holds at least 152 units, so this bound also keeps `units` well inside int.
  if (splitter.parts() > kMaxSegments) return TooLong(splitter.parts());
  return TextInfo{encoding, static_cast<int>(units), static_cast<int>(splitter.parts())};
}

Result<std::vector<std::string>> EncodeParts(std::string_view utf8, Encoding encoding) {
  auto scan = ScanText(utf8);
  if (!scan.ok()) return scan.status();
  if (encoding == Encoding::kGsm7 && !scan->all_gsm7) {
    return Status::InvalidArgument("text: " + CodePointName(scan->first_non_gsm7) +
                                   " is not in the GSM 03.38 alphabet");
  }
  const int64_t units = encoding == Encoding::kGsm7 ? scan->septets : scan->utf16_units;

  PartSplitter splitter(encoding, units);
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < utf8.size()) {
    const char32_t cp = DecodeUtf8(utf8, &pos);
    const int64_t index = splitter.Place(UnitsOf(cp, encoding));
    if (index >= kMaxSegments) {
      // Count the rest so the error names the same number Analyze would.
      while (pos < utf8.size()) splitter.Place(UnitsOf(DecodeUtf8(utf8, &pos), encoding));
      return TooLong(splitter.parts());
    }
    if (index == static_cast<int64_t>(parts.size())) parts.emplace_back();
    std::string& part = parts.back();
    if (encoding == Encoding::kUcs2) {
      AppendUtf16Be(cp, &part);
    } else {
      const Gsm7Char gsm = *LookupGsm7(cp);
      if (gsm.extended) part.push_back(static_cast<char>(kGsm7Escape));
      part.push_back(static_cast<char>(gsm.code));
    }
  }
  return parts;
}

}  // namespace smsgw::sms
