# The csv connector's tests (indexer/csv.h): real captured inputs under
# ${VP_REALDATA}, hand-written fixtures under tests/data/csv.
add_executable(test_csv test_csv.c)
target_link_libraries(test_csv PRIVATE vindplaats_indexer)
target_include_directories(test_csv PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
add_test(NAME unit_csv COMMAND test_csv ${VP_REALDATA} ${PROJECT_SOURCE_DIR}/tests/data)
