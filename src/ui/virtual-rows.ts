/**
 * The virtualized list, loaded on demand by `list-rows.ts` (never imported statically:
 * @lit-labs/virtualizer is a third of the drop-in's code, and most lists stay short).
 *
 * The flow layout is passed explicitly rather than left to the virtualizer's own lazy
 * default: it then lands in this module's chunk, and a long list waits for one request,
 * not two in a row.
 */
import type { TemplateResult } from 'lit';
import { flow } from '@lit-labs/virtualizer/layouts/flow.js';
import { virtualize } from '@lit-labs/virtualizer/virtualize.js';
import type { UploadSnapshot } from '../engine/types.js';

const layout = flow();
const key = (upload: UploadSnapshot) => upload.id;

export function virtualRows(uploads: readonly UploadSnapshot[], row: (upload: UploadSnapshot) => TemplateResult): unknown {
  return virtualize({ items: uploads as UploadSnapshot[], keyFunction: key, renderItem: row, layout });
}
