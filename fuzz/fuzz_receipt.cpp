// The delivery receipt text of SMPP 3.4 Appendix B, as SMSCs write it: parsing never fails on
// anything, and what parses formats back to text that parses the same.
#include <string_view>

#include "fuzz_target.h"
#include "smpp/receipt.h"

using namespace smsgw::smpp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)StateFromStat(text);
  (void)MessageStateFromStat(text);
  smsgw::Result<ReceiptText> parsed = ParseReceiptText(text);
  if (!parsed.ok()) return 0;
  // Fields holding spaces cannot survive a round trip through a space-separated format.
  for (const std::string* f : {&parsed->id, &parsed->sub, &parsed->dlvrd, &parsed->submit_date,
                               &parsed->done_date, &parsed->stat, &parsed->err}) {
    if (f->find_first_of(" \t\r\n\v\f") != std::string::npos || f->empty()) return 0;
  }
  smsgw::Result<ReceiptText> again = ParseReceiptText(FormatReceiptText(*parsed));
  SMSGW_FUZZ_CHECK(again.ok());
  SMSGW_FUZZ_CHECK(again->id == parsed->id);
  SMSGW_FUZZ_CHECK(again->stat == parsed->stat);
  SMSGW_FUZZ_CHECK(again->err == parsed->err);
  SMSGW_FUZZ_CHECK(again->done_date == parsed->done_date);
  DeliverSm deliver;
  deliver.esm_class = kEsmClassReceipt;
  deliver.short_message = std::string(text.substr(0, kMaxShortMessage));
  (void)ReceiptFromDeliverSm(deliver);
  return 0;
}
