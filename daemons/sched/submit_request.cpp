#include "sched/submit_request.h"

#include <algorithm>
#include <cstdio>

#include "sms/encoding.h"
#include "sms/gsm7.h"

namespace smsgw::sched {
namespace {

// The GSM 03.38 extension table (3GPP TS 23.038 6.2.1.1) as Unicode.
char32_t ExtensionToUnicode(uint8_t code) {
  switch (code) {
    case 0x0A: return U'\f';
    case 0x14: return U'^';
    case 0x28: return U'{';
    case 0x29: return U'}';
    case 0x2F: return U'\\';
    case 0x3C: return U'[';
    case 0x3D: return U'~';
    case 0x3E: return U']';
    case 0x40: return U'|';
    case 0x65: return U'\u20AC';  // euro sign
    default: return U'?';
  }
}

constexpr uint8_t kDcsIa5 = 0x01;
constexpr uint8_t kDcsLatin1 = 0x03;

}  // namespace

std::string GsmToCharset(const std::string& septets, bool latin1) {
  std::string out;
  out.reserve(septets.size());
  const char32_t limit = latin1 ? 0xFF : 0x7F;
  for (size_t i = 0; i < septets.size(); ++i) {
    const auto code = static_cast<uint8_t>(septets[i]);
    char32_t cp = U'?';
    if (code == sms::kGsm7Escape && i + 1 < septets.size()) {
      cp = ExtensionToUnicode(static_cast<uint8_t>(septets[++i]));
    } else {
      cp = sms::Gsm7BasicToUnicode(code);
    }
    out.push_back(cp <= limit ? static_cast<char>(cp) : '?');
  }
  return out;
}

std::string RelativeValidity(int64_t seconds) {
  seconds = std::clamp<int64_t>(seconds, 1, int64_t{99} * 86400 + 86399);
  char out[32];  // 16 used: the clamp bounds every field to two digits
  std::snprintf(out, sizeof out, "0000%02d%02d%02d%02d000R", static_cast<int>(seconds / 86400),
                static_cast<int>(seconds / 3600 % 24), static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return out;
}

Result<smpp::SubmitRequest> BuildRequest(const v1::Envelope& e, const config::OperatorConfig& op, int64_t now_ms,
                                         std::string tag) {
  const bool ucs2 = e.encoding() == v1::ENCODING_UCS2;
  Result<std::vector<std::string>> parts = sms::EncodeParts(e.text(), ucs2 ? sms::Encoding::kUcs2 : sms::Encoding::kGsm7);
  if (!parts.ok()) return parts.status();
  smpp::SubmitRequest r;
  r.source_addr = e.from();
  r.dest_addr = e.to();
  r.data_coding = ucs2 ? smpp::kDataCodingUcs2 : smpp::kDataCodingDefault;
  r.parts = std::move(parts).value();
  if (!ucs2 && op.data_coding != "gsm7") {
    const bool latin1 = op.data_coding == "latin1";
    for (std::string& p : r.parts) p = GsmToCharset(p, latin1);
    r.data_coding = latin1 ? kDcsLatin1 : kDcsIa5;
  }
  if (op.source_ton >= 0) r.source_ton = static_cast<uint8_t>(op.source_ton);
  if (op.source_npi >= 0) r.source_npi = static_cast<uint8_t>(op.source_npi);
  if (op.dest_ton >= 0) r.dest_ton = static_cast<uint8_t>(op.dest_ton);
  if (op.dest_npi >= 0) r.dest_npi = static_cast<uint8_t>(op.dest_npi);
  r.registered_delivery = static_cast<uint8_t>(op.registered_delivery);
  r.service_type = op.service_type;
  if (e.expires_at_ms() > 0) r.validity_period = RelativeValidity((e.expires_at_ms() - now_ms + 999) / 1000);
  if (e.part_operator() == op.name && static_cast<size_t>(e.part_ids_size()) == r.parts.size()) {
    r.done_ids.assign(e.part_ids().begin(), e.part_ids().end());
    r.concat_ref = static_cast<uint16_t>(e.concat_ref());
  }
  r.tag = std::move(tag);
  return r;
}

}  // namespace smsgw::sched
