/**
 * Where an element upload's time goes, so that the gap to the raw PUT has a name (issue 11,
 * "Speed"): reading the file and hashing it (what the md5 workers report with each digest),
 * sending the part requests' bodies and waiting for their answers (the network stack's load
 * timing, request-timing.ts), and the time between part requests when none is in flight.
 *
 * Reading and hashing run in the workers, ahead of the part being sent, so they overlap the
 * sending; with several workers their sums can exceed the wall-clock time. Send and wait add up
 * to the part requests' time; with parts sent in parallel (signed-parts) they overlap too.
 */
import type { UploadMode } from './config.js';
import { MODE_LABEL, type UploadRun } from './modes.js';
import { dash, f1, median, sum } from './stats.js';

export interface Breakdown {
  readonly totalMs: number;
  /** Sums over the parts, in the workers; undefined when the element hashed nothing. */
  readonly readMs: number | undefined;
  readonly hashMs: number | undefined;
  readonly sendMs: number;
  readonly waitMs: number;
  readonly betweenMs: number;
  readonly beforeFirstMs: number | undefined;
  readonly afterLastMs: number | undefined;
  readonly parts: number;
}

/** The breakdown of an element run; undefined for the modes without the element (no probes there). */
export function breakdownOf(run: UploadRun): Breakdown | undefined {
  if (!run.requests) return undefined;
  const hashes = run.hashes ?? [];
  return {
    totalMs: run.ms,
    readMs: hashes.length ? sum(hashes.map((h) => h.readMs)) : undefined,
    hashMs: hashes.length ? sum(hashes.map((h) => h.hashMs)) : undefined,
    sendMs: sum(run.requests.map((r) => r.sendMs)),
    waitMs: sum(run.requests.map((r) => r.waitMs)),
    betweenMs: run.betweenPutsMs,
    beforeFirstMs: run.beforeFirstPutMs,
    afterLastMs: run.afterLastPutMs,
    parts: run.requests.length,
  };
}

/** One line for the log. */
export function breakdownLine(b: Breakdown): string {
  const ms = (v: number | undefined): string => (v === undefined ? dash : `${f1(v)} ms`);
  return `read ${ms(b.readMs)}, hash ${ms(b.hashMs)} (in workers); send ${ms(b.sendMs)}, wait for answer ${ms(b.waitMs)} over ${b.parts} part request(s); between requests ${ms(b.betweenMs)}`;
}

export const BREAKDOWN_HEAD = [
  '| mode | total | read (workers) | hash (workers) | send (request bodies) | wait for answer | between requests | before 1st request | last answer to event | part requests |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];

/** A table row of medians over `runs` of one mode; MD5-on modes first is the caller's business. */
export function breakdownRow(mode: UploadMode, runs: readonly UploadRun[]): string | undefined {
  const all = runs.map(breakdownOf).filter((b): b is Breakdown => b !== undefined);
  if (!all.length) return undefined;
  const cell = (pick: (b: Breakdown) => number | undefined): string => {
    const values = all.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? f1(median(values)) : dash;
  };
  return `| ${MODE_LABEL[mode]} | ${cell((b) => b.totalMs)} | ${cell((b) => b.readMs)} | ${cell((b) => b.hashMs)} | ${cell((b) => b.sendMs)} | ${cell((b) => b.waitMs)} | ${cell((b) => b.betweenMs)} | ${cell((b) => b.beforeFirstMs)} | ${cell((b) => b.afterLastMs)} | ${cell((b) => b.parts)} |`;
}

/** The table for these modes (element modes only; the others have no row), or undefined when none ran. */
export function breakdownTable(modes: readonly UploadMode[], runsOf: (mode: UploadMode) => readonly UploadRun[]): string | undefined {
  const rows = modes.map((mode) => breakdownRow(mode, runsOf(mode))).filter((row): row is string => row !== undefined);
  return rows.length ? [...BREAKDOWN_HEAD, ...rows].join('\n') : undefined;
}

/** What the table's columns are, for RESULTS.md. */
export const BREAKDOWN_TEXT = `Read and hash are the md5 workers' own times (each digest carries how long the worker spent
reading the part (1 MiB reads of \`Blob.stream()\`) and hashing it with spark-md5, src/engine/md5.worker.ts),
summed over the parts: they run ahead of the part being sent and overlap the sending, and with several workers
the sums can exceed the wall-clock time. Send is each part request's \`sendStart\` -> \`sendEnd\` in Chromium's
load timing (CDP \`Network\` events: headers and body handed to the socket), wait is \`sendEnd\` -> the end
of loading (the server reading the rest, storing and answering), summed over the part requests. Between
requests is the time with no part request in flight between the first one's start and the last one's end
(resource timing); before the 1st request and after the last answer are the element's setup (the creating
request, the first part's MD5) and its finishing. Medians of the runs, in ms.`;
