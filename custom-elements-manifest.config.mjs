// @ts-check
/**
 * `npm run analyze` writes custom-elements.json. The analyzer reads the classes' JSDoc
 * (summary, parts, custom properties, states, slots) and their methods; this plugin adds
 * what `<asset-uploader>` declares in tables rather than in JSDoc, so each is written once:
 * attributes and properties (src/ui/properties.ts, their docs in src/ui/property-docs.ts)
 * and events (src/ui/events.ts, their docs in src/ui/event-docs.ts).
 * Run through tsx (see package.json), which lets this file import those TypeScript modules.
 */
import { attributeOf, propertyTable } from './src/ui/properties.ts';
import { propertyDocs } from './src/ui/property-docs.ts';
import { elementEvents, uploaderEvents } from './src/ui/event-docs.ts';

/** The TypeScript type of each kind, where a property's doc names none of its own. */
const kindTypes = { string: 'string', number: 'number | undefined', boolean: 'boolean' };

/** The manifest's text for a default value, as the analyzer writes it. */
function defaultText(value) {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function tables() {
  return {
    name: 'asset-uploader-tables',
    packageLinkPhase({ customElementsManifest }) {
      // The analyzer's file order follows the file system's, which differs from run to run
      // (and machine to machine); sorted, the committed manifest only changes with the sources.
      customElementsManifest.modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.tagName !== 'asset-uploader') continue;
          const attributes = [];
          const fields = [];
          for (const [name, spec] of Object.entries(propertyTable)) {
            /** @type {{ doc: string, type?: string, shownDefault?: string }} */
            const doc = propertyDocs[/** @type {keyof typeof propertyDocs} */ (name)];
            const type = doc.type ?? kindTypes[spec.kind];
            const attribute = attributeOf(name);
            const value = doc.shownDefault ?? defaultText(spec.default);
            const field = { kind: 'field', name, privacy: 'public', type: { text: type }, description: doc.doc, ...(value ? { default: value } : {}) };
            if (attribute) {
              field.attribute = attribute;
              if (spec.reflect) field.reflects = true;
              attributes.push({ name: attribute, description: doc.doc, type: { text: type }, ...(value ? { default: value } : {}), fieldName: name });
            }
            fields.push(field);
          }
          const declared = new Set(fields.map((f) => f.name));
          declaration.members = [...fields, ...(declaration.members ?? []).filter((m) => !declared.has(m.name))];
          declaration.attributes = attributes;
          declaration.events = [
            ...Object.entries(uploaderEvents).map(([name, description]) => ({ name, type: { text: 'CustomEvent' }, description })),
            ...Object.entries(elementEvents).map(([name, description]) => ({ name, type: { text: 'Event' }, description })),
          ];
        }
      }
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.worker.ts'],
  litelement: true,
  // The staleness test (test/node/manifest.test.ts) writes elsewhere and must not point package.json there.
  packagejson: !process.env.CEM_CHECK,
  plugins: [tables()],
};
