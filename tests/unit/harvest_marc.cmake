# MARC files through YAZ (indexer/marcfile.c): golden tests on the real
# binary MARC under ${VP_REALDATA}/marc and the holdings fixture under
# tests/data/marc.
add_executable(test_marc test_marc.c)
target_link_libraries(test_marc PRIVATE vindplaats_indexer)
target_include_directories(test_marc PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
add_test(NAME unit_marc COMMAND test_marc ${VP_REALDATA} ${PROJECT_SOURCE_DIR}/tests/data
  ${VP_VOCABULARY_FILE} ${PROJECT_SOURCE_DIR}/data/sample/network.json)
