# The iCalendar connector (indexer/ical.c): real calendars from
# tests/data/realdata/ical and hand-written ones from tests/data/ical.
add_executable(test_ical test_ical.c)
target_link_libraries(test_ical PRIVATE vindplaats_indexer)
target_include_directories(test_ical PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
add_test(NAME unit_ical COMMAND test_ical ${VP_REALDATA} ${PROJECT_SOURCE_DIR}/tests/data/ical)
