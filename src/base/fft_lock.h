/* fft_lock.h — one process-wide lock around FFTW's planner. FFTW's
 * fftw_execute (and its new-array variants) may run on many threads at once,
 * but creating and destroying plans touches the planner's global state and
 * must be serialised; every part of ginv that plans (src/sample's
 * autocovariances, src/measure's FFT operators) takes this one lock. */
#ifndef GINV_BASE_FFT_LOCK_H
#define GINV_BASE_FFT_LOCK_H

void ginv_fft_plan_lock(void);
void ginv_fft_plan_unlock(void);

#endif
