/** How the next part is sized (part-sizer.ts): fixed, the rest in one request, from throughput, after a 413. */
import { expect } from '@esm-bundle/chai';
import { PartSizer, START_PART_SIZE } from '../../../src/engine/part-sizer.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const ordered = { ordered: true, partChecksum: 'optional' } as const;
const keeps = { ...ordered, keepsCutOffParts: true } as const;

describe('PartSizer', () => {
  it('keeps a part size the page set, within the API bounds, measured or not', () => {
    const sizer = new PartSizer(3 * MiB, keeps);
    expect(sizer.end(0, 10 * MiB, false)).to.equal(3 * MiB);
    sizer.measured(3 * MiB, 10);
    expect(sizer.end(3 * MiB, 10 * MiB, true)).to.equal(6 * MiB);
    expect(sizer.end(9 * MiB, 10 * MiB, true), 'the last part is what is left').to.equal(10 * MiB);
    expect(new PartSizer(1024, { ...ordered, minPartSize: MiB }).end(0, 10 * MiB, true)).to.equal(MiB);
    expect(new PartSizer(64 * MiB, { ...ordered, maxPartSize: 16 * MiB }).end(0, GiB, true)).to.equal(16 * MiB);
  });

  it('sends the rest in one request where the server keeps a cut-off part and no checksum goes', () => {
    const sizer = new PartSizer(undefined, keeps);
    expect(sizer.end(0, 5 * GiB, false)).to.equal(5 * GiB);
    expect(sizer.end(123, 5 * GiB, false)).to.equal(5 * GiB);
    expect(sizer.end(0, 5 * GiB, true), 'not with checksums').to.equal(START_PART_SIZE);
    expect(new PartSizer(undefined, ordered).end(0, 5 * GiB, false), 'not where the server drops a cut-off part').to.equal(START_PART_SIZE);
    expect(new PartSizer(undefined, { ...keeps, maxPartSize: GiB }).end(0, 5 * GiB, false), 'within the API bound').to.equal(GiB);
  });

  it('grows parts from measured throughput towards a few seconds each, at most doubling', () => {
    const sizer = new PartSizer(undefined, ordered);
    expect(sizer.end(0, 100 * GiB, false)).to.equal(8 * MiB);
    sizer.measured(8 * MiB, 80); // 100 MiB/s: 4 s would be 400 MiB
    expect(sizer.end(0, 100 * GiB, false)).to.equal(16 * MiB);
    for (let i = 0; i < 10; i++) sizer.measured(16 * MiB, 160);
    expect(sizer.end(0, 100 * GiB, false)).to.equal(400 * MiB);
    expect(sizer.end(0, 100 * GiB, true), 'checksummed parts stay small enough to hash several at once').to.equal(32 * MiB);
  });

  it('shrinks parts on a slow link, at most to a quarter each time, not below 256 KiB', () => {
    const sizer = new PartSizer(undefined, ordered);
    sizer.measured(8 * MiB, 80_000); // 100 KiB/s: 4 s is 400 KiB
    expect(sizer.end(0, GiB, true)).to.equal(2 * MiB);
    sizer.measured(2 * MiB, 20_000);
    expect(sizer.end(0, GiB, true), 'a quarter of 2 MiB, above the 400 KiB wanted').to.equal(512 * 1024);
    sizer.measured(512 * 1024, 100_000);
    expect(sizer.end(0, GiB, true)).to.equal(256 * 1024);
    sizer.measured(256 * 1024, 100);
    expect(sizer.end(0, GiB, true), 'and grows again when the link is fast').to.equal(512 * 1024);
  });

  it('ignores parts too small to measure and nonsense durations', () => {
    const sizer = new PartSizer(undefined, ordered);
    sizer.measured(200 * 1024, 1);
    sizer.measured(8 * MiB, 0);
    sizer.measured(8 * MiB, Number.NaN);
    expect(sizer.end(0, GiB, true)).to.equal(START_PART_SIZE);
  });

  it('halves the part after a 413 and keeps it at most there, until it cannot get smaller', () => {
    const sizer = new PartSizer(undefined, keeps);
    expect(sizer.shrink(5 * GiB)).to.equal(true);
    expect(sizer.end(0, 5 * GiB, false)).to.equal(2.5 * GiB);
    for (let i = 0; i < 5; i++) sizer.measured(2 * MiB, 1);
    expect(sizer.end(0, 5 * GiB, true), 'growth stays under the cap').to.equal(32 * MiB);
    const fixed = new PartSizer(MiB, keeps);
    expect(fixed.shrink(MiB)).to.equal(true);
    expect(fixed.end(0, 10 * MiB, true), 'a page-set size too').to.equal(MiB / 2);
    expect(fixed.shrink(MiB / 2)).to.equal(true);
    expect(fixed.shrink(MiB / 4)).to.equal(false);
    expect(new PartSizer(64 * 1024, keeps).shrink(64 * 1024), 'below 256 KiB the refusal stands').to.equal(false);
  });
});
