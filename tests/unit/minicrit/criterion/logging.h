/* minicrit: Criterion's logging header; cr_log_info/warn/error are
 * declared with the rest in criterion.h. */
#include "criterion.h"
