import { CLIENT_TUNING_VARIABLES, type ClientTuning, readTuning } from '@cio-connectors/kit/tuning';

/** Knobs that are not part of the spec: tests and benchmarks set them through the environment. */
export type WriteTuning = ClientTuning & {
  /** The most one batch body holds, in bytes. Default 480,000 (Customer.io takes up to 500 KB). */
  batchBytes?: number;
  /** Requests queued or in flight at once. Default 8. */
  maxInFlight?: number;
  /** How long a batch that is not full waits for more records before it is sent, in ms. Default 1000. */
  flushMs?: number;
  /** Settled records before the rejected share may fail the sync (before the input ends). Default 1000. */
  rejectedShareAfter?: number;
  /** Records settled between two progress LOG lines. Default 100,000. */
  progressRecords?: number;
};

export function tuningFromEnv(env: NodeJS.ProcessEnv): WriteTuning {
  return readTuning<WriteTuning>(env, {
    ...CLIENT_TUNING_VARIABLES,
    batchBytes: 'CIO_BATCH_BYTES',
    maxInFlight: 'CIO_MAX_IN_FLIGHT',
    flushMs: 'CIO_FLUSH_MS',
    rejectedShareAfter: 'CIO_REJECTED_SHARE_AFTER',
    progressRecords: 'CIO_PROGRESS_RECORDS',
  });
}
