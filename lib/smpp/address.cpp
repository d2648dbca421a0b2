#include "smpp/address.h"

#include <algorithm>
#include <cctype>

#include "smpp/pdu_types.h"

namespace smsgw::smpp {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

Result<SmeAddress> Numeric(std::string_view what, std::string_view a) {
  const bool plus = !a.empty() && a.front() == '+';
  std::string_view digits = plus ? a.substr(1) : a;
  if (!AllDigits(digits)) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(a) +
                                   "\": not a phone number");
  }
  if (digits.size() + 1 > kMaxAddr) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(a) +
                                   "\": longer than 20 digits");
  }
  if (plus) return SmeAddress{kTonInternational, kNpiIsdn, std::string(digits)};
  return SmeAddress{kTonUnknown, kNpiIsdn, std::string(digits)};
}

}  // namespace

Result<SmeAddress> SourceAddress(std::string_view source) {
  // SMPP 3.4 section 5.2.8: an ESME that does not know its address sends NULL, and the SMSC
  // puts its default sender in; a message without `from` relies on that.
  if (source.empty()) return SmeAddress{kTonUnknown, kNpiUnknown, ""};
  if (source.front() == '+' || AllDigits(source)) return Numeric("source address", source);
  if (source.size() + 1 > kMaxAddr) {
    return Status::InvalidArgument("source address \"" + std::string(source) +
                                   "\": longer than 20 characters");
  }
  return SmeAddress{kTonAlphanumeric, kNpiUnknown, std::string(source)};
}

Result<SmeAddress> DestinationAddress(std::string_view dest) {
  if (dest.empty()) return Status::InvalidArgument("destination address is empty");
  return Numeric("destination address", dest);
}

}  // namespace smsgw::smpp
