import { lightStem, tokenize } from '../text/text-features';

// Question words that every passage would match; content words decide relevance.
const STOPWORDS = new Set(
  (
    'a an and are as at be by can could did do does for from had has have how i if in is it its ' +
    'me my of on or our should so than that the their them then there these they this to was ' +
    'we were what when where which who whom why will with would you your about into any all'
  ).split(' '),
);

/** The stemmed words of `text` that carry meaning (question words and articles left out). */
export const contentTerms = (text: string): Set<string> =>
  new Set(
    tokenize(text)
      .filter((token) => !STOPWORDS.has(token))
      .map(lightStem),
  );

/** Share of `wanted` found in `present`; 0 when nothing is wanted. */
export function coverage(wanted: Set<string>, present: Set<string>): number {
  if (wanted.size === 0) return 0;
  let found = 0;
  for (const term of wanted) if (present.has(term)) found++;
  return found / wanted.size;
}
