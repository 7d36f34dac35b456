/**
 * The fixed people and places the registry's assets refer to.
 *
 * Why this exists: an asset of the registry (registry/routes.ts) names its owner, a
 * workspace and possibly a production and a shot description. The API the
 * registry mirrors has those as resources of their own, but managing them is
 * not what a test of an uploader needs: it needs a few of them, known in
 * advance, to register assets against, to check that a referenced id exists,
 * to scope nested routes and to embed with `include`. So they are built in,
 * read-only, and always the same:
 *
 * | id            | what                                                       |
 * | ------------- | ---------------------------------------------------------- |
 * | `usr_ada`     | user Ada Lovelace                                          |
 * | `usr_grace`   | user Grace Hopper                                          |
 * | `wrk_acme`    | workspace Acme                                             |
 * | `wrk_globex`  | workspace Globex                                           |
 * | `prd_launch`  | production "Product launch" of `wrk_acme`, public          |
 * | `prd_retreat` | production "Team retreat" of `wrk_globex`, not public      |
 * | `dsc_founder` | description of `prd_launch`, type "interview"              |
 * | `dsc_skyline` | description of `prd_retreat`, type "b-roll"                |
 *
 * A description's `type` is its kind of shot (what the `descriptionType`
 * scope matches), so the embedded documents carry no resource-type member.
 * A description belongs to its production's workspace; an asset may only
 * be attached to a description of its own workspace.
 */

export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface Workspace {
  readonly id: string;
  readonly name: string;
}

export interface Production {
  readonly id: string;
  readonly workspace_id: string;
  readonly name: string;
  readonly is_public: boolean;
}

export interface Description {
  readonly id: string;
  readonly workspace_id: string;
  readonly production_id: string;
  /** The kind of shot, e.g. "interview" or "b-roll". */
  readonly type: string;
  readonly title: string;
}

const USERS: readonly User[] = [
  { id: 'usr_ada', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 'usr_grace', name: 'Grace Hopper', email: 'grace@example.com' },
];

const WORKSPACES: readonly Workspace[] = [
  { id: 'wrk_acme', name: 'Acme' },
  { id: 'wrk_globex', name: 'Globex' },
];

const PRODUCTIONS: readonly Production[] = [
  { id: 'prd_launch', workspace_id: 'wrk_acme', name: 'Product launch', is_public: true },
  { id: 'prd_retreat', workspace_id: 'wrk_globex', name: 'Team retreat', is_public: false },
];

const DESCRIPTIONS: readonly Description[] = [
  { id: 'dsc_founder', workspace_id: 'wrk_acme', production_id: 'prd_launch', type: 'interview', title: 'The founder on why' },
  { id: 'dsc_skyline', workspace_id: 'wrk_globex', production_id: 'prd_retreat', type: 'b-roll', title: 'The skyline at dusk' },
];

const byId = <T extends { readonly id: string }>(list: readonly T[]): ReadonlyMap<string, T> => new Map(list.map((item) => [item.id, item]));

const users = byId(USERS);
const workspaces = byId(WORKSPACES);
const productions = byId(PRODUCTIONS);
const descriptions = byId(DESCRIPTIONS);

export const findUser = (id: string): User | undefined => users.get(id);
export const findWorkspace = (id: string): Workspace | undefined => workspaces.get(id);
export const findProduction = (id: string): Production | undefined => productions.get(id);
export const findDescription = (id: string): Description | undefined => descriptions.get(id);

/** The relationships `include` can embed, in the order they are answered. */
export const INCLUDES = ['owner', 'workspace', 'production', 'description'] as const;
export type Include = (typeof INCLUDES)[number];

/** The ids an asset refers to. */
export interface References {
  readonly user_id: string;
  readonly workspace_id: string;
  readonly production_id: string | null;
  readonly description_id: string | null;
}

/** The resource `name` of an asset with `refs`, as a Fractal item (`{"data": null}` when there is none). */
export function embedded(name: Include, refs: References): { data: object | null } {
  switch (name) {
    case 'owner':
      return { data: users.get(refs.user_id) ?? null };
    case 'workspace':
      return { data: workspaces.get(refs.workspace_id) ?? null };
    case 'production':
      return { data: refs.production_id === null ? null : (productions.get(refs.production_id) ?? null) };
    case 'description':
      return { data: refs.description_id === null ? null : (descriptions.get(refs.description_id) ?? null) };
  }
}

/**
 * Null when `refs` are consistent, otherwise a sentence saying what is not:
 * every id must exist, the production must be in the workspace and so must
 * the description.
 */
export function referenceProblem(refs: References): string | null {
  if (!users.has(refs.user_id)) return `user_id "${refs.user_id}" is not a known user.`;
  if (!workspaces.has(refs.workspace_id)) return `workspace_id "${refs.workspace_id}" is not a known workspace.`;
  if (refs.production_id !== null) {
    const production = productions.get(refs.production_id);
    if (production === undefined) return `production_id "${refs.production_id}" is not a known production.`;
    if (production.workspace_id !== refs.workspace_id) {
      return `Production ${production.id} belongs to workspace ${production.workspace_id}, not to ${refs.workspace_id}.`;
    }
  }
  if (refs.description_id !== null) {
    const description = descriptions.get(refs.description_id);
    if (description === undefined) return `description_id "${refs.description_id}" is not a known description.`;
    if (description.workspace_id !== refs.workspace_id) {
      return `Description ${description.id} belongs to workspace ${description.workspace_id}, not to ${refs.workspace_id}.`;
    }
  }
  return null;
}
