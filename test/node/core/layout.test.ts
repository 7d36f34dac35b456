/**
 * The reference server's layout (CONTRIBUTING.md): one folder per API over `core/`. An
 * API's folder imports `core/` and itself, never another API's folder, and `core/`
 * imports no API; nothing in the server imports the client (`src/`).
 *
 * Run: node --test --import tsx test/node/core/layout.test.ts
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const server = fileURLToPath(new URL('../../../demo/server/', import.meta.url));
const APIS = ['content-range', 'tus', 'session', 'phased', 'signed-parts', 'registry'];

async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) found.push(path);
  }
  return found;
}

/** Folder (relative to demo/server, '' for the top) of every local module `file` imports. */
async function importedFolders(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const targets = [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => resolve(dirname(file), m[1]!));
  return targets.map((target) => relative(server, target).split(sep).slice(0, -1).join('/'));
}

describe('the reference server layout', () => {
  it('has one folder per API and core/, and nothing else but main.ts and app.ts at the top', async () => {
    const entries = (await readdir(server, { withFileTypes: true })).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
    assert.deepEqual(entries, ['app.ts', 'core/', ...APIS.map((api) => `${api}/`), 'main.ts'].sort());
  });

  it('no API imports another API, core imports no API, and nothing imports the client', async () => {
    const problems: string[] = [];
    for (const file of await sources(server)) {
      const folder = relative(server, dirname(file)).split(sep)[0] ?? '';
      for (const target of await importedFolders(file)) {
        const top = target.split('/')[0] ?? '';
        const where = relative(server, file);
        if (target.startsWith('..')) problems.push(`${where} imports outside demo/server (${target})`);
        else if (folder === 'core' && top !== 'core') problems.push(`${where} (core) imports ${target}/`);
        else if (APIS.includes(folder) && top !== folder && top !== 'core') problems.push(`${where} imports another API's folder, ${target}/`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
