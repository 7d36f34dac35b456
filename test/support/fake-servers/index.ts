/** In-memory fakes of the reference server's six APIs, for the adapter contract suite. */
export { FakeServer, type AnswerChange, type FakeAnswer, type Held } from './core.js';
export { FakeContentRange } from './content-range.js';
export { FakePhased } from './phased.js';
export { FakeRegistry } from './registry.js';
export { FakeSession } from './session.js';
export { FakeSignedParts } from './signed-parts.js';
export { FakeTus } from './tus.js';
