# smsgw_add_test(NAME SOURCES... [LIBS ...] [LABELS ...])
# One GoogleTest binary per test file, registered with CTest under its own name.
function(smsgw_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name})
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
  smsgw_label_targets(${name} ${T_LABELS})
endfunction()

# Records `target` under each label, so that smsgw_add_label_targets() can make one build target
# per label (tests_unit, tests_threads, ...): a sanitized build then compiles only the tests it
# runs (scripts/test with SMSGW_TARGETS).
function(smsgw_label_targets target)
  foreach(label ${ARGN})
    set_property(GLOBAL APPEND PROPERTY SMSGW_LABEL_TARGETS_${label} ${target})
    set_property(GLOBAL APPEND PROPERTY SMSGW_LABELS ${label})
  endforeach()
endfunction()

function(smsgw_add_label_targets)
  get_property(labels GLOBAL PROPERTY SMSGW_LABELS)
  list(REMOVE_DUPLICATES labels)
  foreach(label ${labels})
    get_property(targets GLOBAL PROPERTY SMSGW_LABEL_TARGETS_${label})
    add_custom_target(tests_${label} DEPENDS ${targets})
  endforeach()
endfunction()
