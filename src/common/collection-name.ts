/** Collection names clients may use: Chroma's rules, kept short enough for versioned suffixes. */
export const COLLECTION_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/;
export const COLLECTION_NAME_RULE =
  '3-63 characters of [a-zA-Z0-9._-], starting and ending with a letter or digit';
