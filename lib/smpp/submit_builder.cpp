#include "smpp/submit_builder.h"

#include "smpp/address.h"
#include "smpp/udh.h"

namespace smsgw::smpp {

Result<std::vector<SubmitSm>> BuildSubmitSms(const SubmitRequest& req, uint16_t concat_ref, LongMessages mode) {
  Result<SmeAddress> source = SourceAddress(req.source_addr);
  if (!source.ok()) return source.status();
  Result<SmeAddress> dest = DestinationAddress(req.dest_addr);
  if (!dest.ok()) return dest.status();
  if (req.parts.empty()) return Status::InvalidArgument("message has no parts");
  if (req.parts.size() > 255) {
    return Status::InvalidArgument("concatenation: " + std::to_string(req.parts.size()) + " parts, need 1 to 255");
  }

  SubmitSm base;
  base.service_type = req.service_type;
  base.source_addr_ton = req.source_ton.value_or(source->ton);
  base.source_addr_npi = req.source_npi.value_or(source->npi);
  base.source_addr = source->addr;
  base.dest_addr_ton = req.dest_ton.value_or(dest->ton);
  base.dest_addr_npi = req.dest_npi.value_or(dest->npi);
  base.destination_addr = dest->addr;
  base.registered_delivery = req.registered_delivery;
  base.data_coding = req.data_coding;
  base.validity_period = req.validity_period;

  std::vector<SubmitSm> out;
  if (req.parts.size() == 1 || mode == LongMessages::kPayload) {
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

  if (mode == LongMessages::kSar) {
    const auto total = static_cast<uint8_t>(req.parts.size());
    for (size_t i = 0; i < req.parts.size(); ++i) {
      if (req.parts[i].size() > kMaxShortMessage) {
        return Status::InvalidArgument("message part of " + std::to_string(req.parts[i].size()) + " octets exceeds 254");
      }
      SubmitSm sm = base;
      sm.short_message = req.parts[i];
      sm.sar_msg_ref_num = concat_ref;
      sm.sar_total_segments = total;
      sm.sar_segment_seqnum = static_cast<uint8_t>(i + 1);
      out.push_back(std::move(sm));
    }
    return out;
  }

  Result<std::vector<std::string>> with_udh = AddConcatUdh(req.parts, static_cast<uint8_t>(concat_ref & 0xFF));
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
