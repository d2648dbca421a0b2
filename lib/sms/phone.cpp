#include "sms/phone.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>

#include <cctype>
#include <optional>
#include <string>

#include "sms/gsm7.h"
#include "sms/utf8.h"

namespace smsgw::sms {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kMaxNumberInput = 64;  // far above any real spelling; bounds parser work
constexpr int kMaxSenderDigits = 15;    // E.164 maximum
constexpr int kMaxSenderChars = 11;     // alphanumeric source_addr limit

// The process-wide libphonenumber instance, with its logging silenced. Builds differ in their
// default logger (the library ships a StdoutLogger); a message about rejected user input on a
// daemon's stdout would be noise, since the caller gets the error as a Status anyway.
const PhoneNumberUtil& Util() {
  static PhoneNumberUtil* const util = [] {
    PhoneNumberUtil* u = PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());  // takes ownership
    return u;
  }();
  return *util;
}

Status InvalidNumber() { return Status::InvalidArgument("to: not a valid phone number"); }

bool IsDigit(char32_t cp) {
  return (cp >= U'0' && cp <= U'9') || (cp >= 0x0660 && cp <= 0x0669) ||  // Arabic-Indic
         (cp >= 0x06F0 && cp <= 0x06F9);                                  // Persian
}

bool IsNumberPunctuation(char32_t cp) {
  return cp == U' ' || cp == U'-' || cp == U'(' || cp == U')' || cp == U'.' || cp == U'/';
}

// True if `input` holds only what a person writes in a phone number; a '+' only first.
bool HasOnlyNumberCharacters(std::string_view input) {
  size_t pos = 0;
  while (pos < input.size()) {
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(input, &pos);
    if (cp == kInvalidCodePoint) return false;
    if (cp == U'+' && start == 0) continue;
    if (!IsDigit(cp) && !IsNumberPunctuation(cp)) return false;
  }
  return true;
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The number of canonical E.164 input ('+' then digits only, as API clients mostly send), or
// nullopt. Parse() handles every way of writing a number through regular expressions and costs
// ~20 us; this reads the country code directly (calling codes are prefix-free). Only a number
// this finds valid is used: anything else goes through Parse(), so the fast path never refuses
// what Parse() would accept.
std::optional<PhoneNumber> ParseCanonicalE164(const PhoneNumberUtil& util, std::string_view input) {
  constexpr size_t kMinDigits = 4, kMaxDigits = 17;  // Parse()'s bounds: NSN 2..17 after a code
  if (input.size() < 1 + kMinDigits || input.size() > 1 + kMaxDigits + 3 || input.front() != '+') return std::nullopt;
  const std::string_view digits = input.substr(1);
  if (digits.front() == '0' || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  for (size_t cc_len = 1; cc_len <= 3 && cc_len + 2 <= digits.size(); ++cc_len) {
    const int cc = std::stoi(std::string(digits.substr(0, cc_len)));
    std::string region;
    util.GetRegionCodeForCountryCode(cc, &region);
    if (region == "ZZ") continue;
    const std::string_view national = digits.substr(cc_len);
    if (national.size() > kMaxDigits) return std::nullopt;
    PhoneNumber number;
    number.set_country_code(cc);
    const size_t zeros = national.find_first_not_of('0');
    if (zeros == std::string_view::npos) return std::nullopt;
    if (zeros > 0) {
      number.set_italian_leading_zero(true);
      if (zeros > 1) number.set_number_of_leading_zeros(static_cast<int>(zeros));
    }
    number.set_national_number(std::stoull(std::string(national)));
    if (!util.IsValidNumber(number)) return std::nullopt;
    return number;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> NormalizeNumber(std::string_view input, std::string_view default_region) {
  if (input.empty() || input.size() > kMaxNumberInput || !HasOnlyNumberCharacters(input)) {
    return InvalidNumber();
  }
  const PhoneNumberUtil& util = Util();
  if (std::optional<PhoneNumber> fast = ParseCanonicalE164(util, input)) {
    std::string e164;
    util.Format(*fast, PhoneNumberUtil::E164, &e164);
    return e164;
  }
  PhoneNumber number;
  if (util.Parse(std::string(input), UpperAscii(default_region), &number) !=
      PhoneNumberUtil::NO_PARSING_ERROR) {
    return InvalidNumber();
  }
  if (!util.IsValidNumber(number)) return InvalidNumber();
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

bool IsSupportedRegion(std::string_view region) {
  if (region.size() != 2) return false;
  return Util().GetCountryCodeForRegion(UpperAscii(region)) != 0;
}

Result<std::string> ValidateSender(std::string_view from) {
  if (from.empty()) return std::string();

  // A leading '+' makes it a number for the SMPP layer (TON international), whatever follows.
  const bool plus = from.front() == '+';
  const std::string_view digits = plus ? from.substr(1) : from;
  const bool all_digits = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (plus && !all_digits) return Status::InvalidArgument("from: '+' must be followed by 1 to 15 digits");
  if (all_digits) {
    if (digits.size() > kMaxSenderDigits) {
      return Status::InvalidArgument("from: a numeric sender has at most 15 digits");
    }
    return std::string(from);
  }

  // Alphanumeric: SMSCs read source_addr as ASCII, so only characters that are the same in
  // ASCII and in the GSM 03.38 basic table reach the handset as written (review m6: a UTF-8
  // 'Ä' arrives as two garbled octets, and 11 of them overflow source_addr's 20 octets).
  if (from.size() > static_cast<size_t>(kMaxSenderChars)) {
    return Status::InvalidArgument("from: an alphanumeric sender has at most 11 characters");
  }
  for (char c : from) {
    const auto u = static_cast<unsigned char>(c);
    const std::optional<Gsm7Char> gsm = u >= 0x20 && u < 0x7F ? LookupGsm7(u) : std::nullopt;
    if (!gsm || gsm->extended) {
      return Status::InvalidArgument(
          "from: an alphanumeric sender may use only ASCII letters, digits, spaces and the punctuation of the "
          "GSM 03.38 basic table");
    }
  }
  return std::string(from);
}

}  // namespace smsgw::sms
