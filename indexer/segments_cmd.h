/* segments_cmd.h - the "segments" command of vindplaats-indexer (private). */
#ifndef VINDPLAATS_SEGMENTS_CMD_H
#define VINDPLAATS_SEGMENTS_CMD_H

/* `vindplaats-indexer [...] segments check|import FILE [options]`: takes the
 * whole command line (the word "segments" included) and returns the exit
 * status: 0 every row valid, 1 rows rejected or the command failed, 2 a
 * usage error. */
int cmd_segments(int argc, char **argv);

#endif
