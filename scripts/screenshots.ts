/**
 * `npm run screenshots`: the README's pictures of <asset-uploader>, light and dark, at a
 * desktop and a phone width. The built demo page (dist/demo) is served by the reference
 * server; a fault proxy slows PUTs so rows are caught mid-upload; one PUT is refused so a
 * row shows a failure. Files are made in the page: a drawn PNG (for a thumbnail) and
 * random bytes. Writes docs/screenshots/*.png (small: the element only, 1x scale).
 *
 * `SCREENSHOT_DIR=/tmp/shots` writes elsewhere (to look at work in progress).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startDemo } from '../test/e2e/support.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const out = process.env['SCREENSHOT_DIR'] ?? join(root, 'docs', 'screenshots');

const demo = await startDemo();
const browser = await launchChromium();
try {
  await mkdir(out, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    for (const [label, width] of [
      ['desktop', 760],
      ['phone', 390],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
      // tsx compiles the functions given to evaluate() with esbuild's name helper; the page needs it too.
      await page.addInitScript('globalThis.__name = (fn) => fn;');
      demo.proxy.setRules([
        {
          method: 'PUT',
          nth: 1,
          times: 1,
          action: { type: 'status', status: 400, body: JSON.stringify({ error: { code: 'refused', message: 'The file type is not allowed here.' } }) },
        },
        { method: 'PUT', times: 100_000, action: { type: 'throttle', bytesPerSecond: 128 * 1024 } },
      ]);
      await page.goto(`${demo.proxy.origin}/?chunk-size=256KiB`);
      await page.evaluate(async () => {
        const element = document.querySelector('asset-uploader')!;
        element.setAttribute('max-file-size', '20MB');
        const png = await new Promise<Blob>((resolve) => {
          const canvas = document.createElement('canvas');
          canvas.width = 320;
          canvas.height = 240;
          const g = canvas.getContext('2d')!;
          const sky = g.createLinearGradient(0, 0, 0, 240);
          sky.addColorStop(0, '#7cc4ff');
          sky.addColorStop(1, '#f7d9a8');
          g.fillStyle = sky;
          g.fillRect(0, 0, 320, 240);
          g.fillStyle = '#f59e0b';
          g.beginPath();
          g.arc(230, 80, 34, 0, Math.PI * 2);
          g.fill();
          g.fillStyle = '#1f6f43';
          g.beginPath();
          g.moveTo(0, 240);
          g.lineTo(110, 120);
          g.lineTo(200, 200);
          g.lineTo(260, 150);
          g.lineTo(320, 240);
          g.fill();
          canvas.toBlob((blob) => resolve(blob!), 'image/png');
        });
        const bytes = (n: number) => {
          const data = new Uint8Array(n);
          for (let i = 0; i < n; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(n, i + 65536)));
          return data;
        };
        element.addFiles([new File([bytes(40_000)], 'refused-contract.pdf', { type: 'application/pdf' })]);
        // The first PUT is refused: let it be this file's.
        await new Promise<void>((resolve) => element.addEventListener('upload-error', () => resolve(), { once: true }));
        element.addFiles([
          new File([png], 'summer-at-the-lake.png', { type: 'image/png' }),
          new File([bytes(9_000_000)], 'interview-2024-final-cut-with-subtitles.mp4', { type: 'video/mp4' }),
          new File([bytes(3_000_000)], 'photos-backup.zip', { type: 'application/zip' }),
          new File([bytes(30_000_000)], 'too-large.mov', { type: 'video/quicktime' }),
        ]);
      });
      // Until the image is done and the video is moving.
      await page
        .waitForFunction(
          () => {
            const element = document.querySelector('asset-uploader')!;
            const byName = (n: string) => element.uploads.find((u) => u.name === n);
            return (
              byName('summer-at-the-lake.png')?.status === 'success' &&
              (byName('interview-2024-final-cut-with-subtitles.mp4')?.bytesUploaded ?? 0) > 600_000 &&
              byName('refused-contract.pdf')?.status === 'error'
            );
          },
          undefined,
          { timeout: 60_000 },
        )
        .catch(async (error: Error) => {
          const states = await page.evaluate(() => document.querySelector('asset-uploader')!.uploads.map((u) => `${u.name} ${u.status} ${u.bytesUploaded}`));
          throw new Error(`${error.message}; uploads: ${states.join(', ')}`);
        });
      await page.evaluate(() => {
        const element = document.querySelector('asset-uploader')!;
        const zip = element.uploads.find((u) => u.name === 'photos-backup.zip');
        if (zip) element.pauseUpload(zip.id);
      });
      await page.waitForTimeout(400);
      const target = page.locator('form#demo-form');
      await target.screenshot({ path: join(out, `uploader-${scheme}-${label}.png`), animations: 'disabled' });
      await page.close();
    }
  }
  console.log(`screenshots written to ${out}`);
} finally {
  demo.proxy.setRules([]);
  await browser.close();
  await demo.stop();
}
