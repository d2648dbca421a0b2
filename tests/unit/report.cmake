smsgw_add_test(report_coalesce_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_coalesce_test.cpp
               LIBS smsgw_report LABELS unit)
smsgw_add_test(report_decode_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_decode_test.cpp
               LIBS smsgw_report LABELS unit)
smsgw_add_test(report_copy_rows_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_copy_rows_test.cpp
               LIBS smsgw_report LABELS unit)
smsgw_add_test(report_batch_slot_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_batch_slot_test.cpp
               LIBS smsgw_report LABELS unit)
smsgw_add_test(report_cursor_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_cursor_test.cpp
               LIBS smsgw_report LABELS unit)
smsgw_add_test(report_export_format_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_export_format_test.cpp
               LIBS smsgw_report LABELS unit)
smsgw_add_test(report_webhook_lib_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_webhook_lib_test.cpp
               LIBS smsgw_webhook LABELS unit)
smsgw_add_test(report_api_params_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_api_params_test.cpp
               LIBS smsgw_api LABELS unit)
