import { InvalidInputError } from '../common/domain-errors';
import type { MetadataValue, WhereFilter } from '../vector-store/vector-store.port';
import { fileTypeVariants } from './file-type';

export const FILE_TYPE_KEYS = ['file_type', 'doctype'] as const;

const SCALAR_OPERATORS = new Set(['$eq', '$ne']);
const NUMERIC_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);
const LIST_OPERATORS = new Set(['$in', '$nin']);
const LOGICAL_OPERATORS = new Set(['$and', '$or']);
export const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface FilterLimits {
  maxDepth: number;
  maxConditions: number;
  maxListLength: number;
  maxValues: number;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): value is MetadataValue =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  // Stryker disable next-line ConditionalExpression: Number.isFinite is false for anything but a number
  (typeof value === 'number' && Number.isFinite(value));

/**
 * Validates a client filter and turns it into a Chroma `where` clause. The dialect is Chroma's
 * own (`{field: value}`, `{field: {$op: value}}`, `$and`, `$or`), checked here so a bad filter is
 * a 400 naming the problem instead of an error from deep inside the store.
 */
export function parseFilter(
  filter: Record<string, unknown> | undefined,
  limits: FilterLimits,
): WhereFilter | undefined {
  if (filter === undefined || Object.keys(filter).length === 0) return undefined;
  let conditions = 0;
  let values = 0;
  const countValues = (count: number) => {
    values += count;
    if (values > limits.maxValues) {
      throw new InvalidInputError(
        'filter',
        `holds more than ${limits.maxValues} values in all (FILTER_MAX_VALUES)`,
      );
    }
  };

  const parseCondition = (key: string, value: unknown, path: string): WhereFilter => {
    if (FORBIDDEN_KEYS.has(key) || !METADATA_KEY.test(key)) {
      throw new InvalidInputError(path, 'is not a valid metadata field name');
    }
    if (++conditions > limits.maxConditions) {
      throw new InvalidInputError('filter', `has more than ${limits.maxConditions} conditions`);
    }
    if (isScalar(value)) {
      countValues(1);
      return { [key]: { $eq: value } };
    }
    if (!isPlainObject(value) || Object.keys(value).length !== 1) {
      throw new InvalidInputError(
        path,
        'must be a string, number, boolean or one {$operator: value}',
      );
    }
    const [operator, operand] = Object.entries(value)[0];
    const at = `${path}.${operator}`;
    if (SCALAR_OPERATORS.has(operator)) {
      if (!isScalar(operand))
        throw new InvalidInputError(at, 'must be a string, number or boolean');
    } else if (NUMERIC_OPERATORS.has(operator)) {
      if (typeof operand !== 'number' || !Number.isFinite(operand)) {
        throw new InvalidInputError(at, 'must be a finite number');
      }
    } else if (LIST_OPERATORS.has(operator)) {
      if (
        !Array.isArray(operand) ||
        operand.length === 0 ||
        operand.length > limits.maxListLength
      ) {
        throw new InvalidInputError(at, `must be a list of 1 to ${limits.maxListLength} values`);
      }
      if (!operand.every(isScalar) || new Set(operand.map((item) => typeof item)).size > 1) {
        throw new InvalidInputError(
          at,
          'must hold values of one type: strings, numbers or booleans',
        );
      }
    } else {
      throw new InvalidInputError(
        at,
        'is not a supported operator ($eq, $ne, $gt, $gte, $lt, $lte, $in, $nin)',
      );
    }
    countValues(Array.isArray(operand) ? operand.length : 1);
    return { [key]: { [operator]: operand } };
  };

  const parseNode = (node: unknown, path: string, depth: number): WhereFilter => {
    if (depth > limits.maxDepth) {
      throw new InvalidInputError(path, `is nested deeper than ${limits.maxDepth} levels`);
    }
    if (!isPlainObject(node) || Object.keys(node).length === 0) {
      throw new InvalidInputError(path, 'must be a non-empty object');
    }
    const clauses = Object.entries(node).map(([key, value]) => {
      if (LOGICAL_OPERATORS.has(key)) {
        if (!Array.isArray(value) || value.length < 1) {
          throw new InvalidInputError(`${path}.${key}`, 'must be a non-empty list of filters');
        }
        const parts = value.map((item, i) => parseNode(item, `${path}.${key}[${i}]`, depth + 1));
        // Chroma requires at least two operands for a logical operator.
        return parts.length === 1 ? parts[0] : { [key]: parts };
      }
      if (key.startsWith('$')) {
        throw new InvalidInputError(`${path}.${key}`, 'is not a supported operator ($and, $or)');
      }
      return parseCondition(key, value, `${path}.${key}`);
    });
    return clauses.length === 1 ? clauses[0] : { $and: clauses };
  };

  return parseNode(filter, 'filter', 1);
}

/** The values a parsed filter compares against: one per scalar condition, a list's length. */
export function filterValueCount(where: WhereFilter): number {
  const [key, value] = Object.entries(where)[0];
  if (key === '$and' || key === '$or') {
    return (value as WhereFilter[]).reduce((sum, part) => sum + filterValueCount(part), 0);
  }
  const operand = Object.values(value as Record<string, unknown>)[0];
  return Array.isArray(operand) ? operand.length : 1;
}

/**
 * The `variants` tier: every positive condition on `file_type` or `doctype` matches either key
 * and any spelling of the value ('PDF', '.pdf', 'application/pdf'). Returns undefined when the
 * filter has no such condition, so the tier would repeat the exact one, and when the expanded
 * filter would hold more than `maxValues` values: the tier is skipped rather than trimmed, since
 * a trimmed expansion would match some spellings of a value and silently miss others.
 */
export function fileTypeVariantsOf(
  where: WhereFilter | undefined,
  maxValues: number,
): WhereFilter | undefined {
  let changed = false;
  const rewrite = (node: WhereFilter): WhereFilter => {
    const [key, value] = Object.entries(node)[0];
    if (key === '$and' || key === '$or') {
      return { [key]: (value as WhereFilter[]).map(rewrite) };
    }
    if (!(FILE_TYPE_KEYS as readonly string[]).includes(key)) return node;
    const [operator, operand] = Object.entries(value as Record<string, unknown>)[0];
    if (operator !== '$eq' && operator !== '$in') return node;
    const values = (operator === '$eq' ? [operand] : (operand as unknown[])).filter(
      (item): item is string => typeof item === 'string',
    );
    if (values.length === 0) return node;
    changed = true;
    const spellings = [...new Set(values.flatMap(fileTypeVariants))];
    return { $or: FILE_TYPE_KEYS.map((field) => ({ [field]: { $in: spellings } })) };
  };
  const result = where ? rewrite(where) : undefined;
  return changed && result && filterValueCount(result) <= maxValues ? result : undefined;
}
