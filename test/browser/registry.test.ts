/** `registry` and `<asset-library>` with the reference server playing the object store: see test/support/registry-suite.ts. */
import { describeRegistry } from '../support/registry-suite.js';

describeRegistry('embedded');
