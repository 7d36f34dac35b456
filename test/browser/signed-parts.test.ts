/** `signed-parts` with the reference server playing the object store (embedded mode): see test/support/signed-parts-suite.ts. */
import { describeSignedParts } from '../support/signed-parts-suite.js';

describeSignedParts('embedded');
