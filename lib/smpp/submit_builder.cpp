#include "smpp/submit_builder.h"

#include "smpp/address.h"
#include "smpp/udh.h"

namespace smsgw::smpp {

Result<std::vector<SubmitSm>> BuildSubmitSms(const SubmitRequest& req, uint8_t concat_ref,
                                             bool use_message_payload) {
  Result<SmeAddress> source = SourceAddress(req.source_addr);
  if (!source.ok()) return source.status();
  Result<SmeAddress> dest = DestinationAddress(req.dest_addr);
  if (!dest.ok()) return dest.status();
  if (req.parts.empty()) return Status::InvalidArgument("message has no parts");

  SubmitSm base;
  base.source_addr_ton = req.source_ton.value_or(source->ton);
  base.source_addr_npi = req.source_npi.value_or(source->npi);
  base.source_addr = source->addr;
  base.dest_addr_ton = dest->ton;
  base.dest_addr_npi = dest->npi;
  base.destination_addr = dest->addr;
  base.registered_delivery = req.registered_delivery;
  base.data_coding = req.data_coding;

  std::vector<SubmitSm> out;
  if (req.parts.size() == 1 || use_message_payload) {
    std::string all;
    for (const std::string& p : req.parts) all += p;
    SubmitSm sm = base;
    if (all.size() <= kMaxShortMessage && req.parts.size() == 1) {
      sm.short_message = std::move(all);
    } else {
      sm.message_payload = std::move(all);
    }
    out.push_back(std::move(sm));
    return out;
  }

  Result<std::vector<std::string>> with_udh = AddConcatUdh(req.parts, concat_ref);
  if (!with_udh.ok()) return with_udh.status();
  for (std::string& bytes : *with_udh) {
    if (bytes.size() > kMaxShortMessage) {
      return Status::InvalidArgument("message part of " + std::to_string(bytes.size()) +
                                     " octets with UDH exceeds 254");
    }
    SubmitSm sm = base;
    sm.esm_class = kEsmClassUdhi;
    sm.short_message = std::move(bytes);
    out.push_back(std::move(sm));
  }
  return out;
}

}  // namespace smsgw::smpp
