import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument, YAMLMap, type Tags } from 'yaml';

export const REPO_ROOT = join(__dirname, '..', '..');

export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

/** Repository-relative paths of the files under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

/** CloudFormation's short-form intrinsics, resolved to their long form (`!Ref X` → `{Ref: X}`). */
const SCALAR_INTRINSICS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!ImportValue': 'Fn::ImportValue',
};
const SEQUENCE_INTRINSICS: Record<string, string> = {
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!FindInMap': 'Fn::FindInMap',
  '!Sub': 'Fn::Sub',
};
const CFN_TAGS: Tags = [
  ...Object.entries(SCALAR_INTRINSICS).map(([tag, fn]) => ({
    tag,
    resolve: (value: string) => ({ [fn]: value }),
  })),
  ...Object.entries(SEQUENCE_INTRINSICS).map(([tag, fn]) => ({
    tag,
    collection: 'seq' as const,
    resolve: (sequence: unknown) => {
      const wrapper = new YAMLMap();
      wrapper.set(fn, sequence);
      return wrapper;
    },
  })),
];

/** Parses a YAML file (CloudFormation tags included); any error or warning fails the parse. */
export function readYaml<T = Record<string, unknown>>(path: string): T {
  const document = parseDocument(readRepoFile(path), { customTags: CFN_TAGS });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    throw new Error(`${path}: ${problems.map((problem) => problem.message).join('; ')}`);
  }
  return document.toJS() as T;
}

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  base: string;
  name?: string;
  instructions: DockerInstruction[];
}

/**
 * Parses a Dockerfile into stages of instructions: comments and parser directives dropped,
 * backslash continuations joined, each FROM starting a stage.
 */
export function parseDockerfile(text: string): DockerStage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (!continued) {
      logical.push(pending.trim());
      pending = '';
    }
  }
  if (pending.trim() !== '') logical.push(pending.trim());

  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const words = rest.filter((word) => !word.startsWith('--'));
      const as = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ base: words[0], name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else if (stages.length === 0) {
      throw new Error(`${instruction.keyword} before the first FROM`);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

export const instructionsOf = (stage: DockerStage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** `["node", "x.js"]` → its words; a shell-form command → `['/bin/sh', '-c', command]`. */
export const commandWords = (args: string): string[] =>
  args.startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];

/** ENV instructions of a stage as one map (`ENV A=1 B=2` form). */
export function envOf(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructionsOf(stage, 'ENV')) {
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
      env[match[1]] = match[2].replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** The command of a `HEALTHCHECK [--options] CMD …` instruction, and its options. */
export function healthcheckOf(stage: DockerStage): { options: string[]; command: string[] } {
  const [args] = instructionsOf(stage, 'HEALTHCHECK');
  if (!args) throw new Error('no HEALTHCHECK');
  const at = args.search(/\bCMD\b/);
  return {
    options: args.slice(0, at).trim().split(/\s+/).filter(Boolean),
    command: commandWords(args.slice(at + 3).trim()),
  };
}

/** Patterns of credentials that must never be committed; each finding names its kind. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ['OpenAI-style API key', /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/],
  ['AWS access key id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['JWT', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  [
    'literal value for a secret-named setting',
    /\b[A-Za-z_]*(?:SECRET|PASSWORD|TOKEN|API_KEY|APIKEY)[A-Za-z_]*["']?[ \t]*[:=][ \t]*["']?[A-Za-z0-9+/_-]{16,}/i,
  ],
];

export function findSecrets(text: string): string[] {
  return SECRET_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([kind]) => kind);
}
