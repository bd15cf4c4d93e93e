/** Collection names clients may use: Chroma's rules, kept short enough for versioned suffixes. */
const LENGTH = { min: 3, max: 63 } as const;
export const COLLECTION_NAME = new RegExp(
  `^[a-zA-Z0-9][a-zA-Z0-9._-]{${LENGTH.min - 2},${LENGTH.max - 2}}[a-zA-Z0-9]$`,
);
export const COLLECTION_NAME_RULE = `${LENGTH.min}-${LENGTH.max} characters of [a-zA-Z0-9._-], starting and ending with a letter or digit`;

/** Swagger metadata of a collection name, from the same rule the check applies. */
export const COLLECTION_NAME_SCHEMA = {
  pattern: COLLECTION_NAME.source,
  minLength: LENGTH.min,
  maxLength: LENGTH.max,
  example: 'docs',
};

/** Swagger metadata of an optional `collection` field or query parameter. */
export const OPTIONAL_COLLECTION = {
  ...COLLECTION_NAME_SCHEMA,
  description: `Collection name (${COLLECTION_NAME_RULE}); DEFAULT_COLLECTION when omitted.`,
};
