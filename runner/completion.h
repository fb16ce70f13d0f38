/* The argument of o2c.complete: a JSON array with one object per finished step
 *   {"id":…, "token":…, "outcome":"…", "patch":{…}, "detail":{…}, "delay_ms":…, "start":[…],
 *    "duration_ms":…}
 * ("patch", "detail", "delay_ms" and "start" only when the outcome has them), written straight
 * into a string: the runner completes tens of thousands of steps a second, and building a json-c
 * object per result and then serialising the lot was half of its instructions. The outcome's own
 * patch, detail and start (json-c objects the actions built) are serialised as they are. */
#ifndef O2C_RUNNER_COMPLETION_H
#define O2C_RUNNER_COMPLETION_H

#include "connectors/common/connector.h"

/* The JSON text for steps[0..count), malloc'd; NULL only when memory runs out. */
char *o2c_completion_json(struct o2c_step *const *steps, int count);

#endif
