# SMPP codec, receipts, concatenation and submit building: no network.
smsgw_add_test(smpp_pdu_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/smpp_pdu_test.cpp LIBS smsgw_smpp LABELS unit)
smsgw_add_test(smpp_receipt_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/smpp_receipt_test.cpp LIBS smsgw_smpp LABELS unit)
smsgw_add_test(smpp_udh_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/smpp_udh_test.cpp LIBS smsgw_smpp LABELS unit)
smsgw_add_test(smpp_submit_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/smpp_submit_test.cpp LIBS smsgw_smpp LABELS unit)
