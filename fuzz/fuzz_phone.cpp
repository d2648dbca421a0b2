// Destination numbers and senders as customers type them: a number that normalises is E.164
// and normalises to itself again; a sender that validates is a valid SMPP source address.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "fuzz_target.h"
#include "sms/phone.h"
#include "smpp/address.h"

using namespace smsgw::sms;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  smsgw::Result<std::string> number = NormalizeNumber(input, "IR");
  if (number.ok()) {
    const std::string& e164 = *number;
    SMSGW_FUZZ_CHECK(e164.size() >= 2 && e164[0] == '+');
    SMSGW_FUZZ_CHECK(std::all_of(e164.begin() + 1, e164.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }));
    smsgw::Result<std::string> again = NormalizeNumber(e164, "IR");
    SMSGW_FUZZ_CHECK(again.ok() && *again == e164);
  }
  // A sender the API accepts is one the scheduler can put in source_addr: otherwise the
  // message would be charged at acceptance and then fail at every submit.
  smsgw::Result<std::string> sender = ValidateSender(input);
  if (sender.ok() && !sender->empty()) SMSGW_FUZZ_CHECK(smsgw::smpp::SourceAddress(*sender).ok());
  return 0;
}
