// The SMPP frame decoder and PDU codec, as they meet bytes from an SMSC: the stream cut into
// chunks of any size, each frame decoded, and what decodes encodes back to the same PDU.
#include <string_view>

#include "fuzz_target.h"
#include "smpp/pdu.h"
#include "smpp/receipt.h"

using namespace smsgw::smpp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the chunk size the stream arrives in.
  const size_t chunk = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  FrameDecoder decoder;
  size_t frames_bytes = 0;
  for (size_t pos = 0; pos < stream.size(); pos += chunk) {
    decoder.Feed(stream.substr(pos, chunk));
    while (true) {
      smsgw::Result<std::optional<std::string>> frame = decoder.Next();
      if (!frame.ok() || !frame->has_value()) break;
      const std::string& bytes = **frame;
      // Frames are the stream's bytes in order, nothing added or lost.
      SMSGW_FUZZ_CHECK(stream.substr(frames_bytes, bytes.size()) == bytes);
      frames_bytes += bytes.size();
      smsgw::Result<Pdu> pdu = Decode(bytes);
      if (!pdu.ok()) {
        (void)ReadHeader(bytes);  // what a peer reads to answer generic_nack
        continue;
      }
      smsgw::Result<std::string> again = Encode(*pdu);
      if (again.ok()) {
        smsgw::Result<Pdu> round = Decode(*again);
        SMSGW_FUZZ_CHECK(round.ok());
        SMSGW_FUZZ_CHECK(*round == *pdu);
      }
      if (const DeliverSm* d = pdu->As<DeliverSm>()) (void)ReceiptFromDeliverSm(*d);
    }
  }
  return 0;
}
