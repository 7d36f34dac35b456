import { expect } from '@esm-bundle/chai';
import '../../src/index.js';
import { contentRangeEndpoint } from '../support/ref-server.js';

async function trial(css: string) {
  const errors: string[] = [];
  const old = window.onerror;
  window.onerror = (m) => { errors.push(String(m)); return true; };
  const el = document.createElement('asset-uploader');
  el.setAttribute('endpoint', await contentRangeEndpoint());
  el.setAttribute('multiple', '');
  el.setAttribute('no-auto-start', '');
  document.body.append(el);
  await el.updateComplete;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  el.shadowRoot!.adoptedStyleSheets = [...el.shadowRoot!.adoptedStyleSheets, sheet];
  el.addFiles([new File(['x'], 'a.bin')]);
  for (let i = 0; i < 10; i++) await new Promise((r) => requestAnimationFrame(r));
  const e1 = errors.length;
  el.addFiles(Array.from({ length: 30 }, (_, i) => new File(['x'], `b${i}.bin`)));
  for (let i = 0; i < 10; i++) await new Promise((r) => requestAnimationFrame(r));
  console.log(JSON.stringify(css), 'errors', e1, errors.length, el.shadowRoot!.querySelectorAll('[part~=file]').length);
  window.onerror = old;
  el.remove();
}

it('ro', async () => {
  await trial('');
  await trial(':host{container-type:normal}');
  await trial('.scroller{max-block-size:none;overflow:visible}');
  await trial(':host{container-type:normal} .scroller{max-block-size:none;overflow:visible}');
  await trial('.summary{display:none}');
  expect(1).to.equal(1);
});
