# The harvester's own parts: safe XML, the config file, normalisation,
# fetching limits (test_harvest.c).
add_executable(test_harvest test_harvest.c)
target_link_libraries(test_harvest PRIVATE vindplaats_indexer)
target_include_directories(test_harvest PRIVATE ${PROJECT_SOURCE_DIR}/tests/support ${PROJECT_SOURCE_DIR}/indexer)
file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/harvest-tmp)
add_test(NAME unit_harvest COMMAND test_harvest ${VP_VOCABULARY_FILE}
  ${PROJECT_SOURCE_DIR}/data/sample/network.json ${CMAKE_CURRENT_BINARY_DIR}/harvest-tmp)
