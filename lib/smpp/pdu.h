#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "smpp/command_status.h"
#include "smpp/pdu_types.h"

namespace smsgw::smpp {

// Encodes one PDU, header included, big-endian as SMPP 3.4 requires. Fails with
// kInvalidArgument, naming the field, when a C-octet string is longer than its limit or holds
// a NUL, when short_message exceeds 254 octets, or when the PDU would exceed kMaxPduSize.
Result<std::string> Encode(const Pdu& pdu);

// Decodes one whole frame, header included (what FrameDecoder::Next returns). Fails with
// kInvalidArgument when command_length disagrees with the frame size, a C-octet string has no
// NUL within its limit, a field runs past the end or a TLV is truncated. Unknown TLVs are
// skipped; unknown command ids decode to UnknownPdu. Never reads outside `frame`.
Result<Pdu> Decode(std::string_view frame);

// Reads the 16-octet header; `frame` must hold at least kHeaderSize octets. Useful to answer a
// frame that Decode rejected (generic_nack needs its sequence_number).
PduHeader ReadHeader(std::string_view frame);

// Cuts a TCP byte stream into whole PDUs. Bytes go in as they arrive, in chunks of any size;
// complete frames come out in order. Not thread-safe: one decoder per connection.
//
// A command_length below 16 or above kMaxPduSize means the stream is corrupt or not SMPP at
// all: frame boundaries are lost for good, so the decoder latches the error and the caller
// should answer generic_nack (optional) and drop the connection.
class FrameDecoder {
 public:
  void Feed(std::string_view bytes);

  // The next whole frame, std::nullopt when more bytes are needed, or the latched error.
  Result<std::optional<std::string>> Next();

  // Octets received but not yet returned as frames.
  size_t buffered() const { return buffer_.size() - pos_; }

 private:
  std::string buffer_;
  size_t pos_ = 0;  // start of the first unreturned octet in buffer_
  Status error_;
};

}  // namespace smsgw::smpp
