/**
 * The view bench's ways of adding files (bench/view-page.ts defines what each does), in a module
 * of its own so that bench/run.ts and bench/view.ts, in Node, can use the list without loading
 * the page's script (which loads the element).
 *   drop      what a person does: a drop on the element (the picker and a paste take the same
 *             path: pieces of 250 files, one task each)
 *   addFiles  the element's API: one synchronous `addFiles(files)` call
 */
export const VIEW_WAYS = ['drop', 'addFiles'] as const;
export type ViewWay = (typeof VIEW_WAYS)[number];
