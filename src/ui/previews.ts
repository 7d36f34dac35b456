/**
 * Thumbnails for image files. `createImageBitmap` decodes off the main thread and, where
 * the browser supports its resize options, scales while decoding, so a 40-megapixel photo
 * never becomes a 160 MB bitmap on the page. A thumbnail is at most `SIZE` pixels on its
 * short side (two device pixels per CSS pixel of a 40 px thumb, and some).
 *
 * Memory stays bounded: at most `limit` thumbnails are kept (the least recently shown go
 * first; the virtualized list asks again when a row comes back into view), a thumbnail is
 * closed when its upload leaves the list, and all of them when the element leaves the page.
 * Decoding runs two at a time, only for rows that are rendered.
 */
import { noChange, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

export const SIZE = 96;
/** Larger files get the icon: decoding a 200 MB TIFF for a 40 px thumb is not worth it. */
export const MAX_PREVIEW_BYTES = 40 * 1024 * 1024;

export interface PreviewHost extends ReactiveControllerHost {
  readonly isConnected: boolean;
}

export class PreviewController implements ReactiveController {
  readonly #host: PreviewHost;
  readonly #fileOf: (id: string) => File | undefined;
  readonly #limit: number;
  /** Insertion order is recency: `get` moves an entry to the end. */
  readonly #ready = new Map<string, ImageBitmap>();
  readonly #failed = new Set<string>();
  readonly #wanted: string[] = [];
  readonly #decoding = new Set<string>();
  #connected = true;

  constructor(host: PreviewHost, fileOf: (id: string) => File | undefined, limit = 200) {
    this.#host = host;
    this.#fileOf = fileOf;
    this.#limit = limit;
    host.addController(this);
  }

  /** Thumbnails held now (for tests and the memory benchmark). */
  get size(): number {
    return this.#ready.size;
  }

  /** The thumbnail of `id` if it is ready; otherwise asks for it and returns undefined. */
  get(id: string): ImageBitmap | undefined {
    const ready = this.#ready.get(id);
    if (ready) {
      this.#ready.delete(id);
      this.#ready.set(id, ready);
      return ready;
    }
    if (this.#failed.has(id) || this.#decoding.has(id) || this.#wanted.includes(id)) return undefined;
    const file = this.#fileOf(id);
    if (!file || !previewable(file)) {
      this.#failed.add(id);
      return undefined;
    }
    this.#wanted.push(id);
    this.#next();
    return undefined;
  }

  /** Frees what belongs to uploads no longer in the list. */
  prune(): void {
    for (const [id, bitmap] of this.#ready) {
      if (this.#fileOf(id)) continue;
      bitmap.close();
      this.#ready.delete(id);
    }
    for (const id of this.#failed) if (!this.#fileOf(id)) this.#failed.delete(id);
  }

  hostConnected(): void {
    this.#connected = true;
  }

  hostDisconnected(): void {
    this.#connected = false;
    for (const bitmap of this.#ready.values()) bitmap.close();
    this.#ready.clear();
    this.#wanted.length = 0;
  }

  #next(): void {
    while (this.#decoding.size < 2 && this.#wanted.length > 0) {
      const id = this.#wanted.shift()!;
      const file = this.#fileOf(id);
      if (!file) continue;
      this.#decoding.add(id);
      void thumbnailOf(file)
        .then((bitmap) => {
          if (!this.#connected || !this.#fileOf(id)) {
            bitmap.close();
            return;
          }
          this.#ready.set(id, bitmap);
          while (this.#ready.size > this.#limit) {
            const [oldest, old] = this.#ready.entries().next().value as [string, ImageBitmap];
            old.close();
            this.#ready.delete(oldest);
          }
          this.#host.requestUpdate();
        })
        .catch(() => this.#failed.add(id)) // not an image this browser decodes: the icon stays
        .finally(() => {
          this.#decoding.delete(id);
          this.#next();
        });
    }
  }
}

export function previewable(file: File): boolean {
  // SVG is left out: it can reference other resources and createImageBitmap refuses it in some engines.
  return file.type.startsWith('image/') && file.type !== 'image/svg+xml' && file.size > 0 && file.size <= MAX_PREVIEW_BYTES;
}

async function thumbnailOf(file: File): Promise<ImageBitmap> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { resizeHeight: SIZE, resizeQuality: 'medium' });
  } catch (error) {
    // Engines without resize options throw a TypeError; decode first, then scale.
    if (!(error instanceof TypeError)) throw error;
    bitmap = await createImageBitmap(file);
  }
  if (bitmap.height <= SIZE * 1.5 && bitmap.width <= SIZE * 12) return bitmap;
  const scale = Math.min(SIZE / bitmap.height, (SIZE * 12) / bitmap.width);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return createImageBitmap(canvas);
}

/** Draws a bitmap into the `<canvas>` it is bound to, when the bitmap changes. */
class DrawBitmap extends Directive {
  #drawn: ImageBitmap | undefined;
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('drawBitmap goes on a <canvas>');
  }
  render(_bitmap: ImageBitmap) {
    return nothing;
  }
  override update(part: ElementPart, [bitmap]: [ImageBitmap]) {
    if (bitmap === this.#drawn) return noChange;
    const canvas = part.element as HTMLCanvasElement;
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    this.#drawn = bitmap;
    return noChange;
  }
}

export const drawBitmap = directive(DrawBitmap);
