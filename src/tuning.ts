import type { ClientOptions } from '@cio-connectors/kit/http-client';
import { CLIENT_TUNING_VARIABLES, type ClientTuning, readTuning } from '@cio-connectors/kit/tuning';

/** The run's tuning of exports (CIO_EXPORT_POLL_MS, CIO_EXPORT_MAX_WAIT_MS, CIO_EXPORT_PROGRESS_MS). */
export interface ExportTuning {
  exportPollMs?: number;
  exportMaxWaitMs?: number;
  exportProgressMs?: number;
}

/** Knobs that are not part of the spec: tests and benchmarks shorten waits through the environment. */
export type RunTuning = ClientTuning &
  Pick<ClientOptions, 'maxResponseBytes'> &
  ExportTuning & {
    /** How long `check` waits for all its requests together. Default 30 s. */
    checkDeadlineMs?: number;
    /** Records between two checkpoint STATEs of a stream (see readStreams). */
    checkpointRecords?: number;
    /** Milliseconds between two progress LOG lines of a long stream. Default 30 s. */
    progressLogMs?: number;
    /** How many streams a read runs at once (see readStreams). Default 3. */
    concurrentStreams?: number;
    /** 1: compare every record text copied from a response with the record serialized (the test suite's runs). */
    verifyRecordTexts?: number;
  };

const VARIABLES: Record<keyof RunTuning, string> = {
  ...CLIENT_TUNING_VARIABLES,
  maxResponseBytes: 'CIO_MAX_RESPONSE_BYTES',
  checkDeadlineMs: 'CIO_CHECK_DEADLINE_MS',
  checkpointRecords: 'CIO_CHECKPOINT_RECORDS',
  progressLogMs: 'CIO_PROGRESS_LOG_MS',
  verifyRecordTexts: 'CIO_VERIFY_RECORD_TEXTS',
  concurrentStreams: 'CIO_CONCURRENT_STREAMS',
  exportPollMs: 'CIO_EXPORT_POLL_MS',
  exportMaxWaitMs: 'CIO_EXPORT_MAX_WAIT_MS',
  exportProgressMs: 'CIO_EXPORT_PROGRESS_MS',
};

/** The run's tuning from the environment (see docs/design.md, "Tuning for tests"); unset or non-numeric: default. */
export function tuningFromEnv(env: NodeJS.ProcessEnv): RunTuning {
  return readTuning<RunTuning>(env, VARIABLES);
}
