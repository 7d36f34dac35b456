/** Numbers: rates, medians, and how they are printed. */
import { MB } from './config.js';

export const mbps = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
export const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const f1 = (n: number): string => n.toFixed(1);
export const f2 = (n: number): string => n.toFixed(2);
/** What a table shows for a figure that was not measured. */
export const dash = '–';
