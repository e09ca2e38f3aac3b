#include <string.h>
#include <time.h>

#include "CWALSupport.h"

/* Commit records come thousands a second: the last second converted is kept per thread. */
static _Thread_local struct {
  int valid;
  int64_t seconds;
  char date[32];
  char zone[16];
} last;

int walkit_local_time(int64_t seconds, char *date, size_t date_capacity, char *zone, size_t zone_capacity) {
  if (date_capacity < sizeof last.date || zone_capacity < sizeof last.zone) return 0;
  if (!last.valid || last.seconds != seconds) {
    time_t time = (time_t)seconds;
    struct tm parts;
    if (localtime_r(&time, &parts) == NULL) return 0;
    if (strftime(last.date, sizeof last.date, "%Y-%m-%d %H:%M:%S", &parts) == 0) return 0;
    if (strftime(last.zone, sizeof last.zone, "%Z", &parts) == 0) last.zone[0] = '\0';
    last.seconds = seconds;
    last.valid = 1;
  }
  memcpy(date, last.date, sizeof last.date);
  memcpy(zone, last.zone, sizeof last.zone);
  return 1;
}
