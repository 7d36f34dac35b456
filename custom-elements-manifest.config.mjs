// @ts-check
/**
 * `npm run analyze` writes custom-elements.json. The analyzer reads the classes' JSDoc
 * (summary, parts, custom properties, states, slots) and their methods; this plugin adds
 * what `<asset-uploader>` declares in tables rather than in JSDoc, so each is written once:
 * attributes and properties (src/ui/properties.ts) and events (src/ui/events.ts).
 * Run through tsx (see package.json), which lets this file import those TypeScript modules.
 */
import { propertyTable } from './src/ui/properties.ts';
import { elementEvents, uploaderEvents } from './src/ui/events.ts';

/** The manifest's text for a default value, as the analyzer writes it. */
function defaultText(value) {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function tables() {
  return {
    name: 'asset-uploader-tables',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.tagName !== 'asset-uploader') continue;
          const attributes = [];
          const fields = [];
          for (const [name, spec] of Object.entries(propertyTable)) {
            const value = spec.shownDefault ?? defaultText(spec.default);
            const field = { kind: 'field', name, privacy: 'public', type: { text: spec.type }, description: spec.doc, ...(value ? { default: value } : {}) };
            if (spec.attribute) {
              field.attribute = spec.attribute;
              if (spec.reflect) field.reflects = true;
              attributes.push({ name: spec.attribute, description: spec.doc, type: { text: spec.type }, ...(value ? { default: value } : {}), fieldName: name });
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
  plugins: [tables()],
};
