/* status.c - names of the status codes (see status.h). */
#include "vindplaats/status.h"

const char *vp_status_str(vp_status st)
{
    switch (st) {
    case VP_OK: return "ok";
    case VP_ERR_INVALID: return "invalid input";
    case VP_ERR_NOT_FOUND: return "not found";
    case VP_ERR_NOMEM: return "out of memory";
    case VP_ERR_IO: return "input/output error";
    case VP_ERR_LOCKED: return "index locked by another writer";
    case VP_ERR_INDEX: return "index error";
    case VP_ERR_MODIFIED: return "index modified during the operation";
    case VP_ERR_TOO_BIG: return "input too large";
    case VP_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}
