# Unit tests of lib/sms: one binary per source file, no servers needed.
foreach(name IN ITEMS sms_encoding_test sms_gsm7_test sms_utf8_test sms_phone_test
                      sms_uuid7_test sms_pricing_test)
  smsgw_add_test(${name} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${name}.cpp LIBS smsgw_sms LABELS unit)
endforeach()
