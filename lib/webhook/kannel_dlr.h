#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Kannel's dlr-url, for customers moving from Kannel (DESIGN.md section 7, /cgi-bin/sendsms):
// the URL they gave is fetched with GET for each status their dlr-mask asks for, with Kannel's
// escapes replaced by the values of that report. Pure.
namespace smsgw::webhook {

// What one delivery report tells, in Kannel's terms.
struct DlrFields {
  int type = 0;            // %d: 1 delivered, 2 not delivered, 8 at the SMSC, 16 SMSC refused
  std::string reply;       // %A: the SMSC's reply (the error text, or the status name)
  std::string from;        // %p: the sender of the original message
  std::string to;          // %P: its receiver
  std::string smsc;        // %i: the operator (smsc-id) that carried it
  std::string message_id;  // %I: smsgw's id of the message
  int64_t at_s = 0;        // %T: when the status was reached, Unix seconds; %t the same as
                           //     "YYYY-MM-DD HH:MM" (UTC)
};

// Replaces, as Kannel does, %d %A %p %P %q %Q (like %p / %P with a leading "00" turned into
// "+") %i %I %T %t in `url_template` with the URL-encoded values of `fields`; "%%" becomes "%".
// Any other escape is left as written.
std::string ExpandDlrUrl(std::string_view url_template, const DlrFields& fields);

// Percent-encodes every byte but the unreserved ones (RFC 3986: letters, digits, - . _ ~).
std::string UrlEncode(std::string_view text);

}  // namespace smsgw::webhook
