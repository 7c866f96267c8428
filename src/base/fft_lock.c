/* fft_lock.c — the lock around FFTW's planner (see fft_lock.h). */
#include "base/fft_lock.h"

#include <pthread.h>

static pthread_mutex_t fft_plan_mu = PTHREAD_MUTEX_INITIALIZER;

void ginv_fft_plan_lock(void) { pthread_mutex_lock(&fft_plan_mu); }

void ginv_fft_plan_unlock(void) { pthread_mutex_unlock(&fft_plan_mu); }
